"""Oracle complexity measured the way the issue prescribes: every parameter fixed at the smallest target,
one run, and for each larger target the first oracle count at which it is reached."""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array


def oracle_complexity(problem, method, eps, *, penalty=None, record="all", **options):
    """Run ``method`` once with ``penalty = min(eps)`` (unless given), recording at every iteration (or at
    the checkpoints ``record``: the first-hit counts are then those of the first checkpoint below each
    target, upper bounds); return a dict
    with ``eps`` (descending), ``calls`` (the total gradient-oracle calls, both levels, at which the
    stationarity first falls to each ``eps``; NaN if never), ``exponent`` (the least-squares slope of
    ``log calls`` against ``log(1/eps)`` over the reached targets) and the ``result``.

    The stationarity is the trace's (the projected gradient mapping of ``psi_sigma``, exact where the problem
    knows ``grad psi_sigma``).  Stochastic runs give one sample path: the exponent is a measurement, not a
    bound.
    """
    from ..solve import solve

    eps = np.sort(as_float_array(eps, "eps", ndim=1))[::-1]
    if eps.size < 2 or np.any(eps <= 0):
        raise ValueError("eps: needs at least two positive targets")
    kw = dict(options)
    if method != "implicit":
        kw["penalty"] = float(eps[-1]) if penalty is None else penalty
    res = solve(problem, method, record=record, stat_tol=float(eps[-1]), **kw)
    stat, calls = res.trace["stationarity"], res.trace["grad_evals"]
    first = np.array([calls[np.argmax(stat <= e)] if np.any(stat <= e) else np.nan for e in eps], dtype=float)
    ok = np.isfinite(first) & (first > 0)
    exponent = float(np.polyfit(np.log(1 / eps[ok]), np.log(first[ok]), 1)[0]) if ok.sum() >= 2 else np.nan
    return {"eps": eps, "calls": first, "exponent": exponent, "result": res}
