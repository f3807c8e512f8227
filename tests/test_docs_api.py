"""The API reference (docs/api.md) names the public API: every public name once, nothing else.

The public API is what ``carezones`` and its public packages and modules list in ``__all__``.
A name re-exported in several places (``carezones.read_carers`` is ``carezones.io.read_carers``)
is one name, documented under its shortest path.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "api.md"
PACKAGE = ROOT / "src" / "carezones"

PUBLIC = (
    "carezones",
    "carezones.io",
    "carezones.network",
    "carezones.zones",
    "carezones.rounds",
    "carezones.sites",
    "carezones.county",
    "carezones.calibration",
    "carezones.report",
    "carezones.synthetic",
    "carezones.datasets",
    "carezones.testing",
    "carezones.parallel",
    "carezones.privacy",
    "carezones.protocol",
    "carezones.errors",
)
"""The modules whose ``__all__`` is the public API (docs/api.md's first paragraph lists them)."""

INTERNAL = {"cli", "demo", "__main__", "_data", "_progress"}
"""Top-level modules that are not Python API: the command line, the demo, private helpers."""

ATOMS = (str, bytes, int, float, bool, type(None))


def _key(name: str, obj: object) -> object:
    """Return what makes two public names one: the object, or for a plain value its name too."""
    return ("value", name.rsplit(".", 1)[-1], repr(obj)) if isinstance(obj, ATOMS) else id(obj)


def public_names() -> dict[object, list[str]]:
    """Return each public object's names (relative to ``carezones``), shortest first."""
    found: dict[object, list[str]] = {}
    for module_name in PUBLIC:
        module = importlib.import_module(module_name)
        assert hasattr(module, "__all__"), f"{module_name} lists no __all__"
        prefix = module_name.removeprefix("carezones").lstrip(".")
        for name in module.__all__:
            dotted = f"{prefix}.{name}" if prefix else name
            found.setdefault(_key(dotted, getattr(module, name)), []).append(dotted)
    return {key: sorted(names, key=lambda n: (n.count("."), n)) for key, names in found.items()}


def documented_names(text: str) -> list[str]:
    """Return the names docs/api.md documents: its autosummary entries and constants' rows."""
    names: list[str] = []
    in_summary = False
    for line in text.splitlines():
        if line.strip().startswith(".. autosummary::"):
            in_summary = True
            continue
        if in_summary:
            entry = line.strip()
            if not line.startswith("   ") and entry:  # the block ends at the next paragraph
                in_summary = False
            elif entry and not entry.startswith(":"):
                names.append(entry)
                continue
        row = re.match(r"^\| `([\w.]+)` \|", line)
        if row:
            names.append(row.group(1))
    return names


def resolve(name: str) -> object:
    """Return the object ``carezones.<name>`` names."""
    parts = ["carezones", *name.split(".")]
    for split in range(len(parts) - 1, 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attr in parts[split:]:
            obj = getattr(obj, attr)
        return obj
    raise AssertionError(f"cannot import carezones.{name}")


def test_the_reference_names_exactly_the_public_api_each_once_by_its_shortest_name() -> None:
    public = public_names()
    documented = documented_names(API.read_text(encoding="utf-8"))
    seen: dict[object, str] = {}
    problems = []
    for name in documented:
        key = _key(name, resolve(name))
        if key not in public:
            problems.append(f"{name}: documented but not public (in no __all__ of {PUBLIC})")
        elif key in seen:
            problems.append(f"{name}: documented twice (also as {seen[key]})")
        elif name.count(".") > public[key][0].count("."):
            problems.append(f"{name}: document it by its shortest name, {public[key][0]}")
        seen.setdefault(key, name)
    problems += [
        f"{' = '.join(names)}: public but not in docs/api.md"
        for key, names in public.items()
        if key not in seen
    ]
    assert not problems, "\n".join(problems)
    assert len(documented) == len(public)


def test_every_top_level_module_is_public_or_named_internal() -> None:
    """A new package or module must be placed: in the public API (and the reference) or not."""
    units = {p.stem for p in PACKAGE.glob("*.py")} | {
        p.parent.name for p in PACKAGE.glob("*/__init__.py")
    }
    public = {m.removeprefix("carezones.") for m in PUBLIC if m != "carezones"}
    assert units - {"__init__"} == public | INTERNAL


def test_the_reference_names_no_module_internal() -> None:
    """The issue's example: internals such as ``network.routing.csr_min`` are not listed."""
    documented = documented_names(API.read_text(encoding="utf-8"))
    assert "network.routing.csr_min" not in documented
    private = [n for n in documented if any(p.startswith("_") for p in n.split("."))]
    assert private == ["__version__"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (".. autosummary::\n   :toctree: x\n\n   a\n   io.b\n\nText\n   c\n", ["a", "io.b"]),
        ("| name | what |\n|---|---|\n| `io.X` | a value |\n", ["io.X"]),
    ],
)
def test_the_reader_of_the_reference_finds_entries_and_rows(text: str, names: list[str]) -> None:
    assert documented_names(text) == names
