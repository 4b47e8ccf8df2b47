"""pyoptheory: optimization theory that runs.

Fast first-order methods (C++ and Numba kernels with a readable NumPy
reference), the theorems that bound their rates, and checks that the bounds
hold on problems whose constants are known exactly.

>>> import pyoptheory as po
>>> p = po.problems.quadratic(50, L=1.0, mu=0.0, seed=0)
>>> res = po.solve(p, "gd", steps=100)
>>> report = po.verify("gd.convex.smooth", quick=True)
"""
# The subpackages ``methods`` and ``verify`` share their names with the functions
# exported here: import them first, then bind the functions, so that the names
# stay the functions whatever is imported later.
from . import methods as _methods_package  # noqa: F401  (registers every method)
from . import verify as _verify_package  # noqa: F401
from . import online, ot, problems, schedules
from .registry import methods
from .result import Result, Trace
from .solve import solve
from .theory import all_theorems as _all_theorems
from .theory import get_theorem as _get_theorem
from .methods.consensus import success_rate
from .verify.core import Verification, verify

__version__ = "0.1.0"


def theorems(theorem_id=None):
    """All registered theorems (a dict by ID), or the one with ``theorem_id``."""
    return _all_theorems() if theorem_id is None else _get_theorem(theorem_id)


__all__ = ["solve", "methods", "problems", "schedules", "ot", "online", "theorems", "verify", "Verification", "Result", "Trace", "success_rate",
           "__version__"]
