"""The shape of the code: no import cycles, no reaching into private names.

These read the source with :mod:`ast`; nothing is imported or run.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "carezones"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _unit(module: str) -> str:
    """The top-level unit a module belongs to: ``carezones.zones.plan`` -> ``zones``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def _imports(module: str, path: Path) -> set[str]:
    """carezones modules imported by a module at run time (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("carezones"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            if not base.startswith("carezones"):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return {m for m in found if m in MODULES and m != module}


def test_the_units_depend_on_each_other_without_a_cycle():
    """io, network, zones, rounds, sites, ... form a layered graph (local imports included)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in MODULES.items():
        for target in _imports(module, path):
            a, b = _unit(module), _unit(target)
            if a != b and a != "__init__":
                graph[a].add(b)
    seen: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt]
                pytest.fail(f"import cycle between units: {' -> '.join(cycle)}")
            if nxt not in seen:
                visit(nxt, [*path, nxt])
        seen[node] = 2

    for unit in sorted(graph):
        if unit not in seen:
            visit(unit, [unit])


def _class_privates() -> dict[str, set[str]]:
    """Private attribute and method names of every class, by the unit that defines it."""
    out: dict[str, set[str]] = defaultdict(set)
    for module, path in MODULES.items():
        for cls in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(cls, ast.ClassDef):
                continue
            for node in ast.walk(cls):
                name = None
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    name = node.name
                elif (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.ctx, ast.Store)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "self"
                ):
                    name = node.attr
                elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    name = node.target.id
                if name and name.startswith("_") and not name.startswith("__"):
                    out[name].add(_unit(module))
    return out


def _files_and_units() -> list[tuple[Path, str]]:
    files = [(p, _unit(m)) for m, p in MODULES.items()]
    files += [(p, "tests") for p in sorted((ROOT / "tests").glob("*.py"))]
    files += [(p, "benchmarks") for p in sorted((ROOT / "benchmarks").glob("*.py"))]
    return files


def test_no_private_attribute_of_another_units_class_is_touched():
    privates = _class_privates()
    found = []
    for path, unit in _files_and_units():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Attribute) or node.attr not in privates:
                continue
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            if unit not in privates[node.attr]:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    assert not found, "use the class's documented methods instead:\n" + "\n".join(found)


def test_no_private_name_is_imported_from_another_unit():
    found = []
    for path, unit in _files_and_units():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.ImportFrom) and (node.module or "").startswith("carezones")
            ):
                continue
            target = _unit(node.module or "")
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and target != unit and target != "_data":
                    found.append(
                        f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{alias.name}"
                    )
    assert not found, "import public names only (or give the name a public home):\n" + "\n".join(
        found
    )
