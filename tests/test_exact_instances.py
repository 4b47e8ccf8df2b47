"""Exact expectations that give theorem checks their teeth, each against Monte Carlo."""
import numpy as np
import pytest

import pyoptheory as po
from pyoptheory.problems.exact import gaussian_smoothing_moments
from pyoptheory.problems.last_iterate import bounded_noise_quadratic, noisy_quadratic_moments
from pyoptheory.methods._sequences import averaging_weights


def _mc(values):
    v = np.asarray(values)
    return v.mean(), v.std(ddof=1) / np.sqrt(v.size)


def test_gaussian_smoothing_moments_against_monte_carlo():
    from pyoptheory.theory.zeroth import quadratic_10

    p = quadratic_10()
    h, s, T = 1 / (4 * 14 * p.constants["L"]), 0.3, 25  # a large smoothing exercises the sixth-moment term
    ex = gaussian_smoothing_moments(p, h, s, T)
    runs = [po.solve(p, "zo_rgf", steps=T, step=h, smoothing=s, seed=k, output="uniform", record=np.array([T]))
            for k in range(2000)]
    m, se = _mc([r.trace["gap"][-1] for r in runs])
    assert abs(m - ex["gap"][T]) <= 5 * se
    m, se = _mc([r.trace["gap_avg"][-1] for r in runs])
    assert abs(m - ex["gap_avg"][T - 1]) <= 5 * se


def test_sixth_gaussian_moment():
    """E[(u^T H u)^2 u u^T] = ((tr H)^2 + 2 tr(H^2)) I + 4 tr(H) H + 8 H^2 (Isserlis)."""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((3, 3))
    H = A @ A.T
    U = rng.standard_normal((400000, 3))
    q = np.einsum("ij,jk,ik->i", U, H, U)
    mc = (U * (q**2)[:, None]).T @ U / U.shape[0]
    I = np.eye(3)
    exact = (np.trace(H) ** 2 + 2 * np.trace(H @ H)) * I + 4 * np.trace(H) * H + 8 * H @ H
    assert np.allclose(mc, exact, rtol=0.03, atol=0.03 * np.abs(exact).max())


def test_bounded_noise_quadratic_moments_against_monte_carlo():
    p = bounded_noise_quadratic(4, lam=1.0, noise=2.0, D0=1.0, seed=1)
    T = 30
    etas = 0.8 / np.sqrt(np.arange(1, T + 1))
    w = averaging_weights("t_weighted", T)
    ex = noisy_quadratic_moments(p, etas, weights=w)
    runs = [po.solve(p, "sgd", steps=T, schedule=etas, seed=k, output="t_weighted", record=np.array([T]))
            for k in range(3000)]
    m, se = _mc([r.trace["gap"][-1] for r in runs])
    assert abs(m - ex["gap"][T]) <= 5 * se
    m, se = _mc([r.fun - p.f_star for r in runs])
    assert abs(m - ex["gap_avg"][T]) <= 5 * se
    R = max(1.0, 2.0)  # every path stays in the ball on which G is declared
    for r in runs[:50]:
        assert np.linalg.norm(r.x - p.x_star) <= R + 1e-12
    with pytest.raises(ValueError, match="eta_t lam <= 1"):
        noisy_quadratic_moments(p, np.full(3, 1.5))


def test_random_search_on_the_linear_box_against_monte_carlo():
    from pyoptheory.theory.zeroth import exact_random_search_linear, linear_box_2d, rs_params

    p = linear_box_2d()
    c = po.theorems("zo_random_search.nonsmooth").constants_for(p)
    T = 40
    pp = rs_params(p, c, T)
    vals = [po.solve(p, "zo_random_search", steps=T, step=pp["step"], smoothing=1e-4, output="step_weighted",
                     seed=k).fun for k in range(3000)]
    m, se = _mc(vals)
    assert abs(m - exact_random_search_linear(p, pp, [T])[0]) <= 5 * se


def test_gfm_in_one_dimension_is_deterministic_gradient_descent_on_f_delta():
    from pyoptheory.theory.zeroth import exact_gfm_1d, gfm_params, norm_1d

    p = norm_1d()
    c = po.theorems("gfm.smoothed").constants_for(p)
    T = 300
    pp = gfm_params(p, c, T)
    ex = exact_gfm_1d(p, pp, [T])[0]
    vals = [po.solve(p, "gfm", steps=T, step=pp["step"], smoothing=pp["smoothing"], seed=k).stationarity ** 2
            for k in range(400)]
    m, se = _mc(vals)
    assert abs(m - ex) <= 5 * se + 1e-12
    # the Goldstein measure in one dimension: 1 outside the delta-interval, 0 inside
    assert p.goldstein(np.array([3.0]), 0.5) == 1.0 and p.goldstein(np.array([0.2]), 0.5) == 0.0
