"""Entropic optimal transport: Sinkhorn (log and scaling domains), cost matrices, rounding.

``pyoptheory.ot.sinkhorn(a, b, C, reg)`` follows POT's convention for ``reg``; see
:mod:`pyoptheory.ot.sinkhorn` for the problem and the updates.
"""
from .costs import cost, round_to_polytope
from .sinkhorn import sinkhorn

__all__ = ["sinkhorn", "cost", "round_to_polytope"]
