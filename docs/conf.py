"""Sphinx configuration: the carezones documentation, built offline from the docstrings."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

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
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb", ".rst": "restructuredtext"}
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
numpydoc_validation_checks = {"PR01", "PR02", "RT01", "GL08"}  # every parameter and return said
numpydoc_validation_exclude = {r"\._repr_html_$", r"\.__init__$", r"__post_init__$"}

# notebooks run at build time (their outputs are never committed), on the synthetic county
nb_execution_mode = "force"
nb_execution_timeout = 900
nb_execution_raise_on_error = True
os.environ.setdefault("CAREZONES_AREA", "synthetic")
myst_enable_extensions = ["colon_fence", "deflist"]
suppress_warnings = ["mystnb.unknown_mime_type"]

# the notebooks live in ../notebooks: copied in for the build
NOTEBOOKS = HERE / "notebooks"
NOTEBOOKS.mkdir(exist_ok=True)
for nb in sorted((HERE.parent / "notebooks").glob("*.ipynb")):
    shutil.copy2(nb, NOTEBOOKS / nb.name)
