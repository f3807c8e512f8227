"""Every Python snippet of README.md and the guides runs as written, as a plain script.

A page's ```` ```python ```` blocks may build on each other (the second block uses the network
the first one loaded), so the blocks of one page are run together: one script per page, the
blocks in the page's order, each line at its own line number (every other line of the page is
left blank), so that a traceback names the page's line. The script runs with the virtualenv's
Python in a temporary folder (the files it writes land there, and nothing can come from the
checkout's folder), on generated data: :func:`carezones.datasets.example_area` and
:func:`carezones.datasets.example_files`. Each page runs on the synthetic county (as CI runs it:
no shared data) and, marked slow, once more on Rutland when the shared data holds it. It passes
when it exits 0 with no traceback. ```` ```pycon ```` blocks run as doctests in the same script;
```` ```text ````, ```` ```sh ```` and the rest are not Python and are not run.

The command line's examples (README's "Command line" block) are checked too: every option each
``carezones <command>`` line names is one that command's parser knows.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import carezones
from carezones._data import RUTLAND_PBF, shared_file

ROOT = Path(__file__).parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
PAGES = [p for p in PAGES if "_build" not in p.parts]
RUN = ("python", "py", "python3")  # fences whose code runs as a script
DOCTEST = ("pycon",)  # fences run as doctests
FAST_PAGES = {"analysts.md", "calibration.md"}  # a few seconds; the others plan days: slow
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)")


@dataclass(frozen=True)
class Block:
    """One fenced block of a page: its language, its first line (1-based) and its lines."""

    language: str
    line: int
    lines: tuple[str, ...]


def blocks(text: str) -> list[Block]:
    """Return every fenced block of a Markdown page, in order (the fences' own lines left out)."""
    out: list[Block] = []
    lines = text.splitlines()
    k = 0
    while k < len(lines):
        opening = FENCE.match(lines[k])
        if opening is None:
            k += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        start, k = k + 1, k + 1
        while k < len(lines) and not re.match(rf"^[ \t]*{fence[0]}{{{len(fence)},}}\s*$", lines[k]):
            k += 1
        body = tuple(line[indent:] if line[:indent].isspace() else line for line in lines[start:k])
        out.append(Block(opening["info"].strip("{}").lower(), start + 1, body))
        k += 1
    return out


def script(page: Path) -> str:
    """Return the page's Python blocks as one script, each line at the page's line number."""
    text = page.read_text(encoding="utf-8")
    out = [""] * (len(text.splitlines()) + 1)
    doctests: list[Block] = []
    for block in blocks(text):
        if block.language in RUN:
            for n, line in enumerate(block.lines):
                out[block.line - 1 + n] = line
        elif block.language in DOCTEST:
            doctests.append(block)
    for block in doctests:  # after the page's code: the doctests may use what it made
        out.append(_doctest_call(page, block))
    return "\n".join(out) + "\n"


def _doctest_call(page: Path, block: Block) -> str:
    """Return a line of code running a ```pycon block as a doctest (the script fails with it)."""
    text = "\n".join(block.lines) + "\n"
    return (
        "import doctest as _doctest, sys as _sys; _runner = _doctest.DocTestRunner(); "
        f"_runner.run(_doctest.DocTestParser().get_doctest({text!r}, dict(globals()), "
        f"{page.name!r}, {str(page)!r}, {block.line - 1})); "
        "_sys.exit(1) if _runner.failures else None"
    )


def has_python(page: Path) -> bool:
    """Whether a page has a block to run."""
    return any(b.language in RUN + DOCTEST for b in blocks(page.read_text(encoding="utf-8")))


def run_page(page: Path, folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a page's script with this Python in ``folder`` (its working directory)."""
    path = folder / f"{page.stem}_snippets.py"
    path.write_text(script(page), encoding="utf-8")
    src = str(Path(carezones.__file__).parents[1])  # the carezones under test, not the cwd's
    env = {**env, "PYTHONPATH": os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(":")}
    return subprocess.run(
        [sys.executable, path.name],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def assert_ran(done: subprocess.CompletedProcess[str], page: Path) -> None:
    """Exit 0, and no traceback on stderr."""
    where = f"{page.relative_to(ROOT)} (line numbers are the page's)"
    assert done.returncode == 0, f"{where} failed:\n{done.stderr[-4000:]}"
    assert "Traceback" not in done.stderr, f"{where} printed a traceback:\n{done.stderr[-4000:]}"


SNIPPET_PAGES = [p for p in PAGES if has_python(p)]


def _params(slow_always: bool) -> list[object]:
    marks = []
    for page in SNIPPET_PAGES:
        slow = slow_always or page.name not in FAST_PAGES
        mark = [pytest.mark.slow] if slow else []
        marks.append(pytest.param(page, id=str(page.relative_to(ROOT)), marks=mark))
    return marks


@pytest.fixture(scope="session")
def snippets_cache(tmp_path_factory):
    """One carezones cache for every page (the example area is generated once)."""
    return tmp_path_factory.mktemp("snippets-cache")


def _env(cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CAREZONES_AREA", "CAREZONES_DATA")}
    return {**env, "CAREZONES_CACHE": str(cache), **extra}


@pytest.mark.parametrize("page", _params(slow_always=False))
def test_page_runs_on_the_synthetic_county(page, tmp_path, snippets_cache):
    """As in CI: the synthetic county (``CAREZONES_AREA``), no shared data (a missing folder)."""
    env = _env(snippets_cache, CAREZONES_AREA="synthetic", CAREZONES_DATA=str(tmp_path / "no-data"))
    assert_ran(run_page(page, tmp_path, env), page)


@pytest.mark.parametrize("page", _params(slow_always=True))
def test_page_runs_on_rutland(page, tmp_path, tmp_path_factory):
    """With the shared data: the example area is Rutland's real roads."""
    pbf = shared_file(RUTLAND_PBF)
    if pbf is None:
        pytest.skip(f"{RUTLAND_PBF} not found in ../shared/data or $CAREZONES_DATA")
    cache = tmp_path_factory.getbasetemp() / "snippets-rutland-cache"
    assert_ran(run_page(page, tmp_path, _env(cache, CAREZONES_DATA=str(pbf.parent))), page)


def test_every_page_with_python_is_found():
    """The README and the guides of each audience have snippets to run."""
    names = {p.name for p in SNIPPET_PAGES}
    assert {"README.md", "analysts.md", "providers.md", "housing.md", "commissioners.md"} <= names


def test_a_broken_snippet_fails(tmp_path):
    """The check can fail: an undefined name, a failing doctest; text blocks are not run."""
    page = tmp_path / "page.md"
    page.write_text(
        "# A page\n\n```text\nthis is not Python\n```\n\n```python\nx = 1\n```\n\n"
        "Then:\n\n  ```python\n  print(x + undefined_name)\n  ```\n",
        encoding="utf-8",
    )
    assert [b.language for b in blocks(page.read_text())] == ["text", "python", "python"]
    done = run_page(page, tmp_path, _env(tmp_path / "cache"))
    assert done.returncode != 0
    assert 'page_snippets.py", line 14' in done.stderr  # the page's own line
    assert "NameError: name 'undefined_name' is not defined" in done.stderr

    page.write_text("```python\nx = 1\n```\n\n```pycon\n>>> x + 1\n3\n```\n", encoding="utf-8")
    done = run_page(page, tmp_path, _env(tmp_path / "cache"))
    assert done.returncode == 1 and "Expected:\n    3\nGot:\n    2" in done.stdout
    page.write_text("```python\nx = 1\n```\n\n```pycon\n>>> x + 1\n2\n```\n", encoding="utf-8")
    assert run_page(page, tmp_path, _env(tmp_path / "cache")).returncode == 0


# --- the command line's examples -----------------------------------------------------------


def command_lines(text: str) -> list[list[str]]:
    """Return each ``carezones ...`` command of a shell block, continuation lines joined."""
    out = []
    for block in blocks(text):
        if block.language not in ("sh", "bash", "console", "shell"):
            continue
        joined = re.sub(r"\\\n\s*", " ", "\n".join(block.lines))
        for line in joined.splitlines():
            line = line.split("  #")[0].split(" # ")[0].strip()
            if line.startswith("carezones "):
                out.append(shlex.split(line.replace("[", " ").replace("]", " ")))
    return out


def unknown_options(text: str) -> list[str]:
    """Return ``carezones <command> --option`` for each option a page names that is not known."""
    from carezones.cli import parser

    commands = next(
        a for a in parser()._actions if a.__class__.__name__ == "_SubParsersAction"
    ).choices
    top = {s for a in parser()._actions for s in a.option_strings}  # --version, --help
    unknown = []
    for words in command_lines(text):
        command = words[1]
        if command.startswith("-"):
            unknown += [f"carezones {w}" for w in words[1:] if w.startswith("-") and w not in top]
            continue
        if command not in commands:
            unknown.append(f"carezones {command}")
            continue
        known = {s for a in commands[command]._actions for s in a.option_strings}
        for word in words[2:]:
            name = word.split("=")[0]
            if name.startswith("--") and name not in known:
                unknown.append(f"carezones {command} {name}")
    return unknown


def test_readme_command_line_options_exist():
    """Every option named on a ``carezones <command>`` line of the README is the command's."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(command_lines(text)) >= 10
    assert unknown_options(text) == []
    wrong = "```sh\ncarezones zones --osm a.osm \\\n    [--zone 8] --out z  # a comment --x\n```\n"
    assert unknown_options(wrong) == ["carezones zones --zone"]
    assert unknown_options("```sh\ncarezones zone --osm a.osm\n```\n") == ["carezones zone"]
    assert unknown_options("```sh\ncarezones --versio\n```\n") == ["carezones --versio"]
