"""Theorems of the stochastic gradient methods (catalogue sections 1.1-1.5 and 2.1-2.3).

Expectations are measured exactly where the catalogue gives them (SGD on least squares,
0.4: instances marked ``exact``), otherwise over seeds with a one-sided interval
(mean - 3 standard errors must not exceed the bound).  Bounds tagged [M] are reported but
not asserted: only their slope and scaling are tested.
"""
from __future__ import annotations

from functools import lru_cache, partial

import numpy as np

from .. import problems as P
from .. import schedules as S
from ..methods._sequences import averaging_weights
from ..problems.exact import sgd_least_squares_moments
from ..problems.linear import LinearModel
from . import pep
from .base import Instance, Rate, Theorem, linear, only, power

# --- canonical instances ----------------------------------------------------------------


def _ls_data(interpolating, n=100, d=10, seed=11):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    xbar = rng.standard_normal(d)
    b = A @ xbar + (0.0 if interpolating else 0.5 * rng.standard_normal(n))
    return A, b


def noisy_least_squares(T=None):
    """Least squares (n = 100, d = 10, noise 0.5), single-sample SGD: sigma* > 0."""
    A, b = _ls_data(False)
    return P.finite_sum(P.least_squares(A, b, x0=np.zeros(10), name="noisy_least_squares"), 1)


def interpolating_least_squares(T=None):
    """Least squares with b = A xbar, single-sample SGD: sigma* = 0 (interpolation)."""
    A, b = _ls_data(True)
    return P.finite_sum(P.least_squares(A, b, x0=np.zeros(10), name="interpolating_least_squares"), 1)


def coordinate_least_squares(T=None):
    """Least squares with a_i = sqrt(d) e_{i mod d} (n = 100, d = 10) plus noise 0.5: H = I, L_max = d,
    so K = L_max/mu = 10 and the switching schedule leaves its constant phase at 4K = 40 steps,
    before the rate-fit window."""
    n, d = 100, 10
    A = np.zeros((n, d))
    A[np.arange(n), np.arange(n) % d] = np.sqrt(d)
    rng = np.random.default_rng(12)
    b = A @ rng.standard_normal(d) + 0.5 * rng.standard_normal(n)
    return P.finite_sum(P.least_squares(A, b, x0=np.zeros(d), name="coordinate_least_squares"), 1)


def logistic_sgd(T=None):
    """Breast cancer logistic regression (lam = 0.01), single-sample SGD."""
    return P.finite_sum(P.breast_cancer(lam=1e-2), 1)


NOISE = 0.3


def l1_ball_noise(T=None):
    """||x - c||_1 on the ball of radius 2 (d = 20), subgradient + N(0, 0.3^2 I) noise."""
    c = np.random.default_rng(6).uniform(-1, 1, 20) * 0.3
    return P.additive_noise(P.l1_distance(c, radius=2.0, x0=np.full(20, 0.3)), noise_std=NOISE)


def l1_noise(T=None):
    """||x - c||_1 unconstrained (d = 20), subgradient + N(0, 0.3^2 I) noise."""
    c = np.random.default_rng(6).uniform(-1, 1, 20) * 0.3
    return P.additive_noise(P.l1_distance(c, x0=np.full(20, 0.3), name="l1_distance"), noise_std=NOISE)


def max_affine_box_noise(T=None):
    """max_i (a_i^T x + b_i) on the box [-1, 1]^10 (40 pieces), subgradient + noise."""
    rng = np.random.default_rng(7)
    A = rng.standard_normal((40, 10))
    prob = P.max_affine(A, rng.standard_normal(40), box=(-np.ones(10), np.ones(10)), x0=np.full(10, 0.5))
    return P.additive_noise(prob, noise_std=NOISE)


def hinge_samples(T=None):
    """Hinge loss on the unit ball (n = 80, d = 10), single-sample stochastic subgradients."""
    rng = np.random.default_rng(8)
    A = rng.standard_normal((80, 10))
    y = np.sign(A @ rng.standard_normal(10) + 0.5 * rng.standard_normal(80))
    y[y == 0] = 1.0
    return P.finite_sum(P.hinge(A, y, radius=1.0), 1)


MU_SC, R_SC = 1.0, 1.0


def strongly_convex_l1_ball(T=None):
    """Catalogue 1.2: (mu/2)||x||^2 + ||x||_1 on the ball of radius 1 (d = 10), x* = 0, plus noise."""
    d = 10
    prob = LinearModel(np.eye(d), np.zeros(d), loss="absolute", weight=1.0, l2=MU_SC, regularizer=P.Ball(R_SC),
                       x0=np.full(d, 0.3), x_star=np.zeros(d), f_star=0.0, name="strongly_convex_l1_ball")
    return P.additive_noise(prob, noise_std=NOISE)


def schaipp_toy(T=None):
    """Schaipp et al.'s convex toy: max_i |x_i^T w - y_i|, n = 20, d = 2, y = X w0, plus noise."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (20, 2))
    w0 = rng.standard_normal(2)
    w0 = 5 * w0 / np.linalg.norm(w0)
    prob = LinearModel(X, X @ w0, loss="absolute", reduce="max", weight=1.0, x0=np.zeros(2), x_star=w0,
                       f_star=0.0, name="schaipp_toy")
    return P.additive_noise(prob, noise_std=NOISE)


def lasso_samples(T=None):
    """Certified lasso (n = 200, d = 20, lam = 0.1; mu > 0), single-sample proximal SGD."""
    return P.finite_sum(P.lasso_certified(200, 20, 0.1, seed=3), 1)


def simplex_ls_samples(T=None):
    """Least squares on the simplex (n = 100, d = 20), single-sample projected SGD."""
    from .gradient import simplex_least_squares

    return P.finite_sum(simplex_least_squares(), 1)


def lasso_noise(T=None):
    """Certified lasso (n = 200, d = 20, lam = 0.1) with full gradients plus N(0, 0.3^2 I) noise (bounded variance)."""
    return P.additive_noise(P.lasso_certified(200, 20, 0.1, seed=3), noise_std=NOISE)


def simplex_ls_noise(T=None):
    """Least squares on the simplex with full gradients plus N(0, 0.3^2 I) noise."""
    from .gradient import simplex_least_squares

    return P.additive_noise(simplex_least_squares(), noise_std=NOISE)


def box_interpolating_ls(T=None):
    """Interpolating least squares on a box whose interior holds x*: sigma_F* = 0."""
    A, b = _ls_data(True)
    xs = np.linalg.lstsq(A, b, rcond=None)[0]
    box = P.Box(xs - 5.0, xs + 5.0)
    return P.finite_sum(P.least_squares(A, b, constraint=box, x0=np.clip(np.zeros(10), box.lo, box.hi),
                                        name="box_interpolating_ls"), 1)


def harvey_deterministic(T):
    """Harvey et al. (2019) lower-bound instance for horizon T, exact subgradients (no noise)."""
    return P.additive_noise(P.harvey_lipschitz(T), noise_std=0.0)


def noisy_quadratic(T=None):
    """(1/2)||x - x*||^2 in R^10 (D0 = 1) with sphere noise of radius 2: B^2 = G^2 + 4 = 8 (G = lam max(D0, 2/lam)
    = 2), half of it noise; the expectation is exact (pyoptheory.problems.last_iterate.noisy_quadratic_gap)."""
    from ..problems.last_iterate import bounded_noise_quadratic

    return bounded_noise_quadratic(10, lam=1.0, noise=2.0, D0=1.0, seed=13)


def exact_last_iterate(problem, p, horizons):
    """Exact E f(x_T) - f* of SGD with the run's schedule on the bounded-noise quadratic."""
    from ..problems.last_iterate import noisy_quadratic_gap

    return [noisy_quadratic_gap(problem, p["schedule"][:T] if len(horizons) == 1 else p["etas"](T))
            for T in horizons]


def noisy_quadratic_ball(T=None):
    """The bounded-noise quadratic (mu = 1, noise of radius 2, D0 = 1) posed on the ball of radius 2 around x*,
    which holds every iterate (the projection never acts): the expectation of the t-weighted average is exact."""
    from ..problems.last_iterate import bounded_noise_quadratic

    return bounded_noise_quadratic(10, lam=1.0, noise=2.0, D0=1.0, seed=13, constrained=True)


def exact_lsb(problem, p, horizons):
    """Exact E f(xbar_k) - f* of the t-weighted average (weights j + 1 on x_0..x_k), one recursion."""
    from ..problems.last_iterate import noisy_quadratic_moments

    T = max(horizons)
    m = noisy_quadratic_moments(problem, np.asarray(p["schedule"])[:T], weights=averaging_weights("t_weighted", T))
    return [m["gap_avg"][t] for t in horizons]


# --- exact expectations (catalogue 0.4) ------------------------------------------------------


def exact_average_gap(problem, p, horizons):
    """E f(xbar_T) - f*, xbar_T the uniform average of x_s..x_{s+T-1} (``s = p["average_from"]``, default 0), one
    exact recursion per horizon."""
    out = []
    s = int(p.get("average_from", 0))
    for T in horizons:
        etas = np.full(T, p["step"])
        m = sgd_least_squares_moments(problem, etas, weights=averaging_weights("uniform", T, average_from=s))
        out.append(m["gap_avg"][T - 1 + s] if T > 0 else m["gap"][0])
    return out


def exact_dist2(problem, p, horizons):
    """E||x_t - x*||^2 at each horizon, one exact recursion to the largest."""
    T = max(horizons)
    m = sgd_least_squares_moments(problem, np.asarray(p["etas"](T)))
    return [m["dist2"][t] for t in horizons]


# --- bounds -----------------------------------------------------------------------------------


def weighted_average_bound(T, c, p):
    """Catalogue 1.1: (D0^2 + B^2 sum gamma_t^2)/(2 sum gamma_t) for the step-weighted average."""
    g = p["gammas"](T)
    return (c.D0**2 + c.B2 * np.sum(g**2)) / (2 * np.sum(g))


def lsb_bound(T, c, p):
    """Catalogue 1.2: 2 B^2/(mu (k+1)) with k = T+1 averaged iterates x_0..x_T."""
    return 2 * c.B2 / (c.mu * (T + 2))


def smooth_average_bound(T, c, p):
    """Catalogue 1.3: D0^2/(2 gamma (1 - 2 gamma L_max) T) + gamma sigma*/(1 - 2 gamma L_max)."""
    g, q = p["step"], 1 - 2 * p["step"] * c.L_max
    return np.inf if T == 0 else c.D0**2 / (2 * g * q * T) + g * c.sigma2_star / q


def strongly_convex_bound(T, c, p):
    """Catalogue 1.4 and 1.5: (1 - gamma mu)^T D0^2 + 2 gamma sigma*/mu."""
    g = p["step"]
    return (1 - g * c.mu) ** T * c.D0**2 + 2 * g * c.sigma2_star / c.mu


def switching_bound(T, c, p):
    """Catalogue 1.4 [M]: 16 ceil(K)^2 D0^2/(e^2 T^2) + 8 sigma*/(mu^2 T) for T >= 4 ceil(K)."""
    K = np.ceil(c.L_max / c.mu)
    return np.inf if T < 4 * K else 16 * K**2 * c.D0**2 / (np.e**2 * T**2) + 8 * c.sigma2_star / (c.mu**2 * T)


def prox_convex_bound(T, c, p):
    """Catalogue 1.5 (convex): (D0^2 + 8 g^2 L_max (F(x0) - F*))/(2 g (1 - 4 g L_max) T) + 2 g sigma_F*/(1 - 4 g L_max)."""
    g, q = p["step"], 1 - 4 * p["step"] * c.L_max
    if T == 0:
        return np.inf
    return (c.D0**2 + 8 * g**2 * c.L_max * p["F0_gap"]) / (2 * g * q * T) + 2 * g * c.sigma2_star / q


def refined_bound(T, c, p):
    """Catalogue 2.1 (Defazio et al. 2023, Thm 10) for the point made by the ``T`` updates with ``eta_1 .. eta_T``
    (the paper's ``x_{T+1}``): the theorem at horizon ``T + 1`` with the free weight ``eta_{T+1}`` minimised
    over (:func:`pyoptheory.schedules.bound_after_updates`)."""
    etas = p["etas"]
    if isinstance(etas, partial) and etas.func is _scaled:  # a schedule at a base: cached by its description
        return _cached_bound(*etas.args, int(T), float(c.D0), float(np.sqrt(c.B2)))
    return S.bound_after_updates(etas(T), c.D0, np.sqrt(c.B2))[0]


@lru_cache(maxsize=4096)
def _cached_bound(kind, gamma, T, D0, G):
    return S.bound_after_updates(_scaled(kind, gamma, T), D0, G)[0]


@lru_cache(maxsize=4096)
def _optimal_base(kind, T, D0, G):
    return S.optimal_base_after_updates(_multipliers(kind, T), D0, G)[0]


def shamir_zhang_bound(T, c, p):
    """Catalogue 2.2 [M]: (D^2/c + c G^2)(2 + ln T)/sqrt(T) for eta_t = c/sqrt(t)."""
    return np.inf if T == 0 else (c.D**2 / p["c"] + p["c"] * c.B2) * (2 + np.log(T)) / np.sqrt(T)


def shamir_zhang_sc_bound(T, c, p):
    """Catalogue 2.2 [M]: 17 G^2 (1 + ln T)/(lambda T) for eta_t = 1/(lambda t)."""
    return np.inf if T == 0 else 17 * c.B2 * (1 + np.log(T)) / (c.mu * T)


def suffix_shape(T, c, p):
    """Rakhlin, Shamir & Sridharan (2012) [M], order only: G^2/(mu T) (constant 1)."""
    return np.inf if T == 0 else c.B2 / (c.mu * T)


def liu_zhou_shape(T, c, p):
    """Catalogue 2.3 [M], orders only: L D^2/T + (D^2/eta + eta sigma^2) log T/sqrt(T) (constant 1)."""
    if T <= 1:
        return np.inf
    eta = p["eta"]
    return c.L * c.D0**2 / T + (c.D0**2 / eta + eta * c.sigma2_star) * np.log(T) / np.sqrt(T)


def one_step_bound(mu, L, gamma, v, R):
    """One SGD step, every f_i mu-strongly convex and L-smooth, ``v^2 >= E||grad f_i(x*)||^2``,
    ``R = ||x0 - x*||`` [V:PEPit] (catalogue 1.4):
    ``E||x1 - x*||^2 <= (gamma R (L - mu)/2 + sqrt((1 - gamma (L + mu)/2)^2 R^2 + gamma^2 v^2))^2``;
    PEPit's docstring value for (0.1, 1, 0.7, 1, 2) is 4.183."""
    return (gamma * R * (L - mu) / 2 + np.sqrt((1 - gamma * (L + mu) / 2) ** 2 * R**2 + gamma**2 * v**2)) ** 2


# --- prescribed parameters ----------------------------------------------------------------------


def _const(gamma, T):
    return np.full(max(T, 1), gamma)


def _sqrt_steps(gamma, T):
    return gamma / np.sqrt(np.arange(1, max(T, 1) + 1))


def params_11a(problem, c, T):
    """Prescribed: constant step D0/(B sqrt(T)); step-weighted average of x_0..x_{T-1}."""
    gamma = c.D0 / np.sqrt(c.B2 * max(T, 1))
    return {"schedule": np.full(T, gamma), "output": "step_weighted", "gammas": partial(_const, gamma)}


def params_11b(problem, c, T):
    """Prescribed: gamma_t = D0/(B sqrt(t+1)); step-weighted average."""
    gamma = c.D0 / np.sqrt(c.B2)
    return {"schedule": _sqrt_steps(gamma, T)[:T], "output": "step_weighted", "gammas": partial(_sqrt_steps, gamma)}


def _lsb_steps(mu, T):
    return 2.0 / (mu * (np.arange(T) + 2.0))


def params_lsb(problem, c, T):
    """Prescribed: gamma_t = 2/(mu (t+1)) (1-indexed); t-weighted average."""
    return {"schedule": _lsb_steps(c.mu, T), "output": "t_weighted"}


def params_13(problem, c, T):
    """Prescribed: gamma = min(1/(4 L_max), D0/sqrt(2 sigma* T)); uniform average of x_0..x_{T-1}."""
    tuned = c.D0 / np.sqrt(2 * c.sigma2_star * max(T, 1)) if c.sigma2_star > 0 else np.inf
    step = min(1 / (4 * c.L_max), tuned)
    return {"step": step, "output": "uniform"}


def params_14(problem, c, T):
    """Prescribed: gamma = 1/(2 L_max), constant."""
    step = 1 / (2 * c.L_max)
    return {"step": step, "etas": partial(_const, step)}


def params_switching(problem, c, T):
    """Prescribed: 1/(2 L_max) for 4 ceil(L_max/mu) steps, then (2k+1)/((k+1)^2 mu)."""
    sched = S.switching(c.L_max, c.mu)
    return {"schedule": sched.steps(T), "etas": sched.steps}


def params_15_convex(problem, c, T):
    """Prescribed: gamma = min(1/(8 L_max), D0/sqrt(2 sigma_F* T)); uniform average of x_1..x_T."""
    tuned = c.D0 / np.sqrt(2 * c.sigma2_star * max(T, 1)) if c.sigma2_star > 0 else np.inf
    step = min(1 / (8 * c.L_max), tuned)
    return {"step": step, "output": "uniform", "average_from": 1,
            "F0_gap": problem.objective(problem.x0) - problem.f_star}


def params_refined(kind, problem, c, T):
    """Prescribed: the schedule at the base gamma* that minimises the bound on the point after T updates
    (catalogue 2.1; :func:`pyoptheory.schedules.optimal_base_after_updates`)."""
    gamma = _optimal_base(kind, int(T), float(c.D0), float(np.sqrt(c.B2)))
    return {"schedule": gamma * _multipliers(kind, T), "etas": partial(_scaled, kind, gamma)}


def _multipliers(kind, T):
    T = max(T, 1)
    return {"constant": S.constant(1.0), "linear_decay": S.linear_decay(1.0, T), "cosine": S.cosine(1.0, T),
            "wsd": S.wsd(1.0, T)}[kind].steps(T)


def _scaled(kind, gamma, T):
    return gamma * _multipliers(kind, T)


def params_shamir_zhang(problem, c, T):
    """Prescribed: eta_t = c/sqrt(t), c = D/(2G)."""
    cc = c.D / (2 * np.sqrt(c.B2))
    return {"schedule": _sqrt_steps(cc, T)[:T], "c": cc}


def params_shamir_zhang_sc(problem, c, T):
    """Prescribed: eta_t = 1/(lambda t)."""
    return {"schedule": 1.0 / (c.mu * np.arange(1, T + 1))}


def params_suffix(problem, c, T):
    """Prescribed: eta_t = 1/(mu t); average of the last half of the iterates."""
    return {"schedule": 1.0 / (c.mu * np.arange(1, T + 1)), "output": "suffix"}


def params_liu_zhou(problem, c, T):
    """Prescribed: eta_t = min(1/(2L), eta/sqrt(T)), eta = D0/sigma."""
    eta = c.D0 / np.sqrt(max(c.sigma2_star, 1e-300))
    step = min(1 / (2 * c.L), eta / np.sqrt(max(T, 1)))
    return {"schedule": np.full(T, step), "eta": eta}



_SUBGRAD = dict(horizons_quick=(2, 3, 5, 8, 13, 20, 32, 50, 80, 130, 200, 320, 500, 800, 1300, 2000, 3200, 5000,
                                10000))
_NOISE_FLOOR = ("the bound tends to its noise floor 2 gamma sigma*/mu, which the expected distance approaches "
                "from below: the bound is asserted at every horizon, the linear rate only where sigma* = 0")

THEOREMS = [
    Theorem(
        id="sgd.subgradient.convex", method="projected_sgd",
        assumptions=("f convex on C", "E||g||^2 <= B^2", "constant step D0/(B sqrt T)"), quantity="gap_avg",
        statement="E f(xbar_T) - f* <= (D0^2 + B^2 sum gamma_t^2)/(2 sum gamma_t) = D0 B/sqrt(T)",
        bound=weighted_average_bound, params=params_11a, options=only("schedule", "output"), rate=power(-0.5),
        tight=False, confirmed="D", horizon_dependent=True, stochastic=True,
        source="catalogue 1.1 (a), derived there; Garrigos & Gower, Handbook (2024)",
        pepit="subgradient.average.x1",
        instances=(*pep.step_family("subgradient.average", stochastic=True, constrained=True),
                   Instance("l1_ball_noise", l1_ball_noise), Instance("max_affine_box_noise", max_affine_box_noise),
                   Instance("hinge_samples", hinge_samples)), **_SUBGRAD),
    Theorem(
        id="sgd.subgradient.convex.sqrt", method="projected_sgd",
        assumptions=("f convex on C", "E||g||^2 <= B^2", "gamma_t = D0/(B sqrt(t+1))"), quantity="gap_avg",
        statement="E f(xbar_T) - f* <= (D0^2 + B^2 sum gamma_t^2)/(2 sum gamma_t) <= D0 B (2 + ln T)/(4(sqrt(T+1) - 1))",
        bound=weighted_average_bound, params=params_11b, options=only("schedule", "output"), rate=Rate("bound", 1.0),
        tight=False, confirmed="D", horizon_dependent=True, stochastic=True,
        source="catalogue 1.1 (b), derived there; Garrigos & Gower, Handbook (2024)",
        pepit="subgradient.sqrt.x1",
        instances=(*pep.step_family("subgradient.sqrt", stochastic=True, constrained=True),
                   Instance("l1_ball_noise", l1_ball_noise), Instance("hinge_samples", hinge_samples)), **_SUBGRAD),
    Theorem(
        id="sgd.strongly_convex.lsb", method="projected_sgd",
        assumptions=("f mu-strongly convex on bounded C", "E||g||^2 <= B^2", "gamma_t = 2/(mu(t+1))"),
        quantity="gap_avg", statement="E f(xbar_k) - f* <= 2 B^2/(mu (k+1)), xbar_k = 2/(k(k+1)) sum_{t<=k} t x_t",
        bound=lsb_bound, params=params_lsb, options=only("schedule", "output"), rate=power(-1.0), tight=False,
        confirmed="D", stochastic=True, exact=exact_lsb,
        source="Lacoste-Julien, Schmidt & Bach (2012); catalogue 1.2, derived there",
        instances=(Instance("strongly_convex_l1_ball", strongly_convex_l1_ball),
                   Instance("noisy_quadratic_ball", noisy_quadratic_ball, exact=True,
                            note="the expectation of the t-weighted average is exact (the ball never acts)"))),
    Theorem(
        id="sgd.smooth.average", method="sgd",
        assumptions=("f_i convex, L_max-smooth", "gamma = min(1/(4 L_max), D0/sqrt(2 sigma* T))"), quantity="gap_avg",
        statement="E f(xbar_T) - f* <= D0^2/(2 gamma (1 - 2 gamma L_max) T) + gamma sigma*/(1 - 2 gamma L_max)",
        bound=smooth_average_bound, params=params_13, options=only("step", "output"), rate=Rate("bound", 1.0),
        tight=False, confirmed="D", horizon_dependent=True, stochastic=True, exact=exact_average_gap,
        source="catalogue 1.3 (variance transfer), derived there; Garrigos & Gower, Handbook (2024)",
        instances=(Instance("noisy_least_squares", noisy_least_squares, exact=True),
                   Instance("interpolating_least_squares", interpolating_least_squares, exact=True),
                   Instance("breast_cancer_logistic", logistic_sgd, check_rate=False,
                            note="bound-only: pre-asymptotic for T <= 1e4 (measured/bound rises from 0.02 to 0.09 "
                                 "until T ~ 6400, then falls; the full grid's slope is faster than predicted); the rate "
                                 "is asserted on the two exact least-squares instances"))),
    Theorem(
        id="sgd.strongly_convex.constant", method="sgd",
        assumptions=("f_i convex L_max-smooth", "f mu-strongly convex", "gamma = 1/(2 L_max)"), quantity="dist2",
        statement="E||x_T - x*||^2 <= (1 - gamma mu)^T ||x0 - x*||^2 + 2 gamma sigma*/mu",
        bound=strongly_convex_bound, params=params_14, options=only("step"),
        rate=linear(lambda c, p: 1 - p["step"] * c.mu), tight=False, confirmed="D", stochastic=True,
        exact=exact_dist2, source="catalogue 1.4, derived there; Gower et al. (2019)",
        instances=(Instance("interpolating_least_squares", interpolating_least_squares, exact=True),
                   Instance("noisy_least_squares", noisy_least_squares, exact=True, check_rate=False,
                            note=_NOISE_FLOOR))),
    Theorem(
        id="sgd.strongly_convex.switching", method="sgd",
        assumptions=("f_i convex L_max-smooth", "f mu-strongly convex", "switching steps"), quantity="dist2",
        statement="E||x_T - x*||^2 <= 16 ceil(K)^2 D0^2/(e^2 T^2) + 8 sigma*/(mu^2 T), K = L_max/mu, T >= 4 ceil(K)",
        bound=switching_bound, params=params_switching, options=only("schedule"), rate=power(-1.0), tight=True,
        confirmed="M", stochastic=True, exact=exact_dist2,
        source="Gower et al. (2019), SGD: general analysis and improved rates, Thm 3.2 (recalled; catalogue 1.4 [M])",
        instances=(Instance("coordinate_least_squares", coordinate_least_squares, exact=True, tight=True),)),
    Theorem(
        id="proximal_sgd.strongly_convex", method="proximal_sgd",
        assumptions=("f_i convex L_max-smooth", "f mu-strongly convex", "g with prox", "gamma = 1/(2 L_max)"),
        quantity="dist2", statement="E||x_T - x*||^2 <= (1 - gamma mu)^T ||x0 - x*||^2 + 2 gamma sigma_F*/mu",
        bound=strongly_convex_bound, params=params_14, options=only("step"),
        rate=linear(lambda c, p: 1 - p["step"] * c.mu), tight=False, confirmed="D", stochastic=True,
        source="catalogue 1.5 (strongly convex), derived there",
        exact=exact_dist2,
        instances=(Instance("box_interpolating_ls", box_interpolating_ls),
                   Instance("lasso_samples", lasso_samples, check_rate=False, note=_NOISE_FLOOR),
                   Instance("interpolating_least_squares", interpolating_least_squares, exact=True,
                            note="g = 0: proximal SGD is SGD, whose expectation is exact (catalogue 0.4)"),
                   Instance("noisy_least_squares", noisy_least_squares, exact=True, check_rate=False,
                            note="g = 0, exact expectation; " + _NOISE_FLOOR))),
    Theorem(
        id="proximal_sgd.convex", method="proximal_sgd",
        assumptions=("f_i convex L_max-smooth", "g with prox", "gamma < 1/(4 L_max)", "average of x_1..x_T"),
        quantity="gap_avg",
        statement="E F(xbar_T) - F* <= (D0^2 + 8 g^2 L_max (F(x0) - F*))/(2 g (1 - 4 g L_max) T) + 2 g sigma_F*/(1 - 4 g L_max)",
        bound=prox_convex_bound, params=params_15_convex, options=only("step", "output", "average_from"),
        rate=Rate("bound", 1.0), tight=False, confirmed="D", horizon_dependent=True, stochastic=True,
        source="catalogue 1.5 (convex), derived there",
        exact=exact_average_gap,
        instances=(Instance("noisy_least_squares", noisy_least_squares, exact=True,
                            note="g = 0: proximal SGD is SGD, whose expectation is exact (catalogue 0.4)"),
                   Instance("lasso_samples", lasso_samples), Instance("simplex_ls_samples", simplex_ls_samples))),
    *[Theorem(
        id=f"sgd.last_iterate.{kind}", method="sgd",
        assumptions=("f convex (nonsmooth allowed)", "E||g_t||^2 <= G^2", f"{kind} schedule at its optimal base"),
        quantity="gap",
        statement="E f(x_{T+1}) - f* <= min_{w > 0} [D^2/(2 sum eta) + sum eta^2 G^2/(2 sum eta) + (1/2) sum_k "
                  "eta_k/(sum_{t>k} eta_t) (sum_{t>=k} eta_t^2 G^2/sum_{t>=k} eta_t)] over eta_1..eta_T, eta_{T+1} = w "
                  "(x_{T+1} the point the T updates make)",
        bound=refined_bound, params=partial(params_refined, kind), options=only("schedule"),
        rate=Rate("bound", 1.0), tight=False, confirmed="V:sched", horizon_dependent=True, stochastic=True,
        source="Defazio, Cutkosky, Mehta & Mishchenko (2023), When, Why and How Much?, Theorem 10; "
               "Schaipp et al. (2025); catalogue 2.1",
        pepit=f"last_iterate.{kind}.x1", exact=exact_last_iterate,
        instances=(pep.instance(f"last_iterate.{kind}.x1", stochastic=True),
                   *((pep.instance("last_iterate.constant.x1", "pepit_worst_case_constant_schedule", reach=False,
                                   stochastic=True),) if kind != "constant" else ()),
                   Instance("bounded_noise_quadratic", noisy_quadratic, exact=True,
                            note="the expectation is exact; half of B^2 is noise"),
                   pep.instance(f"last_iterate.{kind}.x2", "pepit_worst_case_base_x2", reach=False, stochastic=True),
                   pep.instance(f"last_iterate.{kind}.x4", "pepit_worst_case_base_x4", reach=False, stochastic=True),
                   Instance("l1_noise", l1_noise), Instance("schaipp_toy", schaipp_toy)), **_SUBGRAD)
      for kind in ("constant", "linear_decay", "cosine", "wsd")],
    Theorem(
        id="sgd.last_iterate.shamir_zhang", method="projected_sgd",
        assumptions=("f convex on C of diameter D", "E||g||^2 <= G^2", "eta_t = c/sqrt(t)"), quantity="gap",
        statement="E f(x_T) - f* <= (D^2/c + c G^2)(2 + ln T)/sqrt(T)",
        bound=shamir_zhang_bound, params=params_shamir_zhang, options=only("schedule"), rate=Rate("bound", 1.0),
        tight=True, confirmed="M", horizon_dependent=True, stochastic=True,
        source="Shamir & Zhang (2013), Thm 2 (recalled; catalogue 2.2 [M]); lower bound: Harvey, Liaw, Plan & "
               "Randhawa (2019)",
        instances=(Instance("harvey_lipschitz", harvey_deterministic, per_horizon=True, tight=True,
                            deterministic=True),
                   Instance("l1_ball_noise", l1_ball_noise)),
        horizons_quick=(2, 3, 5, 8, 13, 20, 32, 50, 80, 130, 200, 320, 500, 800, 1300, 2000, 3200, 5000),
        # the Harvey instance has dimension T and O(T) oracles on the NumPy path: O(T^2) per horizon
        horizons_full=tuple(int(v) for v in np.unique(np.round(np.geomspace(2, 2e4, 24))))),
    Theorem(
        id="sgd.last_iterate.shamir_zhang.strongly_convex", method="projected_sgd",
        assumptions=("f lambda-strongly convex on C", "E||g||^2 <= G^2", "eta_t = 1/(lambda t)"), quantity="gap",
        statement="E f(x_T) - f* <= 17 G^2 (1 + ln T)/(lambda T)",
        bound=shamir_zhang_sc_bound, params=params_shamir_zhang_sc, options=only("schedule"),
        rate=Rate("bound", 1.0), tight=False, confirmed="M", stochastic=True,
        source="Shamir & Zhang (2013), Thm 1 (recalled; catalogue 2.2 [M])",
        instances=(Instance("strongly_convex_l1_ball", strongly_convex_l1_ball),)),
    Theorem(
        id="sgd.strongly_convex.suffix", method="projected_sgd",
        assumptions=("f mu-strongly convex on C", "E||g||^2 <= G^2", "eta_t = 1/(mu t)", "average of the last T/2"),
        quantity="gap_avg", statement="E f(xbar_suffix) - f* = O(G^2/(mu T)) (order recalled; constant unknown)",
        bound=suffix_shape, params=params_suffix, options=only("schedule", "output"), rate=power(-1.0), tight=False,
        confirmed="M", stochastic=True, horizon_dependent=True,
        source="Rakhlin, Shamir & Sridharan (2012), Making gradient descent optimal for strongly convex stochastic "
               "optimization (suffix averaging; recalled, catalogue 1.2 [M])",
        instances=(Instance("strongly_convex_l1_ball", strongly_convex_l1_ball),), **_SUBGRAD),
    Theorem(
        id="proximal_sgd.last_iterate.liu_zhou", method="proximal_sgd",
        assumptions=("F = f + h, f convex L-smooth", "E||g - grad f||^2 <= sigma^2", "eta_t = min(1/(2L), eta/sqrt(T))"),
        quantity="gap", statement="E F(x_{T+1}) - F* = O(L D^2/T + (D^2/eta + eta sigma^2) log T/sqrt(T)) "
                                  "(orders only; constants unknown)",
        bound=liu_zhou_shape, params=params_liu_zhou, options=only("schedule"), rate=Rate("bound", 1.0), tight=False,
        confirmed="M", horizon_dependent=True, stochastic=True,
        source="Liu & Zhou (ICLR 2024), Revisiting the last-iterate convergence of stochastic gradient methods "
               "(orders recalled; catalogue 2.3 [M])",
        instances=(Instance("lasso_noise", lasso_noise), Instance("simplex_ls_noise", simplex_ls_noise)),
        **_SUBGRAD),
]
