"""Compiled kernels: Numba functions and thin adapters onto the C++ extension.

``get(name)`` returns a module with ``prepare(spec)``, ``advance(...)`` and
``evaluate(...)``; the NumPy reference lives with each method family.
"""
from __future__ import annotations

import importlib

COMPILED = {"numba": ".numba_first_order", "cpp": ".cpp"}


def get(name):
    return importlib.import_module(COMPILED[name], __name__)
