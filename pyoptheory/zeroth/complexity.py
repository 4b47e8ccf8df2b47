r"""Oracle complexity of GFM and GFM+, measured the way the theorems state it (catalogue first-order.md 5.3).

The guarantees bound ``E m(x_R)`` for the output ``x_R``, ``R`` uniform over the iterations of the run, where
``m`` is the problem's stationarity measure (``||grad f_delta||`` or the Goldstein distance).  A run stopped
after ``t`` iterations would return ``x_R`` with ``E m(x_R) = (1/t) sum_{s<t} m(x_s)``, so the measurement is:
fix every parameter at the smallest target of a grid, run once, record ``m`` at uniformly spaced iterations,
and report for each target ``eps`` the first oracle-call count at which that expectation (the left-endpoint
sum over the records) falls to ``eps``.  The exponent of the calls in ``1/eps`` is fitted over the targets that were reached (the theory:
about 4 for GFM, about 3 for GFM+).

The steps carry constants the papers leave open (catalogue [M]); :func:`tune_step` picks each method's step from
a fixed geometric grid by its calls to the smallest target, so that the comparison is between the methods,
not between step choices.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, as_int


def expected_output_stationarity(result):
    """``(calls, E m(x_R))`` at the recorded iterations ``t_j > 0``: the expected stationarity of the output of a
    run stopped at ``t_j``, ``(1/t_j) sum_{s<t_j} m(x_s)``, with ``m`` taken constant between records (the
    left-endpoint sum, weighted by the record spacing)."""
    it = np.asarray(result.trace["iter"], dtype=float)
    st = np.asarray(result.trace["stationarity"], dtype=float)
    calls = np.asarray(result.trace["fevals"], dtype=float)
    area = np.cumsum(st[:-1] * np.diff(it))
    return calls[1:], area / it[1:]


def calls_to_targets(result, targets):
    """First oracle-call count at which the expected stationarity of the output
    (:func:`expected_output_stationarity`) falls to each target; ``inf`` where it never does."""
    calls, expected = expected_output_stationarity(result)
    out = []
    for eps in targets:
        hit = np.nonzero(expected <= eps)[0]
        out.append(float(calls[hit[0]]) if hit.size else np.inf)
    return np.array(out)


def measure(problem, method, targets, *, budget, smoothing, seed=0, records=400, **params):
    """One run of ``method`` (``"gfm"`` or ``"gfm_plus"``) with about ``budget`` oracle calls; returns
    ``(calls to each target, result)``.  GFM+ gets ``target=min(targets)`` unless given."""
    import pyoptheory as po

    targets = np.sort(as_float_array(targets, "targets", ndim=1))[::-1]
    records = as_int(records, "records", minimum=2)
    if method == "gfm":
        steps = int(budget // (2 * params.get("batch", 1)))
    elif method == "gfm_plus":
        from ..methods.zeroth_order import gfm_plus_batches

        params.setdefault("target", float(targets.min()))
        big, small, period = gfm_plus_batches(problem, params["target"], params.get("big_batch"),
                                              params.get("batch"), params.get("period"))
        steps = int(budget // ((2 * big + (period - 1) * 4 * small) / period))
    else:
        raise ValueError(f"method: expected 'gfm' or 'gfm_plus', got {method!r}")
    steps = max(steps, records)
    res = po.solve(problem, method, steps=steps, seed=seed, smoothing=smoothing,
                   record=np.unique(np.linspace(0, steps, records + 1).astype(np.int64)), **params)
    return calls_to_targets(res, targets), res


def tune_step(problem, method, targets, steps_grid, *, budget, smoothing, seed=0, **params):
    """The step of ``steps_grid`` with the fewest calls to the smallest target (ties: the earlier larger
    targets); returns ``(step, calls, result, table)`` with ``table`` the calls of every step, the calls in the
    order of the targets sorted from the largest."""
    table = {}
    best = None
    for step in steps_grid:
        calls, res = measure(problem, method, targets, budget=budget, smoothing=smoothing, seed=seed, step=step,
                             **params)
        table[float(step)] = calls
        key = tuple(calls[::-1])
        if best is None or key < best[0]:
            best = (key, float(step), calls, res)
    return best[1], best[2], best[3], table


def fitted_exponent(targets, calls):
    """Slope of log(calls) against log(1/eps) over the reached targets (nan with fewer than two)."""
    return _loglog_slope(1.0 / np.asarray(targets, float), calls)


def _loglog_slope(x, y):
    """Least-squares slope of log y against log x over the finite y (nan with fewer than two)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = np.isfinite(y)
    return float(np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)[0]) if ok.sum() >= 2 else np.nan


def dimension_scaling(method, dims, *, target=0.5, steps=(0.01, 0.03, 0.1, 0.3, 1.0), calls_per_dim=3e4,
                      smoothing=0.1, records=4000, seed=0):
    """Oracle calls of ``method`` to ``E dist(0, Goldstein_delta f(x_R)) <= target`` on the stochastic norm in
    each dimension of ``dims`` (``x0`` at distance 2 from the minimiser, ``xi`` uniform in the unit ball; the
    Goldstein distance in closed form), each step the best of ``steps / d`` (a step of order ``delta/d`` keeps
    the iterates' fluctuation below ``delta`` against a noise ``E||g||^2`` of order ``d``); returns
    ``(calls per dimension, fitted exponent in d)``.  The prediction: at most ``d^{3/2}`` (Chen, Xu & Luo;
    Kornowski & Shamir improve it to ``d``)."""
    from .problems import StochasticNorm

    dims = [as_int(d, "dims", minimum=1) for d in dims]
    calls = []
    for d in dims:
        p = StochasticNorm(d, radius=1.0, x0=np.full(d, 2.0 / np.sqrt(d)))
        _, c, _, _ = tune_step(p, method, [target], [s / d for s in steps], budget=calls_per_dim * d,
                               smoothing=smoothing, records=records, seed=seed)
        calls.append(float(c[-1]))
    calls = np.array(calls)
    return calls, _loglog_slope(dims, calls)
