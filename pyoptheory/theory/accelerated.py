r"""Theorems of the accelerated and momentum methods (catalogue sections 3.1-3.4).

``fista.backtracking`` (Beck & Teboulle 2009, Theorem 4.4), derived: the estimate-sequence proof of FISTA's
``F(x_T) - F* <= 2 L D0^2/(T + 1)^2`` uses only the sufficient-decrease inequality at each step with the
constant ``L_k`` used there and ``L_k`` nondecreasing; backtracking from ``L_0`` by the factor ``eta`` accepts
``L_k <= max(eta L, L_0)`` (it stops as soon as ``L_k >= L``), so ``L`` is replaced by ``max(eta L, L_0)``.
"""
from __future__ import annotations

import numpy as np

from .. import problems as P
from . import pep
from .base import Instance, Rate, Theorem, linear, only, power
from .gradient import breast_cancer, diabetes, diabetes_lasso, lasso_instance, random_quadratic, simplex_least_squares

# --- instances ----------------------------------------------------------------------------


def chain_instance(T):
    """Nesterov's chain f_{2T+1} in dimension 2T+1 (one chain per horizon), L = 1."""
    return P.nesterov_chain(2 * T + 1, L=1.0)


def quadratic_kappa_100(T=None):
    """Quadratic, d = 50, spectrum uniform in [0.01, 1] (kappa = 100), random basis."""
    return P.quadratic(50, L=1.0, mu=0.01, seed=2, name="quadratic_kappa_100")


def heavy_ball_worst_case(T=None):
    """Quadratic with spectrum {mu, L} = {0.01, 1}, x0 - x* along the L-eigenvector: the mode c = -1
    of the heavy-ball recursion, where ||e_k|| = rho^k ((k+1) + rho k) ||e_0|| (catalogue 3.3)."""
    return P.quadratic(2, spectrum=np.array([0.01, 1.0]), x_star=np.zeros(2), seed=3,
                       x0=_along_top_eigenvector(), name="heavy_ball_worst_case")


def _along_top_eigenvector():
    q = P.quadratic(2, spectrum=np.array([0.01, 1.0]), x_star=np.zeros(2), seed=3)
    # rows of A are sqrt(lam_i) q_i^T: the eigenvector of L = 1 is the second row (scaled by 1)
    return np.asarray(q.A[1], dtype=float).copy()


def box_least_squares(T=None):
    """Least squares on the box [-0.5, 0.5]^30 (n = 60), active constraints at the optimum."""
    rng = np.random.default_rng(9)
    A = rng.standard_normal((60, 30))
    b = A @ rng.standard_normal(30) + rng.standard_normal(60)
    return P.least_squares(A, b, constraint=P.Box(-0.5 * np.ones(30), 0.5 * np.ones(30)), name="box_least_squares")


# --- bounds ------------------------------------------------------------------------------------


def lambda_sequence(T):
    """lambda_1 = 1, lambda_{k+1} = (1 + sqrt(4 lambda_k^2 + 1))/2; returns lambda_T (lambda_1 for T <= 1)."""
    lam = 1.0
    for _ in range(max(T, 1) - 1):
        lam = 0.5 * (1.0 + np.sqrt(4.0 * lam * lam + 1.0))
    return lam


def agd_lambda_bound(T, c, p):
    """L ||x0 - x*||^2/(2 lambda_T^2) (<= 2 L ||x0 - x*||^2/(T+1)^2)."""
    return c.L * c.D0**2 / (2 * lambda_sequence(T) ** 2)


def agd_simple_bound(T, c, p):
    """2 L ||x0 - x*||^2/(T^2 + 5T + 6) for momentum (k-1)/(k+2)."""
    return 2 * c.L * c.D0**2 / (T * T + 5 * T + 6)


def fista_simple_bound(T, c, p):
    """2 L ||x0 - x*||^2/(T^2 + 5T + 2) for FISTA with momentum (k-1)/(k+2) (tight, PEPit)."""
    return 2 * c.L * c.D0**2 / (T * T + 5 * T + 2)


def fista_backtracking_bound(T, c, p):
    """2 max(eta L, L_0) ||x0 - x*||^2/(T+1)^2 (Beck & Teboulle 2009, Thm 4.4)."""
    return 2 * max(p["eta"] * c.L, 1.0 / p["step"]) * c.D0**2 / (T + 1) ** 2


def chain_lower_bound(T, c, p):
    """3 L ||x0 - x*||^2/(32 (T+1)^2) on f_{2T+1} (Nesterov, Lectures, Thm 2.1.7), L the class parameter."""
    return 3 * c.L_class * c.D0**2 / (32 * (T + 1) ** 2)


def agd_sc_bound(T, c, p):
    """(1 - sqrt(mu/L))^T (f(x0) - f* + mu/2 ||x0 - x*||^2)."""
    return (1 - np.sqrt(c.mu / c.L)) ** T * (p["f0_gap"] + 0.5 * c.mu * c.D0**2)


def hb_quadratic_bound(T, c, p):
    """||x_T - x*||^2 <= ((2T+1) rho^T)^2 ||x0 - x*||^2, rho = (sqrt(kappa)-1)/(sqrt(kappa)+1)."""
    rho = (np.sqrt(c.L / c.mu) - 1) / (np.sqrt(c.L / c.mu) + 1)
    return ((2 * T + 1) * rho**T) ** 2 * c.D0**2


def hb_general_bound(T, c, p):
    """(1 - alpha mu)^T (f(x0) - f*), alpha in (0, 1/L], beta = sqrt((1 - alpha mu)(1 - L alpha))."""
    return (1 - p["step"] * c.mu) ** T * p["f0_gap"]


def _scale(c):
    """L ||x0 - x*||^2: the chain's D0 grows with its length, so rates are fitted on gap/(L D0^2)."""
    return c.L * c.D0**2


def sparse_scad(T=None):
    """Sparse regression n = 200, p = 1000, s = 10, Toeplitz(0.5), SNR 3, SCAD (a = 3.7), split form."""
    return P.sparse_regression(penalty="scad", split=True, seed=0)


def sparse_mcp(T=None):
    """The same design with MCP (gamma = 3), split form."""
    return P.sparse_regression(penalty="mcp", split=True, seed=1)


def nonconvex_shape(T, c, p):
    """[M] order only: L_f (Psi(x0) - Psi_low)/T with Psi_low = 0 <= Psi* (constant 1)."""
    return np.inf if T == 0 else c.L * p["psi0"] / T


def nonconvex_params(problem, c, T):
    """Prescribed: beta_k = lambda_k = 1/(2 L_f), alpha_k = 2/(k+1)."""
    return {"psi0": problem.objective(problem.x0)}


# --- parameters ------------------------------------------------------------------------------------


def step_1_over_L(problem, c, T):
    """Prescribed: step = 1/L."""
    return {"step": 1.0 / c.L}


def simple_momentum(problem, c, T):
    """Prescribed: step = 1/L, momentum (k-1)/(k+2)."""
    return {"step": 1.0 / c.L, "momentum": "simple"}


def backtracking_params(problem, c, T):
    """Prescribed: backtracking from L_0 = L/10 with factor eta = 2."""
    return {"step": 10.0 / c.L, "eta": 2.0, "backtracking": True}


def sc_params(problem, c, T):
    """Prescribed: step = 1/L, beta = (sqrt(L) - sqrt(mu))/(sqrt(L) + sqrt(mu))."""
    return {"step": 1.0 / c.L, "f0_gap": problem.objective(problem.x0) - problem.f_star}


def hb_quadratic_params(problem, c, T):
    """Prescribed: alpha = 4/(sqrt(L) + sqrt(mu))^2, beta = rho^2."""
    return {"tuning": "quadratic"}


def hb_general_params(problem, c, T):
    """Prescribed: alpha = 1/(2L), beta = sqrt((1 - alpha mu)(1 - L alpha)) = sqrt((1 - mu/(2L))/2) > 0 (with
    alpha = 1/L the momentum vanishes and the theorem would check gradient descent)."""
    return {"tuning": "general", "step": 0.5 / c.L, "f0_gap": problem.objective(problem.x0) - problem.f_star}



_CHAIN = Instance("nesterov_chain", chain_instance, per_horizon=True, tight=True, lower=True)
_BENIGN_SMOOTH = (Instance("random_quadratic", random_quadratic), Instance("diabetes_least_squares", diabetes),
                  Instance("breast_cancer_logistic", breast_cancer))
_COMPOSITE = (Instance("lasso_certified", lasso_instance), Instance("diabetes_lasso", diabetes_lasso),
              Instance("simplex_least_squares", simplex_least_squares), Instance("box_least_squares", box_least_squares))
_QUICK = (1, 2, 3, 5, 8, 13, 20, 32, 50, 80, 130, 200, 320, 500, 800, 1300, 2000)

THEOREMS = [
    Theorem(
        id="agd.convex", method="agd", assumptions=("convex", "L-smooth", "step 1/L"), quantity="gap",
        statement="f(x_T) - f* <= L ||x0 - x*||^2/(2 lambda_T^2) <= 2 L ||x0 - x*||^2/(T+1)^2; on Nesterov's chain "
                  "f_{2T+1}: f(x_T) - f* >= 3 L ||x0 - x*||^2/(32 (T+1)^2)",
        bound=agd_lambda_bound, lower_bound=chain_lower_bound, params=step_1_over_L, options=only("step"),
        rate=power(-2.0), tight=False, confirmed="V:PEPit", normalize=_scale,
        source="Nesterov (1983); Beck & Teboulle (2009); PEPit accelerated_gradient_convex; lower bound: Nesterov, "
               "Introductory Lectures (2004), Thm 2.1.7",
        pepit="agd", instances=(_CHAIN, pep.instance("agd")) + _BENIGN_SMOOTH, horizons_quick=_QUICK),
    Theorem(
        id="agd.convex.simple", method="agd", assumptions=("convex", "L-smooth", "momentum (k-1)/(k+2)"),
        quantity="gap", statement="f(x_T) - f* <= 2 L ||x0 - x*||^2/(T^2 + 5T + 6)",
        bound=agd_simple_bound, lower_bound=chain_lower_bound, params=simple_momentum,
        options=only("step", "momentum"), rate=power(-2.0), tight=True, confirmed="V:PEPit", normalize=_scale,
        source="PEPit accelerated_gradient_convex (i/(i+3) momentum; tight for mu = 0, n = 1 gives 1/6); catalogue 3.1",
        pepit="agd.simple", instances=(pep.instance("agd.simple", shape=True), _CHAIN) + _BENIGN_SMOOTH, horizons_quick=_QUICK),
    Theorem(
        id="agd.strongly_convex", method="agd_strongly_convex",
        assumptions=("mu-strongly convex", "L-smooth", "beta = (sqrt L - sqrt mu)/(sqrt L + sqrt mu)"),
        quantity="gap", statement="f(x_T) - f* <= (1 - sqrt(mu/L))^T (f(x0) - f* + mu/2 ||x0 - x*||^2)",
        bound=agd_sc_bound, params=sc_params, options=only("step"),
        rate=linear(lambda c, p: 1 - np.sqrt(c.mu / c.L)), tight=False, confirmed="V:PEPit",
        source="Nesterov (2004), constant-momentum scheme; PEPit accelerated_gradient_strongly_convex; catalogue 3.2",
        pepit="agd.strongly_convex",
        instances=(pep.instance("agd.strongly_convex"),
                   Instance("quadratic_kappa_100", quadratic_kappa_100), Instance("diabetes_least_squares", diabetes),
                   Instance("breast_cancer_logistic", breast_cancer))),
    Theorem(
        id="fista.convex", method="fista", assumptions=("f convex L-smooth", "g convex with a prox", "step 1/L"),
        quantity="gap", statement="F(x_T) - F* <= L ||x0 - x*||^2/(2 lambda_T^2) <= 2 L ||x0 - x*||^2/(T+1)^2",
        bound=agd_lambda_bound, params=step_1_over_L, options=only("step"), rate=power(-2.0), tight=False,
        confirmed="V:PEPit", source="Beck & Teboulle (2009), Thm 4.4; PEPit accelerated_proximal_gradient; catalogue 3.4",
        pepit="fista", instances=(pep.instance("fista"),) + _COMPOSITE, horizons_quick=_QUICK),
    Theorem(
        id="fista.simple", method="fista", assumptions=("f convex L-smooth", "g convex", "momentum (k-1)/(k+2)"),
        quantity="gap", statement="F(x_T) - F* <= 2 L ||x0 - x*||^2/(T^2 + 5T + 2)",
        bound=fista_simple_bound, params=simple_momentum, options=only("step", "momentum"), rate=power(-2.0),
        tight=True, confirmed="V:PEPit", source="PEPit accelerated_proximal_gradient (tight; n = 4 gives 0.0526316); "
                                               "catalogue 3.4",
        pepit="fista.simple", instances=(pep.instance("fista.simple", shape=True),) + _COMPOSITE, horizons_quick=_QUICK),
    Theorem(
        id="fista.backtracking", method="fista", assumptions=("f convex L-smooth", "g convex", "backtracking, factor eta"),
        quantity="gap", statement="F(x_T) - F* <= 2 max(eta L, L_0) ||x0 - x*||^2/(T+1)^2",
        bound=fista_backtracking_bound, params=backtracking_params, options=only("step", "eta", "backtracking"),
        rate=power(-2.0), tight=False, confirmed="D",
        source="Beck & Teboulle (2009), SIAM J. Imaging Sci., Theorem 4.4 (FISTA with backtracking)",
        instances=_COMPOSITE, horizons_quick=_QUICK),
    Theorem(
        id="heavy_ball.quadratic", method="heavy_ball", assumptions=("quadratic", "spectrum in [mu, L]",
                                                                      "quadratic-optimal tuning"),
        quantity="dist2", statement="||x_T - x*|| <= (2T+1) rho^T ||x0 - x*||, rho = (sqrt(kappa) - 1)/(sqrt(kappa) + 1)",
        bound=hb_quadratic_bound, params=hb_quadratic_params, options=only("tuning"), rate=Rate("bound", 1.0),
        tight=True, confirmed="D",
        source="Polyak (1964); the (2T+1) Chebyshev factor derived in catalogue 3.3 ([D][N])",
        instances=(Instance("heavy_ball_worst_case", heavy_ball_worst_case, tight=True),
                   Instance("quadratic_kappa_100", quadratic_kappa_100)), horizons_quick=_QUICK),
    Theorem(
        id="heavy_ball.strongly_convex", method="heavy_ball",
        assumptions=("mu-strongly convex", "L-smooth", "alpha = 1/(2L), beta = sqrt((1 - alpha mu)(1 - L alpha))"),
        quantity="gap", statement="f(x_T) - f* <= (1 - alpha mu)^T (f(x0) - f*)",
        bound=hb_general_bound, params=hb_general_params, options=only("tuning", "step"),
        rate=linear(lambda c, p: 1 - p["step"] * c.mu), tight=False, confirmed="V:PEPit",
        source="Ghadimi, Feyzmahdavian & Johansson (2015); PEPit heavy_ball_momentum; catalogue 3.3",
        pepit="heavy_ball.strongly_convex",
        instances=(pep.instance("heavy_ball.strongly_convex"),
                   Instance("quadratic_kappa_100", quadratic_kappa_100), Instance("breast_cancer_logistic", breast_cancer))),
]

THEOREMS.append(Theorem(
    id="nonconvex_ag.stationarity", method="nonconvex_ag",
    assumptions=("f = loss + q smooth (L_f), possibly nonconvex", "h = lam ||.||_1", "beta = 1/(2 L_f)"),
    quantity="grad_map2", statement="min_{k<=N} ||G_beta(x_md^k)||^2 = O(L_f (Psi(x0) - Psi*)/N) (order recalled)",
    bound=nonconvex_shape, params=nonconvex_params, options=only(), rate=power(-1.0), tight=False, confirmed="M",
    source="Ghadimi & Lan (2016), Accelerated gradient methods for nonconvex nonlinear and stochastic programming, "
           "Thm 2 (order recalled; catalogue 3.7 [M])",
    instances=(Instance("sparse_regression_scad", sparse_scad), Instance("sparse_regression_mcp", sparse_mcp)),
    horizons_quick=(1, 2, 3, 5, 8, 13, 20, 32, 50, 80, 130, 200, 320, 500, 800, 1300, 2000)))
