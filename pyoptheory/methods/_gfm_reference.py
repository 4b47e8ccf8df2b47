"""NumPy reference of GFM and GFM+ (cpp: ``cpp/include/pyoptheory/gfm.hpp``) on a stochastic problem of
:mod:`pyoptheory.zeroth.problems`.

Iteration ``k`` uses the sampled pairs ``(W, S)[ptr[k - k0] : ptr[k - k0 + 1]]`` (unit directions, samples); GFM: ``v = g(x_k)``; GFM+: ``v = g(x_k)`` on the big-batch iterations (``k % period == 0``), else
``v += g(x_k) - g(x_{k-1})`` with the same pairs at both points; then ``x_{k+1} = x_k - step v``.  The output
iterate ``x_R`` (``R`` drawn before the run) is saved when ``k == R``.
"""
from __future__ import annotations

import numpy as np

from ..zeroth.problems import sphere_difference_estimate


def advance(problem, x, xprev, v, xR, delta, step, plus, period, R, k0, k1, W, S, ptr):
    for k in range(k0, k1):
        if k == R:
            xR[:] = x
        a, b = ptr[k - k0], ptr[k - k0 + 1]
        g = sphere_difference_estimate(problem, x, W[a:b], S[a:b], delta)
        if plus and k % period != 0:
            v += g - sphere_difference_estimate(problem, xprev, W[a:b], S[a:b], delta)
        else:
            v[:] = g
        xprev[:] = x
        x -= step * v
        if not np.all(np.isfinite(x)):
            return k
    return -1
