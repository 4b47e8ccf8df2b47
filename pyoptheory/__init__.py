"""pyoptheory: optimization theory that runs.

Fast first-order methods (C++ and Numba kernels with a readable NumPy
reference), the theorems that bound their rates, and checks that the bounds
hold on problems whose constants are known exactly.

>>> import pyoptheory as po
>>> p = po.problems.quadratic(50, L=1.0, mu=0.0, seed=0)
>>> res = po.solve(p, "gd", steps=100)
>>> report = po.verify(po.theorems("gd.convex.smooth"), quick=True)
"""
from . import problems
from .registry import methods
from .result import Result, Trace
from .solve import solve

__version__ = "0.1.0"


def theorems(theorem_id=None):
    """All registered theorems (a dict by ID), or the one with ``theorem_id``."""
    from .theory import get_theorem, all_theorems

    return all_theorems() if theorem_id is None else get_theorem(theorem_id)


def verify(theorem, problem=None, **kwargs):
    """Check a theorem's bound and rate; see :func:`pyoptheory.verify.verify`."""
    from .verify import verify as _verify

    return _verify(theorem, problem, **kwargs)


__all__ = ["solve", "methods", "problems", "theorems", "verify", "Result", "Trace", "__version__"]
