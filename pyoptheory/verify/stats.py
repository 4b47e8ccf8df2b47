"""Statistics of a verification: one-sided intervals, rate fits and verdicts (catalogue 0.2)."""
from __future__ import annotations

import numpy as np

#: Relative slack of the bound check: floating-point rounding only.
REL_TOL = 1e-9
#: z of the one-sided interval for bounds in expectation (catalogue 0.2: z = 3).
Z_ONE_SIDED = 3.0
#: Tolerance on a fitted exponent: 0.05 with exact values or many seeds, 0.1 otherwise.
SLOPE_TOL_EXACT, SLOPE_TOL_MC = 0.05, 0.1
#: Equality to this relative precision counts as "the bound is attained".
ATTAIN_TOL = 1e-9
#: Agreement with a known exact value: |mean - exact| <= Z_EXACT se + EXACT_REL_TOL |exact| (two-sided, about
#: 20 horizons: z = 5 keeps the chance of a false alarm over a whole grid below 1e-5 for a correct method).
Z_EXACT, EXACT_REL_TOL = 5.0, 1e-9


def summarize(values):
    """Mean and standard error over seeds (axis 0)."""
    values = np.asarray(values, dtype=float)
    mean = values.mean(axis=0)
    se = values.std(axis=0, ddof=1) / np.sqrt(values.shape[0]) if values.shape[0] > 1 else np.zeros_like(mean)
    return mean, se


def fit_window(horizons, measured, floor, bounds):
    """Indices used for the rate fit: horizons in [T_max/100, T_max] where the bound applies (is
    finite) and the value is clear of the floating-point floor; all such horizons when fewer than
    three qualify."""
    T = np.asarray(horizons, dtype=float)
    clear = (T > 0) & (measured > 1e3 * floor) & np.isfinite(measured) & np.isfinite(bounds)
    idx = np.nonzero(clear & (T >= T.max() / 100))[0]
    if idx.size < 3:
        idx = np.nonzero(clear)[0]
    return idx


def fit_rate(kind, horizons, measured, bounds, idx):
    """Least-squares slope and its standard error: log m vs log T (power), vs T (linear;
    the slope is returned as q = exp(slope)), vs log bound (bound), or vs log log T (log)."""
    y = np.log(measured[idx])
    if kind == "power":
        x = np.log(np.asarray(horizons, dtype=float)[idx])
    elif kind == "linear":
        x = np.asarray(horizons, dtype=float)[idx]
    elif kind == "log":
        x = np.log(np.log(np.asarray(horizons, dtype=float)[idx]))
    else:
        x = np.log(bounds[idx])
    coef, cov = np.polyfit(x, y, 1, cov="unscaled") if idx.size > 2 else (np.polyfit(x, y, 1), None)
    slope = float(coef[0])
    resid = y - np.polyval(coef, x)
    dof = max(idx.size - 2, 1)
    se = float(np.sqrt(cov[0, 0] * (resid @ resid) / dof)) if cov is not None else 0.0
    return (float(np.exp(slope)) if kind == "linear" else slope), se


def rate_verdict(kind, fitted, predicted, tight, tol):
    """Whether the fitted rate matches (tight instance) or beats (benign instance) the prediction.

    ``tol`` is in units of the slope (for linear rates, of log q relative to |log q|)."""
    if kind == "linear":
        lf, lp = np.log(fitted), np.log(predicted)
        return abs(lf - lp) <= tol * abs(lp) if tight else lf <= lp + tol * abs(lp)
    if kind == "bound":  # slope of log m against log bound: 1 when the shape matches, > 1 when faster
        return abs(fitted - predicted) <= tol if tight else fitted >= predicted - tol
    return abs(fitted - predicted) <= tol if tight else fitted <= predicted + tol


def slope_tolerance(base, se, kind, predicted):
    """The catalogue's tolerance (0.05), widened to three standard errors of the fitted slope when
    the measured curve scatters about its trend (deterministic oscillations of subgradient
    methods), but never past the catalogue's 0.1.  The standard error is reported with the verdict."""
    rel = 3 * se / max(abs(np.log(predicted)), 1e-300) if kind == "linear" else 3 * se
    return min(max(base, rel), max(base, SLOPE_TOL_MC))


def binomial_interval(successes, trials, level=0.95):
    """Clopper-Pearson (exact) two-sided interval for a success probability: ``(low, high)``."""
    from scipy.stats import beta

    k, n = int(successes), int(trials)
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"successes, trials: need 0 <= successes <= trials and trials >= 1, got {k}, {n}")
    a = 1.0 - level
    low = 0.0 if k == 0 else float(beta.ppf(a / 2, k, n - k + 1))
    high = 1.0 if k == n else float(beta.ppf(1 - a / 2, k + 1, n - k))
    return low, high
