"""How optima are obtained: certified where the route allows, never computed by a run that was not asked for
them, and right for constrained quadratics whose centre lies outside the set."""
import numpy as np
import pytest

import pyoptheory as po
from pyoptheory.problems import Ball, Box, Simplex


@pytest.mark.parametrize("constraint", [Ball(0.5), Box(-0.3, 0.3), Simplex(1.0)], ids=["ball", "box", "simplex"])
def test_constrained_quadratic_optimum_is_the_constrained_one(constraint):
    q = po.problems.quadratic(30, L=1.0, mu=0.0, seed=2, constraint=constraint)
    assert q.f_star > 0.1  # the centre (f = 0) lies outside every one of these sets
    assert q.feasible(q.x_star) and q.f_star_accuracy <= 1e-12 * max(1.0, q.objective(q.x0))
    for method in ("projected_gd", "fista"):
        res = po.solve(q, method, steps=3000)
        assert res.fun >= q.f_star - q.f_star_accuracy - 1e-14  # no feasible point beats a certified optimum
        assert res.fun - q.f_star < 1e-4


def test_constrained_quadratic_keeps_the_exact_centre_when_it_is_feasible():
    q = po.problems.quadratic(10, L=1.0, mu=0.1, seed=0, constraint=Ball(100.0))
    assert q.f_star == 0.0 and q.f_star_accuracy == 0.0


def test_hinge_optimum_carries_its_dual_certificate():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((200, 20))
    y = np.sign(A @ rng.standard_normal(20) + rng.standard_normal(200))
    p = po.problems.hinge(A, y, radius=1.0)
    assert not p.optimum_is_cheap
    acc = p.f_star_accuracy
    assert 0.0 <= acc < 1e-7 and p.feasible(p.x_star)
    res = po.solve(p, "subgradient", steps=20000)
    assert res.fun >= p.f_star - acc - 1e-12


def test_a_run_does_not_compute_a_costly_optimum_it_was_not_asked_for():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((80, 40))
    p = po.problems.lasso(A, rng.standard_normal(80), 0.05)
    res = po.solve(p, "fista", steps=50)
    assert p.known_optimum() == (None, None) and np.all(np.isnan(res.trace["gap"]))
    res = po.solve(p, "fista", steps=5000, gap_tol=1e-6)  # a gap tolerance asks for F*
    assert p.known_optimum()[1] is not None and res.status == 6
    assert 0.0 <= p.f_star_accuracy <= 1e-12 * max(1.0, p.objective(p.x0))
    res = po.solve(p, "fista", steps=50)  # known now: recorded
    assert np.all(np.isfinite(res.trace["gap"]))


def test_cheap_optima_are_recorded_and_certified():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((60, 8))
    y = np.sign(rng.standard_normal(60))
    p = po.problems.logistic(A, y, 0.01)
    res = po.solve(p, "gd", steps=20)
    assert np.all(np.isfinite(res.trace["gap"])) and p.f_star_accuracy < 1e-20


def test_box_with_scalar_bounds_runs_on_every_backend():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((30, 6))
    p = po.problems.least_squares(A, rng.standard_normal(30), constraint=Box(-0.1, 0.1))
    xs = [po.solve(p, "projected_gd", steps=30, backend=b).x for b in ("numpy", "numba", "cpp")]
    np.testing.assert_allclose(xs[1], xs[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(xs[2], xs[0], rtol=1e-12, atol=1e-14)
    assert np.all(np.abs(xs[2]) <= 0.1)


def test_lasso_with_a_support_near_n_is_certified_quickly_and_agrees_with_cvxpy():
    """A 200 x 500 design with 190+ active coordinates: coordinate descent alone needs seconds to a gap of
    1e-12; the staged polish certifies it (and cvxpy, the cross-check, agrees to its own accuracy)."""
    from pyoptheory.problems.linear import solve_with_cvxpy

    rng = np.random.default_rng(2024)
    A = rng.standard_normal((200, 500))
    p = po.problems.lasso(A, A @ rng.standard_normal(500) + 0.5 * rng.standard_normal(200), 0.05)
    scale = max(1.0, p.objective(p.x0))
    assert p.f_star_accuracy <= 1e-12 * scale
    assert np.count_nonzero(p.x_star) > 150
    _, f_cvx = solve_with_cvxpy(p)
    assert p.f_star - p.f_star_accuracy <= f_cvx + 1e-12 and f_cvx - p.f_star < 1e-6


def test_sparse_singular_quadratic_form_gets_a_minimizer_or_none():
    import scipy.sparse as sp

    from pyoptheory.problems.coordinate import QuadraticForm

    d = 4100  # above the dense limit: the sparse route
    L = sp.diags([np.full(d, 2.0), -np.ones(d - 1), -np.ones(d - 1)], [0, 1, -1], format="lil")
    L[0, 0] = L[d - 1, d - 1] = 1.0  # a path's Laplacian: singular, constants in its kernel
    Q = sp.csr_matrix(L)
    c = np.zeros(d)
    c[0], c[-1] = 1.0, -1.0  # in the range of Q: bounded below
    p = QuadraticForm(Q, c)
    assert np.isfinite(p.f_star) and np.linalg.norm(Q @ p.x_star - c) <= 1e-6 * np.linalg.norm(c)
    assert QuadraticForm(Q, np.ones(d)).f_star is None  # not in the range: unbounded below
