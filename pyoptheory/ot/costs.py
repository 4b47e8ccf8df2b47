"""Cost matrices for point clouds and the rounding of a plan onto the transport polytope."""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, choose


def cost(X, Y=None, metric="sqeuclidean", normalize=False):
    """Cost matrix between point clouds ``X`` (n, d) and ``Y`` (m, d) (default ``Y = X``).

    ``metric``: ``sqeuclidean`` (``||x - y||^2``) or ``euclidean``; ``normalize=True`` divides by
    the maximum entry (the convention of POT's examples, ``C / C.max()``).
    """
    X = as_float_array(X, "X", ndim=2)
    Y = X if Y is None else as_float_array(Y, "Y", ndim=2)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"Y: dimension {Y.shape[1]} does not match X's {X.shape[1]}")
    choose(metric, "metric", ("sqeuclidean", "euclidean"))
    C = np.sum(X**2, 1)[:, None] + np.sum(Y**2, 1)[None, :] - 2 * X @ Y.T
    C = np.maximum(C, 0.0)
    if metric == "euclidean":
        C = np.sqrt(C)
    if normalize:
        C = C / C.max()
    return C


def round_to_polytope(P, a, b):
    r"""Round a nonnegative matrix onto ``{P >= 0, P 1 = a, P^T 1 = b}`` (Altschuler, Weed &
    Rigollet 2017, Algorithm 2): scale rows down to ``a``, columns down to ``b``, then add the rank-one
    correction ``e_r e_c^T/||e_r||_1``.  The result is exactly feasible (up to rounding) and
    ``||P_out - P||_1 <= 2 (||P 1 - a||_1 + ||P^T 1 - b||_1)``.
    """
    P = as_float_array(P, "P", ndim=2)
    a = as_float_array(a, "a", shape=(P.shape[0],))
    b = as_float_array(b, "b", shape=(P.shape[1],))
    if np.any(P < 0):
        raise ValueError("P: must be nonnegative")
    r = P.sum(1)
    X = P * np.minimum(np.divide(a, r, out=np.ones_like(a), where=r > 0), 1.0)[:, None]
    c = X.sum(0)
    F = X * np.minimum(np.divide(b, c, out=np.ones_like(b), where=c > 0), 1.0)[None, :]
    # both are >= 0 in exact arithmetic (rows and columns were only scaled down); clip the rounding
    er, ec = np.maximum(a - F.sum(1), 0.0), np.maximum(b - F.sum(0), 0.0)
    s = np.abs(er).sum()
    return F + np.outer(er, ec) / s if s > 0 else F
