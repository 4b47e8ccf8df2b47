"""Entropic optimal transport: Sinkhorn (stabilized, log and scaling forms) and Sinkhorn-Newton-Sparse,
cost matrices, rounding, instances with exact constants (:mod:`pyoptheory.ot.problems`).

``pyoptheory.ot.sinkhorn(a, b, C, reg)`` follows POT's convention for ``reg``; see
:mod:`pyoptheory.ot.sinkhorn` for the problem and the updates.
"""
from . import problems
from .costs import cost, round_to_polytope
from .sinkhorn import sinkhorn

__all__ = ["sinkhorn", "cost", "round_to_polytope", "problems"]
