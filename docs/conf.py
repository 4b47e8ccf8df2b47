"""Sphinx configuration of the pyoptheory documentation.

Build with the gallery executed: ``sphinx-build -b html docs docs/_build/html``;
without running it (as CI does): add ``-D plot_gallery=0``.
"""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import pyoptheory  # noqa: E402
from _theorem_page import write_theorem_page  # noqa: E402

project = "pyoptheory"
author = "the pyoptheory developers"
copyright = f"{datetime.date.today().year}, {author}"
version = release = pyoptheory.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
autodoc_default_options = {"members": False}
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip",
                    "auto_examples/*.md5", "auto_examples/*.json"]
html_theme = "alabaster"
html_static_path = []

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
}

write_theorem_page(os.path.join(os.path.dirname(__file__), "theorems.rst"))
