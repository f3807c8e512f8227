"""Sphinx configuration: the carezones documentation, built offline from the docstrings."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from docutils import nodes
from sphinx.transforms import SphinxTransform

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "src"))

import carezones  # noqa: E402

project = "carezones"
author = "carezones contributors"
copyright = "carezones contributors; map data © OpenStreetMap contributors (ODbL)"  # noqa: A001
version = release = carezones.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
]
# .rst first: autosummary writes its generated pages with the first suffix whose parser reads
# reStructuredText, and it takes myst-nb's ".md" for one (the pages then showed raw directives)
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "img/*.md", "**.ipynb_checkpoints"]
html_theme = "furo"
html_title = f"carezones {release}"
html_static_path: list[str] = []

autosummary_generate = True
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# Every numpydoc check but two: an extended summary (ES01) and a See Also section (SA01) are
# welcome, not required. So every documented name has a summary line, every parameter with a
# type, its returns (or yields), and an example. The examples run as doctests
# (pytest --doctest-modules src; src/conftest.py makes the objects they share).
numpydoc_validation_checks = {"all", "ES01", "SA01"}
numpydoc_validation_exclude = {
    r"\._repr_html_$",
    r"\.__init__$",
    r"__post_init__$",
    # a NamedTuple's own members: tuple's count/index, and the fields (its Parameters say them)
    r"^carezones\.Collected\.(count|index|valid|rejected)$",
    # enumerations: numpydoc reads an Enum's values as parameters; each member is a name
    # with a sentence, shown on its class's page
    r"^carezones\.(rounds\.Cause|sites\.(CandidateStatus|DemandStatus|Objective|SiteRole)"
    r"|io\.(DemandKind|TransitMode)|errors\.(Argument|Ask)|county\.brokerage\.LeftOut)"
    r"(\.[A-Z_]+)?$",
    # a typing.Protocol: its methods say what every result has (the results' own pages have
    # their parameters and examples)
    r"^carezones\.protocol\.(Result|MapLike)\.",
    # typing.Protocol classes: numpydoc reads Protocol's own (*args, **kwargs) as parameters
    r"^carezones\.(protocol\.(Result|MapLike)|errors\.Wording)$",
    # data: a module attribute's docstring is one line (its functions have the examples)
    r"^carezones\.testing\.EXAMPLES$",
}

# notebooks run at build time (their outputs are never committed), on the synthetic county; a
# notebook the tests ran just before (tests/test_notebooks.py keeps it in _build/executed) is
# shown as it ran, not run again
nb_execution_mode = "force"
nb_execution_timeout = 900
nb_execution_raise_on_error = True
os.environ.setdefault("CAREZONES_AREA", "synthetic")
myst_enable_extensions = ["colon_fence", "deflist"]
suppress_warnings = ["mystnb.unknown_mime_type"]

# autosummary writes api/generated afresh each build; pages left from an earlier build (such as
# the .md stubs of an older configuration) would be read as well, so start from none
shutil.rmtree(HERE / "api" / "generated", ignore_errors=True)

# the notebooks live in ../notebooks: copied in for the build, or their executed copies
NOTEBOOKS = HERE / "notebooks"
NOTEBOOKS.mkdir(exist_ok=True)
EXECUTED = HERE / "_build" / "executed"


def _code(path: Path) -> list[str]:
    """Return a notebook's code cells' sources (what decides whether a run is still valid)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


for nb in sorted((HERE.parent / "notebooks").glob("*.ipynb")):
    ran = EXECUTED / nb.name
    if ran.exists() and _code(ran) == _code(nb):
        doc = json.loads(ran.read_text(encoding="utf-8"))
        doc["metadata"]["mystnb"] = {"execution_mode": "off"}  # shown as the tests ran it
        (NOTEBOOKS / nb.name).write_text(json.dumps(doc, indent=1), encoding="utf-8")
    else:
        shutil.copy2(nb, NOTEBOOKS / nb.name)


class _DocstringSectionsAreNotLabels(SphinxTransform):
    """Keep the section titles of module docstrings from becoming page labels.

    The "how it works" pages show module docstrings through ``{eval-rst}`` blocks, and myst
    makes every named node at the top of such a block an explicit label; two docstrings with a
    "Modules" section would then clash ("duplicate label"). In an rST page these titles are
    implicit targets, as here again.
    """

    default_priority = 845  # before SphinxDomains (850) collects the labels

    def apply(self, **kwargs: object) -> None:
        document = self.document
        for name, explicit in list(document.nametypes.items()):
            node = document.ids.get(document.nameids.get(name) or "")
            if (
                explicit
                and isinstance(node, nodes.section)
                and ":docstring of " in (node.source or "")
            ):
                document.nametypes[name] = False


def _skip_str_methods(
    app: object, what: str, name: str, obj: object, skip: bool, options: object
) -> bool | None:
    """Leave out the methods an enumeration inherits from ``str`` (``split``, ``upper``...)."""
    if obj is getattr(str, name, None) and obj is not None:
        return True
    return None


def setup(app: object) -> None:
    """Register the transform and the member filter above."""
    app.add_transform(_DocstringSectionsAreNotLabels)  # type: ignore[attr-defined]
    app.connect("autodoc-skip-member", _skip_str_methods)  # type: ignore[attr-defined]
