"""The accelerated family: PEPit regression values, the chain's lower bound, heavy ball's polynomial
factor and cycling, sqrt(kappa) scaling, restarts and bad input."""
from types import SimpleNamespace as NS

import numpy as np
import pytest

import pyoptheory as po
from pyoptheory import problems as P
from pyoptheory.theory import accelerated as A
from pyoptheory.theory.base import Theorem


def test_catalogue_regression_values():
    c = NS(L=1.0, D0=1.0, mu=0.1)
    assert A.agd_simple_bound(1, c, {}) == pytest.approx(1 / 6)
    assert A.agd_lambda_bound(4, c, {}) == pytest.approx(0.0661, abs=5e-5)
    assert A.fista_simple_bound(4, c, {}) == pytest.approx(0.0526316, abs=5e-8)
    assert A.agd_sc_bound(2, c, {"f0_gap": 1.0 - 0.05}) == pytest.approx(0.4675, abs=5e-5)
    assert A.hb_general_bound(2, c, {"step": 0.5, "f0_gap": 1.0}) == pytest.approx(0.9025)
    assert A.agd_lambda_bound(7, c, {}) <= 2 / 64  # lambda_T >= (T+1)/2


@pytest.mark.parametrize("p", [1, 2, 7, 40])
def test_chain_constants_and_optimum_are_exact(p):
    chain = P.nesterov_chain(p, L=2.0)
    xs = chain.x_star
    assert np.linalg.norm(chain.grad(xs)) < 1e-13
    assert chain.objective(xs) == pytest.approx(chain.f_star, abs=1e-14)
    assert chain.f_star == pytest.approx(2.0 / 8 * (-1 + 1 / (p + 1)))
    assert xs @ xs == pytest.approx(p * (2 * p + 1) / (6 * (p + 1)))
    H = (chain.A.T @ chain.A).toarray() * 0.5
    ev = np.linalg.eigvalsh(H)
    assert chain.constants["L"] == pytest.approx(ev[-1], rel=1e-12) and chain.constants["L"] <= 2.0
    assert chain.constants["mu"] == pytest.approx(ev[0], rel=1e-9)


@pytest.mark.parametrize("method", ["gd", "agd", "heavy_ball"])
def test_chain_lower_bound_holds_for_krylov_methods(method):
    """Nesterov's Thm 2.1.7: every method in the Krylov span has f(x_k) - f* >= 3L||x0-x*||^2/(32(k+1)^2) on f_{2k+1}."""
    for k in (1, 3, 10, 30, 100):
        chain = P.nesterov_chain(2 * k + 1, L=1.0)
        opts = {"mu": chain.constants["mu"]} if method == "heavy_ball" else {}
        res = po.solve(chain, method, steps=k, **opts)
        D0 = np.linalg.norm(chain.x_star)
        assert res.fun - chain.f_star >= 3 * D0**2 / (32 * (k + 1) ** 2) * (1 - 1e-12)


def test_a_plain_rho_k_bound_fails_on_heavy_ball():
    th = po.theorems("heavy_ball.quadratic")

    def rho_only(T, c, p):
        rho = (np.sqrt(c.L / c.mu) - 1) / (np.sqrt(c.L / c.mu) + 1)
        return rho ** (2 * T) * c.D0**2

    wrong = Theorem(**{**th.__dict__, "id": "hb-without-polynomial-factor", "bound": rho_only})
    rep = po.verify(wrong, problem="heavy_ball_worst_case", horizons=[1, 2, 5, 10, 20, 50])
    assert rep.bound_holds is False
    assert po.verify(th, problem="heavy_ball_worst_case", horizons=[1, 2, 5, 10, 20, 50]).passed


def test_heavy_ball_cycles_on_the_counterexample():
    hb = P.heavy_ball_counterexample()
    res = po.solve(hb, "heavy_ball", steps=3000, record="all")
    tail = res.trace["fun"][-300:]
    assert tail.min() > 1.0  # no convergence: a 3-cycle
    np.testing.assert_allclose(tail[3:], tail[:-3], rtol=1e-9)
    for method in ("gd", "agd"):
        assert po.solve(hb, method, steps=3000).fun < 1e-10


def _iterations_to(method, kappa, eps=1e-8, **opts):
    q = P.quadratic(30, L=1.0, mu=1.0 / kappa, seed=4)
    res = po.solve(q, method, steps=200_000, gap_tol=eps * q.objective(q.x0), record="all", **opts)
    assert res.status == 6
    return res.nit


def test_iterations_scale_as_sqrt_kappa_against_kappa_for_gd():
    kappas = np.array([10, 100, 1000, 10000])
    agd_its = [_iterations_to("agd_strongly_convex", k) for k in kappas]
    hb_its = [_iterations_to("heavy_ball", k) for k in kappas]
    gd_its = [_iterations_to("gd", k) for k in kappas]
    slope = lambda its: np.polyfit(np.log(kappas), np.log(its), 1)[0]  # noqa: E731
    assert 0.4 <= slope(agd_its) <= 0.6
    assert 0.4 <= slope(hb_its) <= 0.6
    assert 0.85 <= slope(gd_its) <= 1.1


def test_adaptive_restart_helps_fista_on_a_strongly_convex_problem():
    p = P.quadratic(50, L=1.0, mu=1e-4, seed=1)
    plain = po.solve(p, "fista", steps=1500).fun - p.f_star
    for mode in ("function", "gradient"):
        restarted = po.solve(p, "fista", steps=1500, restart=mode).fun - p.f_star
        assert restarted < 1e-3 * plain
    for backend in ("numba", "cpp"):
        a = po.solve(p, "fista", steps=60, restart="function", backend="numpy")
        b = po.solve(p, "fista", steps=60, restart="function", backend=backend)
        np.testing.assert_allclose(b.x, a.x, rtol=1e-10, atol=1e-12)


def test_backtracking_fista_counts_and_matches_backends():
    p = P.lasso_certified(100, 20, 0.1, seed=2)
    a = po.solve(p, "fista", steps=50, backtracking=True, step=100.0, backend="numpy")
    b = po.solve(p, "fista", steps=50, backtracking=True, step=100.0, backend="cpp")
    assert a.fevals > 50 and a.fevals == b.fevals
    np.testing.assert_allclose(b.x, a.x, rtol=1e-10, atol=1e-12)


def test_bad_input():
    q = P.quadratic(5, L=1.0, mu=0.1, seed=0)
    with pytest.raises(ValueError, match="momentum: must lie in"):
        po.solve(q, "heavy_ball", steps=5, momentum=1.0)
    with pytest.raises(ValueError, match="mu: must not exceed L"):
        po.solve(q, "agd_strongly_convex", steps=5, mu=2.0)
    flat = P.quadratic(5, L=1.0, mu=0.0, seed=0)
    for method in ("agd_strongly_convex", "heavy_ball"):
        with pytest.raises(ValueError, match="mu: .* needs a strongly convex problem"):
            po.solve(flat, method, steps=5)
    with pytest.raises(ValueError, match="restart"):
        po.solve(q, "agd", steps=5, restart="sometimes")
    with pytest.raises(ValueError, match="momentum"):
        po.solve(q, "agd", steps=5, momentum="heavy")
    with pytest.raises(ValueError, match="output"):
        po.solve(q, "agd", steps=5, output="uniform")


def _shb_iterations(kappa, momentum=None):
    q = P.quadratic(30, L=1.0, mu=1.0 / kappa, seed=4)
    oracle = P.anisotropic_noise(q, 0.0)  # sigma = 0: the noiseless heavy ball
    res = po.solve(oracle, "shb", steps=400_000, stages=1, momentum=momentum, seed=0,
                   gap_tol=1e-8 * q.objective(q.x0), record="all")
    assert res.status == 6
    return res.nit


def test_shb_without_noise_needs_sqrt_kappa_iterations_and_sgd_kappa():
    kappas = np.array([10, 100, 1000, 10000])
    shb_its = [_shb_iterations(k) for k in kappas]
    sgd_its = [_shb_iterations(k, momentum=0.0) for k in kappas]
    assert 0.4 <= np.polyfit(np.log(kappas), np.log(shb_its), 1)[0] <= 0.6
    assert 0.85 <= np.polyfit(np.log(kappas), np.log(sgd_its), 1)[0] <= 1.1


def test_shb_final_error_is_inversely_proportional_to_the_batch_size():
    q = P.quadratic(20, L=1.0, mu=0.01, seed=5)
    finals = []
    for M in (1, 4, 16, 64):
        oracle = P.anisotropic_noise(q, 0.5, M)
        finals.append(np.mean([po.solve(oracle, "shb", steps=3000, seed=s, record=2).fun for s in range(24)]))
    slope = np.polyfit(np.log([1, 4, 16, 64]), np.log(finals), 1)[0]
    assert -1.1 <= slope <= -0.9
