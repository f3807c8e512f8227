"""The shape of the code: three layers, no import cycle, no reaching into private names.

These read the source with :mod:`ast`; nothing is imported or run.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

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


LAYERS = {  # a unit imports only units of a lower layer (or its own)
    "errors": 0,
    "privacy": 0,
    "protocol": 0,
    "_progress": 0,
    "parallel": 1,
    "_data": 0,
    "io": 1,
    "synthetic": 2,
    "network": 2,
    "zones": 3,
    "rounds": 3,
    "sites": 3,
    "calibration": 3,  # travel profiles fitted on visit logs
    "county": 4,  # judges zone designs by the rounds they produce
    "report": 5,
    "datasets": 6,
    "demo": 6,
    "testing": 7,
    "__init__": 6,
    "cli": 7,
    "__main__": 8,
}
PLANNING = ("zones", "rounds", "sites", "county", "calibration")
# a result hands off to the presentation layer from these methods, with an import inside them
# (the geopandas ``to_file`` pattern): the one way an engine reaches ``report``
HANDOFF = {
    "to_map",
    "to_files",
    "_repr_html_",
    "to_timeline",
    "run_sheets",
    "to_run_sheets",
    "chart_svg",
}


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def _handoff_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for cls in ast.walk(tree):
        if isinstance(cls, ast.ClassDef):
            for fn in cls.body:
                if isinstance(fn, ast.FunctionDef) and fn.name in HANDOFF:
                    lines.update(range(fn.lineno, (fn.end_lineno or fn.lineno) + 1))
    return lines


def _imports(module: str, path: Path, *, handoff: bool = True) -> set[str]:
    """carezones modules a module imports when it runs: at the top or inside a function.

    Imports under ``TYPE_CHECKING`` (types only) are not counted; with ``handoff=False`` nor
    are the imports inside a result's hand-off methods (:data:`HANDOFF`).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree) | (set() if handoff else _handoff_lines(tree))
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


def _third_party(path: Path, *, typing: bool = False) -> set[str]:
    """Top-level packages a module imports when it runs (with ``typing``: for its types too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = set() if typing else _type_checking_lines(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return cycles


def test_no_import_cycle_between_modules():
    """Zero cycles among modules, counting imports inside functions and hand-off methods."""
    cycles = _cycles({m: _imports(m, p) for m, p in MODULES.items()})
    assert not cycles, f"modules importing each other: {cycles}"


def test_cycles_are_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_unit_has_a_layer():
    assert {_unit(m) for m in MODULES} <= set(LAYERS), "give the new unit a layer in LAYERS"


def test_units_import_only_lower_layers_and_engines_reach_report_only_to_hand_off():
    wrong = []
    for module, path in MODULES.items():
        a = _unit(module)
        for target in _imports(module, path, handoff=False):
            b = _unit(target)
            if a != b and LAYERS[b] >= LAYERS[a]:
                wrong.append(f"{module} -> {target}")
    assert not wrong, "import downwards only (layers in LAYERS):\n" + "\n".join(wrong)


WRITES = {"write_text", "write_bytes", "to_file", "to_csv", "to_parquet", "savez", "save"}


def _writes(node: ast.Call) -> str | None:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name == "print" or name in WRITES or name.startswith("savez"):
        return name
    modes = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
    modes += [
        k.value.value
        for k in node.keywords
        if k.arg == "mode" and isinstance(k.value, ast.Constant)
    ]
    if name == "open" and any(set(str(m)) & set("wax+") for m in modes):
        return name
    return None


def test_no_layer_below_report_draws_and_planning_engines_neither_print_nor_write():
    found = []
    for module, path in MODULES.items():
        if LAYERS[_unit(module)] < LAYERS["report"]:  # not even for a type: maps are MapLike
            if used := _third_party(path, typing=True) & {"folium", "jinja2", "branca"}:
                found.append(f"{module} imports {sorted(used)}")
        if _unit(module) not in PLANNING:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and (name := _writes(node)):
                found.append(f"{module}:{node.lineno} {name}()")
    assert not found, "engines return results; report/ draws and writes:\n" + "\n".join(found)


def test_the_write_check_sees_writes():
    calls = ["print(1)", "p.write_text('x')", "open(p, 'w')", "open(p, mode='ab')", "np.savez(p)"]
    assert all(_writes(ast.parse(c).body[0].value) for c in calls)  # type: ignore[attr-defined]
    assert not _writes(ast.parse("open(p)").body[0].value)  # type: ignore[attr-defined]


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
                if private and target != unit and target not in ("_data", "_progress"):
                    found.append(
                        f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{alias.name}"
                    )
    assert not found, "import public names only (or give the name a public home):\n" + "\n".join(
        found
    )


MAX_PARAMETERS = 8


def test_no_public_function_takes_more_than_eight_parameters():
    """Data, a few keywords and an options object: long lists become dataclasses."""
    long = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if node.name.startswith("_"):
                continue
            a = node.args
            names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
            count = len([n for n in names if n not in ("self", "cls")])
            count += bool(a.vararg) + bool(a.kwarg)
            if count > MAX_PARAMETERS:
                long.append(f"{module}.{node.name}: {count}")
    assert not long, "group these parameters (an options object):\n" + "\n".join(long)


def test_no_fmt_skip_markers_beyond_a_few_aligned_tables():
    files = [
        *PACKAGE.rglob("*.py"),
        *(ROOT / "tests").glob("*.py"),
        *(ROOT / "benchmarks").glob("*.py"),
    ]
    found = [
        f"{p.relative_to(ROOT)}"
        for p in files
        for line in p.read_text().splitlines()
        if "fmt: skip" in line and 'fmt: skip" in' not in line
    ]
    assert len(found) <= 10, f"ruff format decides the layout: {found}"


def test_the_public_names_are_listed_alike_where_they_are_loaded():
    """``carezones.__all__``, its lazy table and its type-checking imports name the same."""
    import ast

    import carezones

    tree = ast.parse(Path(carezones.__file__).read_text())
    typed = {
        alias.asname or alias.name: node.module
        for block in tree.body
        if isinstance(block, ast.If)
        for node in ast.walk(block)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    homes = carezones._HOMES
    assert typed == homes
    assert set(carezones.__all__) == set(homes) | {"__version__"}
    for name in carezones.__all__:
        assert getattr(carezones, name) is not None
