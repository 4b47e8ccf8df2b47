r"""Theorems of the deterministic first-order methods (catalogue sections 1.1 and 1.6).

``proximal_gd.convex`` and ``projected_gd.convex`` (Beck & Teboulle 2009, Theorem 3.1), derived here: for
``x+ = prox_{t g}(x - t grad f(x))`` with ``t <= 1/L``, the descent lemma and the prox inequality give, for every
``u``, ``F(x+) <= F(u) + (1/(2t))(||x - u||^2 - ||x+ - u||^2)`` (the three-point inequality); with ``u = x*`` and
summed over ``k < T`` it telescopes to ``sum_k (F(x_{k+1}) - F*) <= ||x0 - x*||^2/(2t)``, and with ``u = x_k``
it shows ``F(x_k)`` nonincreasing, so ``F(x_T) - F* <= ||x0 - x*||^2/(2 t T)`` (``t = 1/L``: ``L D0^2/(2T)``).
``gd_armijo.convex``: the same with the accepted ``t_k``, which the search keeps ``>= min(t_0, 1/(eta L))``
(it stops once ``t <= 1/L``), hence ``L_eff = max(eta L, 1/t_0)``.  PEPit's worst cases (``pep``) are exactly half
of the first two bounds: ``L D0^2/(4T)``.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import problems as P
from . import pep
from .base import Instance, Rate, Theorem, linear, only, power

# --- canonical instances -------------------------------------------------------------
HUBER_L, HUBER_R = 3.0, 1.0


def huber_instance(T):
    return P.huber_worst_case(HUBER_L, HUBER_R, T)


def random_quadratic(T=None):
    """d = 200, spectrum L (i/(d-1))^2 (dense near 0, so GD is sublinear over many decades), random basis."""
    d = 200
    return P.quadratic(d, spectrum=(np.arange(d) / (d - 1)) ** 2, seed=1, name="random_quadratic")


def diabetes(T=None):
    return P.diabetes()


def breast_cancer(T=None):
    return P.breast_cancer(lam=1e-2)


def gd_quadratic_instance(T):
    return P.gd_quadratic_worst_case(1.0, 0.0, 1.0, T)


def prox_grad_instance(T=None):
    return P.prox_grad_worst_case(1.0, 0.1, 1.0)


def lasso_instance(T=None):
    return P.lasso_certified(200, 50, 0.1, seed=3)


def simplex_least_squares(T=None):
    rng = np.random.default_rng(4)
    A = rng.standard_normal((100, 20))
    b = A @ rng.dirichlet(np.ones(20)) + 0.1 * rng.standard_normal(100)
    return P.least_squares(A, b, constraint=P.Simplex(1.0), x0=np.full(20, 1 / 20), name="simplex_least_squares")


def ball_least_squares(T=None):
    rng = np.random.default_rng(5)
    A = rng.standard_normal((60, 30))
    b = A @ (2.0 * np.ones(30)) + rng.standard_normal(60)
    return P.least_squares(A, b, constraint=P.Ball(1.0), name="ball_least_squares")


def diabetes_lasso(T=None):
    from ..problems.catalog import _standardize
    from sklearn.datasets import load_diabetes

    data = load_diabetes()
    y = (data.target - data.target.mean()) / data.target.std()
    return P.lasso(_standardize(data.data), y, 0.05, name="diabetes_lasso")


SUBGRAD_M, SUBGRAD_R = 2.0, 1.0


def subgradient_instance(T):
    return P.subgradient_worst_case(SUBGRAD_M, SUBGRAD_R, T)


def l1_ball(T=None):
    c = np.random.default_rng(6).uniform(-1, 1, 20) * 0.3
    return P.l1_distance(c, radius=2.0, x0=np.full(20, 0.3))


def random_max_affine(T=None):
    rng = np.random.default_rng(7)
    A = rng.standard_normal((40, 10))
    return P.max_affine(A, rng.standard_normal(40), x0=np.ones(10))


def hinge_ball(T=None):
    rng = np.random.default_rng(8)
    A = rng.standard_normal((80, 10))
    y = np.sign(A @ rng.standard_normal(10) + 0.5 * rng.standard_normal(80))
    y[y == 0] = 1.0
    return P.hinge(A, y, radius=1.0)


# --- bounds (written once, shared by the theorems that use them) --------------------------------
def gd_convex_bound(T, c, p):
    """Tight bound of GD on convex L-smooth f, step <= 1/L: L D0^2/(4 T L step + 2)."""
    return c.L * c.D0**2 / (4 * T * c.L * p["step"] + 2)


def gd_quadratic_bound(T, c, p):
    """(L/2) max(alpha (1 - alpha L step)^{2T}, (1 - L step)^{2T}) D0^2, alpha = proj_[mu/L,1](1/(L step (2T+1)))."""
    Lg = c.L * p["step"]
    alpha = min(max(1.0 / (Lg * (2 * T + 1)), c.mu / c.L), 1.0)
    return 0.5 * c.L * max(alpha * (1 - alpha * Lg) ** (2 * T), (1 - Lg) ** (2 * T)) * c.D0**2


def prox_grad_contraction(c, p):
    return max((1 - c.L * p["step"]) ** 2, (1 - c.mu * p["step"]) ** 2)


def prox_grad_sc_bound(T, c, p):
    """||x_T - x*||^2 <= max((1 - L step)^2, (1 - mu step)^2)^T D0^2."""
    return prox_grad_contraction(c, p) ** T * c.D0**2


def prox_grad_convex_bound(T, c, p):
    """Beck & Teboulle (2009), Thm 3.1: F(x_T) - F* <= L_eff D0^2/(2T) (L_eff = L for step 1/L)."""
    return np.inf if T == 0 else p["L_eff"] * c.D0**2 / (2 * T)


def subgradient_best_bound(T, c, p):
    """min_{t<=T} f(x_t) - f* <= G D0/sqrt(T+1) with the constant step D0/(G sqrt(T+1))."""
    return c.G * c.D0 / np.sqrt(T + 1)


def weighted_average_bound(T, c, p):
    """Catalogue 1.1: f(xbar_T) - f* <= (D0^2 + G^2 sum_{t<T} gamma_t^2)/(2 sum_{t<T} gamma_t)."""
    g = p["gammas"](T)
    return (c.D0**2 + c.G**2 * np.sum(g**2)) / (2 * np.sum(g))


# --- prescribed parameters ------------------------------------------------------------
def step_one_over_L(problem, c, T):
    """Prescribed: step = 1/L."""
    return {"step": 1.0 / c.L, "L_eff": c.L}


def armijo_params(problem, c, T):
    """Prescribed: backtracking from step 1 with factor eta = 2 (L_eff = max(eta L, 1/step))."""
    step0, eta = 1.0, 2.0
    return {"step": step0, "eta": eta, "L_eff": max(eta * c.L, 1.0 / step0)}


def subgradient_constant_step(problem, c, T):
    """Prescribed: constant step ||x0 - x*||/(G sqrt(T+1)); best iterate."""
    return {"step": c.D0 / (c.G * np.sqrt(T + 1)), "step_rule": "constant", "output": "best"}


def average_constant_step(problem, c, T):
    """Prescribed: constant step ||x0 - x*||/(G sqrt(T)); step-weighted average."""
    gamma = c.D0 / (c.G * np.sqrt(max(T, 1)))
    return {"step": gamma, "step_rule": "constant", "output": "step_weighted",
            "gammas": partial(_constant_gammas, gamma)}


def average_sqrt_step(problem, c, T):
    """Prescribed: gamma_t = ||x0 - x*||/(G sqrt(t+1)); step-weighted average."""
    gamma = c.D0 / c.G
    return {"step": gamma, "step_rule": "sqrt", "output": "step_weighted", "gammas": partial(_sqrt_gammas, gamma)}


def _constant_gammas(gamma, T):
    return np.full(max(T, 1), gamma)


def _sqrt_gammas(gamma, T):
    return gamma / np.sqrt(np.arange(1, max(T, 1) + 1))



THEOREMS = [
    Theorem(
        id="gd.convex.smooth", method="gd", assumptions=("convex", "L-smooth", "step <= 1/L"), quantity="gap",
        statement="f(x_T) - f* <= L ||x0 - x*||^2 / (4 T L step + 2)",
        bound=gd_convex_bound, params=step_one_over_L, options=only("step"), rate=power(-1.0), tight=True,
        confirmed="V:PEPit",
        source="Drori & Teboulle (2014), Thm 3.1 / Taylor, Hendrickx & Glineur (2017); PEPit gradient_descent",
        pepit="gd",
        instances=(Instance("huber_worst_case", huber_instance, per_horizon=True, tight=True, attains=True),
                   pep.instance("gd", shape=True),
                   Instance("random_quadratic", random_quadratic),
                   Instance("diabetes_least_squares", diabetes),
                   Instance("breast_cancer_logistic", breast_cancer))),
    Theorem(
        id="gd.quadratic", method="gd", assumptions=("convex quadratic", "spectrum in [mu, L]"), quantity="gap",
        statement="f(x_T) - f* <= (L/2) max(alpha (1 - alpha L step)^{2T}, (1 - L step)^{2T}) ||x0 - x*||^2",
        bound=gd_quadratic_bound, params=step_one_over_L, options=only("step"), rate=power(-1.0), tight=True,
        confirmed="D",
        source="catalogue 1.6 (PEPit gradient_descent_quadratics, conjectured tight); proof: f(x_T) = "
               "sum_i lam_i/2 (1 - step lam_i)^{2T} c_i^2 <= max over lam in [mu, L]",
        instances=(Instance("gd_quadratic_worst_case", gd_quadratic_instance, per_horizon=True, tight=True,
                            attains=True),
                   Instance("random_quadratic", random_quadratic))),
    Theorem(
        id="proximal_gd.strongly_convex", method="proximal_gd",
        assumptions=("f mu-strongly convex, L-smooth", "g convex, prox computable"), quantity="dist2",
        statement="||x_T - x*||^2 <= max((1 - L step)^2, (1 - mu step)^2)^T ||x0 - x*||^2",
        bound=prox_grad_sc_bound, params=step_one_over_L, options=only("step"),
        rate=linear(prox_grad_contraction), tight=True, confirmed="V:PEPit",
        source="Taylor, Hendrickx & Glineur (2018), Thm 3.3; PEPit proximal_gradient",
        pepit="proximal_gd.strongly_convex",
        instances=(Instance("prox_grad_worst_case", prox_grad_instance, tight=True, attains=True),
                   Instance("lasso_certified", lasso_instance),
                   Instance("simplex_least_squares", simplex_least_squares))),
    Theorem(
        id="proximal_gd.convex", method="proximal_gd", assumptions=("f convex, L-smooth", "g convex", "step = 1/L"),
        quantity="gap", statement="F(x_T) - F* <= L ||x0 - x*||^2 / (2T)",
        bound=prox_grad_convex_bound, params=step_one_over_L, options=only("step"), rate=power(-1.0), tight=False,
        confirmed="D", source="Beck & Teboulle (2009), SIAM J. Imaging Sci., Theorem 3.1 (ISTA)",
        pepit="proximal_gd",
        instances=(pep.instance("proximal_gd", shape=True),
                   Instance("lasso_certified", lasso_instance),
                   Instance("diabetes_lasso", diabetes_lasso),
                   Instance("ball_least_squares", ball_least_squares))),
    Theorem(
        id="projected_gd.convex", method="projected_gd", assumptions=("f convex, L-smooth", "C closed convex",
                                                                       "step = 1/L"),
        quantity="gap", statement="f(x_T) - f* <= L ||x0 - x*||^2 / (2T)",
        bound=prox_grad_convex_bound, params=step_one_over_L, options=only("step"), rate=power(-1.0), tight=False,
        confirmed="D",
        source="Beck & Teboulle (2009), Theorem 3.1 with g the indicator of C",
        pepit="projected_gd",
        instances=(pep.instance("projected_gd", shape=True),
                   Instance("ball_least_squares", ball_least_squares),
                   Instance("simplex_least_squares", simplex_least_squares))),
    Theorem(
        id="gd_armijo.convex", method="gd_armijo", assumptions=("f convex, L-smooth", "backtracking from 1/step"),
        quantity="gap", statement="F(x_T) - F* <= max(eta L, 1/step) ||x0 - x*||^2 / (2T)",
        bound=prox_grad_convex_bound, params=armijo_params, options=only("step", "eta"), rate=power(-1.0),
        tight=False, confirmed="D",
        source="Beck & Teboulle (2009), Theorem 3.1 (backtracking stepsize rule)",
        instances=(Instance("random_quadratic", random_quadratic),
                   Instance("diabetes_least_squares", diabetes),
                   Instance("breast_cancer_logistic", breast_cancer))),
    Theorem(
        id="subgradient.best.constant", method="subgradient", assumptions=("convex", "G-Lipschitz"),
        quantity="gap_best", statement="min_{0<=t<=T} f(x_t) - f* <= G ||x0 - x*|| / sqrt(T+1), "
                                       "step ||x0 - x*||/(G sqrt(T+1))",
        bound=subgradient_best_bound, params=subgradient_constant_step, options=only("step", "step_rule", "output"),
        rate=power(-0.5), tight=True, confirmed="V:PEPit", horizon_dependent=True,
        source="Drori & Teboulle (2016); PEPit subgradient_method (catalogue 1.1, deterministic anchor)",
        pepit="subgradient.best.x1",
        instances=(Instance("subgradient_worst_case", subgradient_instance, per_horizon=True, tight=True,
                            attains=True),
                   *pep.step_family("subgradient.best"),
                   pep.instance("subgradient.last.x1", "pepit_worst_case_last_iterate", reach=False),
                   Instance("l1_distance_ball", l1_ball),
                   Instance("max_affine", random_max_affine),
                   Instance("hinge_ball", hinge_ball))),
    Theorem(
        id="subgradient.average.constant", method="subgradient", assumptions=("convex", "G-Lipschitz on C"),
        quantity="gap_avg", statement="f(xbar_T) - f* <= G ||x0 - x*|| / sqrt(T), step ||x0 - x*||/(G sqrt(T)), "
                                      "xbar_T the step-weighted average of x_0..x_{T-1}",
        bound=weighted_average_bound, params=average_constant_step, options=only("step", "step_rule", "output"),
        rate=power(-0.5), tight=False, confirmed="D", horizon_dependent=True,
        source="catalogue 1.1 (a) with B = G (deterministic subgradients); Garrigos & Gower, Handbook",
        horizons_quick=(2, 3, 5, 8, 13, 20, 32, 50, 80, 130, 200, 320, 500, 800, 1300, 2000, 3200, 5000, 10000),
        pepit="subgradient.average.x1",
        instances=(*pep.step_family("subgradient.average"),
                   Instance("l1_distance_ball", l1_ball),
                   Instance("max_affine", random_max_affine),
                   Instance("hinge_ball", hinge_ball))),
    Theorem(
        id="subgradient.average.sqrt", method="subgradient", assumptions=("convex", "G-Lipschitz on C"),
        quantity="gap_avg",
        statement="f(xbar_T) - f* <= (D0^2 + G^2 sum gamma_t^2)/(2 sum gamma_t) <= D0 G (2 + ln T)/(4(sqrt(T+1) - 1)), "
                  "gamma_t = D0/(G sqrt(t+1))",
        bound=weighted_average_bound, params=average_sqrt_step, options=only("step", "step_rule", "output"),
        rate=Rate("bound", 1.0), tight=False, confirmed="D", horizon_dependent=True,
        source="catalogue 1.1 (b) with B = G; Garrigos & Gower, Handbook",
        horizons_quick=(2, 3, 5, 8, 13, 20, 32, 50, 80, 130, 200, 320, 500, 800, 1300, 2000, 3200, 5000, 10000),
        pepit="subgradient.sqrt.x1",
        instances=(*pep.step_family("subgradient.sqrt"),
                   Instance("l1_distance_ball", l1_ball),
                   Instance("max_affine", random_max_affine),
                   Instance("hinge_ball", hinge_ball))),
]
