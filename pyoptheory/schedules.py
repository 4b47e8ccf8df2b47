"""Step-size schedules and the refined last-iterate bound for SGD-type methods.

Convention: iterations are 1-indexed.  ``schedule.steps(T)`` returns ``eta`` of
length T with ``eta[t-1] = eta_t`` (t = 1..T), the base step already multiplied
in; a method uses ``eta_t`` at its t-th update.

The bound is Theorem 10 of Defazio, Cutkosky, Mehta & Mishchenko, "When, Why
and How Much? Adaptive learning rate scheduling by refinement" (arXiv
2310.07831), as used by Schaipp, Hägele, Taylor, Simsekli & Bach (2025), "The
surprising agreement between convex optimization theory and learning-rate
scheduling for large model training" (catalogue section 2.1, [V:sched]).
"""
from __future__ import annotations

import copy
import math

import numpy as np

from ._validation import as_float_array, as_int, as_scalar, lookup

__all__ = ["Schedule", "constant", "inv_sqrt", "inv_t", "switching", "step_decay", "linear_decay", "cosine",
           "wsd", "sgdr", "refined", "get", "harmonic_number", "bound_terms", "last_iterate_bound",
           "last_iterate_bound_curve", "optimal_base", "average_iterate_bound", "constant_optimal_bound",
           "wsd_optimal_bound"]


class Schedule:
    """A step-size schedule ``eta_t = base * m_t``, t = 1, 2, ...

    Parameters
    ----------
    name : str
        Schedule name, e.g. ``"cosine"``.
    base : float
        Base (peak) step, > 0: no step of the schedule exceeds it (a run reads its largest step here).
    horizon : int or None
        The horizon T the schedule was built for, or None if it is horizon-free.
    rule : callable
        ``rule(t, base)`` maps the 1-indexed iterations ``t`` (int array) to the steps.
    params : dict
        Constructor arguments other than ``base``, shown by ``repr``.
    """

    def __init__(self, name, base, horizon, rule, params=None):
        self.name = name
        self.base = as_scalar(base, "base", positive=True)
        self.horizon = horizon
        self._rule = rule
        self.params = dict(params or {})

    def steps(self, T):
        """The steps ``eta_1..eta_T`` as a float64 array of length T."""
        return self.window(0, T, T)

    def window(self, k0, k1, T):
        """The steps ``eta_{k0+1} .. eta_{k1}`` of a run of ``T`` updates (0-indexed updates ``k0 .. k1-1``),
        equal entry by entry to ``steps(T)[k0:k1]``: runs read their schedule this way, a chunk at a time."""
        T = as_int(T, "T", minimum=1)
        if self.horizon is not None and T != self.horizon:
            raise ValueError(f"steps: schedule {self.name!r} was built for horizon {self.horizon}, got T={T}")
        if not 0 <= k0 <= k1 <= T:
            raise ValueError(f"steps: updates {k0} .. {k1 - 1} are outside a run of T={T}")
        return np.asarray(self._rule(np.arange(k0 + 1, k1 + 1), self.base), dtype=np.float64)

    def multipliers(self, T):
        """``steps(T) / base``: the schedule at base step 1."""
        return self.steps(T) / self.base

    def with_base(self, base):
        """A copy of this schedule (same horizon and parameters) with another base step."""
        new = copy.copy(self)
        new.base = as_scalar(base, "base", positive=True)
        new._rule(np.arange(1, 2), new.base)  # a base the rule refuses (sgdr: base <= eta_min) fails here
        return new

    def __repr__(self):
        args = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"Schedule({self.name!r}, base={self.base!r}{args})"


def _horizon(T):
    return as_int(T, "horizon", minimum=1)


def constant(base):
    """Constant step ``eta_t = base``."""
    return Schedule("constant", base, None, lambda t, b: np.full(t.shape, b))


def inv_sqrt(base):
    """``eta_t = base / sqrt(t)``."""
    return Schedule("inv_sqrt", base, None, lambda t, b: b / np.sqrt(t))


def inv_t(base):
    """``eta_t = base / t``."""
    return Schedule("inv_t", base, None, lambda t, b: b / t)


def switching(L_max, mu):
    """Switching schedule for strongly convex SGD (Gower et al. 2019) [M].

    With ``K = L_max / mu`` and the 0-indexed iteration ``k = t - 1``:
    ``eta_t = 1/(2 L_max)`` for ``k < 4 ceil(K)`` and ``(2k+1) / ((k+1)^2 mu)`` afterwards.
    The base is ``1/(2 L_max)``.  The constants are [M] in the catalogue (section 1.4):
    recalled from Gower et al. 2019 / the Garrigos-Gower Handbook, not confirmed.
    """
    L_max = as_scalar(L_max, "L_max", positive=True)
    mu = as_scalar(mu, "mu", positive=True)
    if mu > L_max:
        raise ValueError(f"mu: must be at most L_max={L_max}, got {mu}")
    switch, b0 = 4 * math.ceil(L_max / mu), 0.5 / L_max

    def rule(t, b):
        k = (t - 1).astype(np.float64)
        return (b / b0) * np.where(k < switch, b0, (2 * k + 1) / ((k + 1) ** 2 * mu))
    return Schedule("switching", b0, None, rule, {"L_max": L_max, "mu": mu})


def step_decay(base, factor=0.1, *, every):
    """Piecewise constant: ``eta_t = base * factor**floor((t-1)/every)``."""
    factor = as_scalar(factor, "factor", positive=True, upper=1.0)
    every = as_int(every, "every", minimum=1)
    return Schedule("step_decay", base, None, lambda t, b: b * factor ** ((t - 1) // every),
                    {"factor": factor, "every": every})


def linear_decay(base, horizon):
    """``eta_t = base (1 - t/(T+1))``, t = 1..T: zero would be reached at T+1, never at T."""
    T = _horizon(horizon)
    return Schedule("linear_decay", base, T, lambda t, b: b * (1 - t / (T + 1)), {"horizon": T})


def cosine(base, horizon):
    """Cosine to zero, built with T+1 entries as in Schaipp et al.

    ``eta_t = base (1 + cos(pi (t-1)/T)) / 2`` for t = 1..T+1; the first T are used, so
    ``eta_1 = base`` and the value 0 would be reached at t = T+1.
    """
    T = _horizon(horizon)
    return Schedule("cosine", base, T, lambda t, b: b * 0.5 * (1 + np.cos(np.pi * (t - 1) / T)), {"horizon": T})


def wsd(base, horizon, cooldown=0.2):
    """Warmup-free warmup-stable-decay (constant, then linear cooldown).

    ``T0 = T - round(cooldown T)`` (round half up); ``eta_t = base`` for ``t <= T0`` and
    ``base (T+1-t) / (T+1-T0)`` for ``T0 < t <= T`` (zero would be reached at T+1).
    ``cooldown=1`` gives :func:`linear_decay`, ``cooldown=0`` the constant schedule.
    """
    T = _horizon(horizon)
    c = as_scalar(cooldown, "cooldown", nonnegative=True, upper=1.0)
    T0 = T - int(math.floor(c * T + 0.5))

    def rule(t, b):
        return b * np.where(t <= T0, 1.0, (T + 1 - t) / (T + 1 - T0))
    s = Schedule("wsd", base, T, rule, {"horizon": T, "cooldown": c})
    s.T0 = T0
    return s


def sgdr(base, period, mult=1, eta_min=0.0):
    """Cosine annealing with warm restarts (Loshchilov & Hutter, ICLR 2017).

    Cycle i has length ``P_i = period * mult**i``; with ``t_cur`` = 0-indexed position in
    the current cycle, ``eta_t = eta_min + (base - eta_min)(1 + cos(pi t_cur / P_i)) / 2``.
    ``eta_min`` is absolute (not scaled by ``base``) and must be below ``base``.
    """
    base = as_scalar(base, "base", positive=True)
    period = as_int(period, "period", minimum=1)
    mult = as_int(mult, "mult", minimum=1)
    eta_min = as_scalar(eta_min, "eta_min", nonnegative=True)

    def rule(t, b):
        if eta_min >= b:
            raise ValueError(f"eta_min: must be below base={b}, got {eta_min}")
        k = t - 1
        if mult == 1:
            cur, length = k % period, np.full(k.shape, period)
        else:  # cycle i starts at period (mult^i - 1)/(mult - 1)
            i = np.zeros_like(k)
            while np.any(grow := period * (mult ** (i + 1) - 1) // (mult - 1) <= k):
                i += grow
            cur, length = k - period * (mult ** i - 1) // (mult - 1), period * mult ** i
        return eta_min + (b - eta_min) * 0.5 * (1 + np.cos(np.pi * cur / length))
    if eta_min >= base:
        raise ValueError(f"eta_min: must be below base={base}, got {eta_min}")
    return Schedule("sgdr", base, None, rule, {"period": period, "mult": mult, "eta_min": eta_min})


def refined(grad_norms, base=1.0):
    """Schedule refinement from observed gradient norms (Defazio et al. 2310.07831) [M].

    Given ``G_t`` (t = 1..T), ``w_t = G_t^{-2} sum_{p=t+1}^T G_p^2`` and ``eta_t = base w_t / max w``
    (the formula is recalled, not checked against the paper).  For constant G it is
    proportional to ``T - t``: linear decay reaching 0 *at* T, so ``eta_T = 0`` and
    :func:`bound_terms` refuses the result as is (catalogue 2.1, pitfall (a)).
    """
    G = as_float_array(grad_norms, "grad_norms", ndim=1)
    if G.size < 2 or np.any(G <= 0):
        raise ValueError(f"grad_norms: need at least 2 positive entries, got {G.size} (min {G.min():.3g})")
    sq = G ** 2
    w = np.concatenate([np.cumsum(sq[::-1])[::-1][1:], [0.0]]) / sq
    w /= w.max()
    return Schedule("refined", base, G.size, lambda t, b: b * w[t - 1], {"horizon": G.size})


_REGISTRY = {"constant": constant, "inv_sqrt": inv_sqrt, "inv_t": inv_t, "switching": switching,
             "step_decay": step_decay, "linear_decay": linear_decay, "cosine": cosine, "wsd": wsd,
             "sgdr": sgdr, "refined": refined}


def get(name, **kwargs):
    """Build the schedule called ``name`` (one of the constructors above) from ``kwargs``."""
    return lookup(_REGISTRY, name, "name", "schedule")(**kwargs)


# ----------------------------------------------------------------------------- bounds

def harmonic_number(k):
    """``H_k = sum_{j=1}^k 1/j``, with ``H_0 = 0``."""
    k = as_int(k, "k", minimum=0)
    return float(np.sum(1.0 / np.arange(k, 0, -1, dtype=np.float64))) if k else 0.0


def _prepare(etas, D, G):
    eta = as_float_array(etas, "etas", ndim=1)
    if np.any(eta < 0) or eta[-1] <= 0:
        raise ValueError("etas: must be nonnegative with eta_T > 0 (the bound divides by sum_{t=k+1}^T eta_t); "
                         "build a schedule that reaches 0 at T+1, not at T")
    D = as_scalar(D, "D", nonnegative=True)
    G = as_float_array(G, "G", allow_empty=False)
    if G.ndim > 1 or (G.ndim == 1 and G.size != eta.size) or np.any(G < 0):
        raise ValueError(f"G: must be a nonnegative scalar or an array of length T={eta.size}, got shape {G.shape}")
    return eta, D, eta ** 2 * G ** 2


def _suffix(x, axis=-1):
    """``out[k] = sum_{j >= k} x[j]``, summed directly from the end (no total-minus-prefix)."""
    return np.flip(np.cumsum(np.flip(x, axis), axis), axis)


def bound_terms(etas, D, G):
    """The three terms of the refined last-iterate bound (Defazio et al. 2310.07831, Thm 10).

    With ``S = sum_{t=1}^T eta_t`` and ``G_t^2 >= E||g_t||^2``::

        t1 = D^2 / (2 S)
        t2 = sum_{t=1}^T eta_t^2 G_t^2 / (2 S)
        t3 = 1/2 sum_{k=1}^{T-1} eta_k / (sum_{t=k+1}^T eta_t) * (sum_{t=k}^T eta_t^2 G_t^2) / (sum_{t=k}^T eta_t)

    so that ``E f(x_T) - f* <= t1 + t2 + t3``.  ``eta_T`` enters the bound.  The suffix sums
    are reverse cumulative sums, never total minus prefix (catalogue 2.1, pitfall (c)).

    Parameters
    ----------
    etas : array_like, shape (T,)
        ``eta_1..eta_T``, nonnegative with ``eta_T > 0``.
    D : float
        ``||x_1 - x*||``.
    G : float or array_like of shape (T,)
        Gradient-norm bounds ``G_t``.

    Returns
    -------
    t1, t2, t3 : float
    """
    eta, D, q = _prepare(etas, D, G)
    A, B = _suffix(eta), _suffix(q)
    S = A[0]
    t3 = 0.5 * float(np.sum(eta[:-1] / A[1:] * B[:-1] / A[:-1]))
    return D ** 2 / (2 * S), B[0] / (2 * S), t3


def last_iterate_bound(etas, D, G):
    """Refined bound on ``E f(x_T) - f*``: the sum of :func:`bound_terms`."""
    return float(sum(bound_terms(etas, D, G)))


def last_iterate_bound_curve(schedule_multipliers, D, G, block=256):
    """The refined bound at every horizon t = 1..T, using the steps ``eta_1..eta_t``.

    ``schedule_multipliers`` are the steps used (multiply by the base first if it is not 1).
    Entry t-1 equals ``last_iterate_bound(eta[:t], D, G[:t])``; each horizon's suffix sums
    are summed directly (O(T^2) work, vectorised over blocks of ``block`` horizons).
    """
    eta, D, q = _prepare(schedule_multipliers, D, G)
    if np.any(eta <= 0):
        raise ValueError("schedule_multipliers: every step must be positive for the bound at every t")
    T, out = eta.size, np.empty(eta.size)
    for lo in range(0, T, block):
        hi = min(T, lo + block)
        mask = np.arange(hi)[None, :] <= np.arange(lo, hi)[:, None]  # row r: horizon t = lo+r+1
        A, B = _suffix(np.where(mask, eta[:hi], 0.0)), _suffix(np.where(mask, q[:hi], 0.0))
        nxt = np.concatenate([A[:, 1:], np.zeros((hi - lo, 1))], axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(mask & (nxt > 0), eta[:hi] / nxt * B / A, 0.0)
        out[lo:hi] = (D ** 2 + B[:, 0]) / (2 * A[:, 0]) + 0.5 * terms.sum(axis=1)
    return out


def optimal_base(multipliers, D, G):
    """Optimal base step for ``eta_t = gamma m_t`` and the resulting bound.

    ``t1`` scales as ``1/gamma`` and ``t2 + t3`` as ``gamma``; at ``gamma = 1``,
    ``gamma* = sqrt(t1/(t2+t3))`` and ``Omega* = 2 sqrt(t1 (t2+t3))``.

    Returns
    -------
    gamma_star, omega_star : float
    """
    t1, t2, t3 = bound_terms(multipliers, D, G)
    return math.sqrt(t1 / (t2 + t3)), 2 * math.sqrt(t1 * (t2 + t3))


def _min_free_weight(objective, scale):
    """Minimise ``objective(w)`` over ``w > 0`` (unimodal in log w here): a log grid then bounded Brent."""
    from scipy.optimize import minimize_scalar

    grid = scale * np.logspace(-8, 8, 161)
    vals = np.array([objective(w) for w in grid])
    i = int(np.argmin(vals))
    lo, hi = np.log(grid[max(i - 1, 0)]), np.log(grid[min(i + 1, grid.size - 1)])
    res = minimize_scalar(lambda z: objective(math.exp(z)), bounds=(lo, hi), method="bounded",
                          options={"xatol": 1e-10})
    return (math.exp(res.x), float(res.fun)) if res.fun <= vals[i] else (float(grid[i]), float(vals[i]))


def bound_after_updates(etas, D, G):
    """Refined bound on ``E f - f*`` at the point made by the updates with steps ``etas`` (length ``T``).

    Theorem 10 of Defazio et al. bounds the paper's ``x_T``, made by ``T - 1`` updates, with a bound in which
    ``eta_T`` (never used) appears.  The point a run of ``T`` updates returns is the paper's ``x_{T+1}``: the
    theorem with horizon ``T + 1``, the steps ``eta_1 .. eta_T`` that were used and a free weight
    ``eta_{T+1} = w > 0``, holds for every ``w``; this returns its minimum over ``w`` (``G`` the same bound
    on ``E||g_t||^2`` at every step, or an array of length ``T + 1``).

    Returns
    -------
    bound, w : float
    """
    eta = as_float_array(etas, "etas", ndim=1)
    G = np.asarray(G, dtype=float)
    if G.ndim == 1 and G.size != eta.size + 1:
        raise ValueError(f"G: expected a scalar or {eta.size + 1} values (one per step and the free weight)")
    return _min_free_weight(lambda w: last_iterate_bound(np.append(eta, w), D, G), float(eta[eta > 0].mean()))[::-1]


def optimal_base_after_updates(multipliers, D, G):
    """Optimal base ``gamma`` of ``eta_t = gamma m_t`` for :func:`bound_after_updates` (the point after the
    ``T = len(multipliers)`` updates).

    With the free weight written ``w = gamma v``, the bound is ``t1(v)/gamma + (t2 + t3)(v) gamma``: for each
    ``v`` the best base is ``sqrt(t1/(t2 + t3))``, with value ``2 sqrt(t1 (t2 + t3))``, minimised over ``v``.

    Returns
    -------
    gamma_star, omega_star : float
    """
    m = as_float_array(multipliers, "multipliers", ndim=1)

    def value(v):
        t1, t2, t3 = bound_terms(np.append(m, v), D, G)
        return 2 * math.sqrt(t1 * (t2 + t3))

    v, omega = _min_free_weight(value, float(m[m > 0].mean()))
    t1, t2, t3 = bound_terms(np.append(m, v), D, G)
    return math.sqrt(t1 / (t2 + t3)), omega


def average_iterate_bound(etas, D, G):
    """Bound for the eta-weighted average iterate: ``(D^2 + sum eta_t^2 G_t^2) / (2 sum eta_t)``."""
    eta, D, q = _prepare(etas, D, G)
    return float((D ** 2 + q.sum()) / (2 * eta.sum()))


def constant_optimal_bound(T, D, G):
    """Tuned constant step (G_t = G): ``Omega* = D G sqrt((1 + H_{T-1})/T)``.

    Returns ``(gamma*, Omega*)`` with ``gamma* = D / (G sqrt(T (1 + H_{T-1})))`` (catalogue 2.1).
    """
    T = as_int(T, "T", minimum=1)
    D, G = as_scalar(D, "D", positive=True), as_scalar(G, "G", positive=True)
    h = 1 + harmonic_number(T - 1)
    return D / (G * math.sqrt(T * h)), D * G * math.sqrt(h / T)


def wsd_optimal_bound(T, T0, D, G):
    """Closed-form upper bound on ``Omega*_T`` for WSD (Schaipp et al. 2025; G_t = G).

    For the schedule of :func:`wsd` with stable length ``T0`` (2 <= T0 < T)::

        Omega*_T <= D G sqrt( 4/(T+T0) * [ 2/3 + (T+2 T0)/(3(T+T0)) + H_{T+T0-2} - H_{T-T0+1}
                              - (T-T0)(T0-1)/(3(T-T0+2)(T+T0)) + 1/(T-T0)^2 + H_{T-T0-1}/(T-T0+1) ] )

    Schaipp et al.'s unit test checks only the inequality.  Measured here: it is not an
    equality (at a 20% cooldown it exceeds the numerical ``Omega*`` of :func:`optimal_base` by
    22-23.5% for T = 1e2..1e5), it held for every 2 <= T0 < T < 300, and it FAILS for T0 = 1
    (down to 0.988 x ``Omega*``), so ``T0 = 1`` is refused.
    """
    T = as_int(T, "T", minimum=2)
    T0 = as_int(T0, "T0", minimum=2)
    if T0 >= T:
        raise ValueError(f"T0: must be below T={T}, got {T0}")
    D, G = as_scalar(D, "D", positive=True), as_scalar(G, "G", positive=True)
    H, n = harmonic_number, T - T0
    bracket = (2 / 3 + (T + 2 * T0) / (3 * (T + T0)) + H(T + T0 - 2) - H(n + 1)
               - n * (T0 - 1) / (3 * (n + 2) * (T + T0)) + 1 / n ** 2 + H(n - 1) / (n + 1))
    return D * G * math.sqrt(4 * bracket / (T + T0))
