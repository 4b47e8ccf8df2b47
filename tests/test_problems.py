"""Problems: exact constants, optima, projections, and input checks."""
import numpy as np
import pytest
import scipy.sparse as sp

import pyoptheory as po
from pyoptheory import problems as P


def test_quadratic_constants_are_the_prescribed_spectrum():
    p = P.quadratic(30, L=2.5, mu=0.1, seed=0)
    assert p.constants["L"] == pytest.approx(2.5, rel=1e-12)
    assert p.constants["mu"] == pytest.approx(0.1, rel=1e-10)
    assert p.f(p.x_star) == pytest.approx(0.0, abs=1e-24) and p.f_star == 0.0
    assert "exact" in p.constants.how["L"] and not p.constants.user_declared


def test_least_squares_constants_and_optimum_dense_and_sparse():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((80, 10))
    b = rng.standard_normal(80)
    for data in (A, sp.csr_matrix(A)):
        p = P.least_squares(data, b)
        ev = np.linalg.eigvalsh(A.T @ A / 80)
        assert p.constants["L"] == pytest.approx(ev[-1], rel=1e-12)
        assert p.constants["mu"] == pytest.approx(ev[0], rel=1e-10)
        assert p.constants["L_max"] == pytest.approx(np.max(np.sum(A**2, 1)), rel=1e-12)
        assert np.linalg.norm(p.grad(p.x_star)) < 1e-13
        assert p.f_star == pytest.approx(np.sum((A @ p.x_star - b) ** 2) / 160, rel=1e-12)


def test_logistic_newton_solution_and_constants():
    p = P.breast_cancer(lam=1e-2)
    assert np.linalg.norm(p.grad(p.x_star)) < 1e-12
    A = p.A
    assert p.constants["L"] == pytest.approx(np.linalg.eigvalsh(A.T @ A)[-1] / (4 * p.n) + 1e-2, rel=1e-12)
    assert p.constants["mu"] == 1e-2


def test_certified_lasso_satisfies_kkt():
    p = P.lasso_certified(60, 20, 0.2, seed=2)
    x = p.x_star
    corr = p.A.T @ (p.b - p.A @ x) / p.n
    S = x != 0
    np.testing.assert_allclose(corr[S], 0.2 * np.sign(x[S]), rtol=1e-10)
    assert np.all(np.abs(corr[~S]) < 0.2)
    assert p.objective(x) == pytest.approx(p.f_star, rel=1e-12)


def test_generic_lasso_is_polished_to_the_exact_solution():
    q = P.lasso_certified(60, 20, 0.2, seed=2)
    p = P.lasso(q.A, q.b, 0.2)
    np.testing.assert_allclose(p.x_star, q.x_star, atol=1e-10)
    assert p.f_star == pytest.approx(q.f_star, rel=1e-12)


def test_max_affine_lp_and_lipschitz_constant():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((30, 4))
    p = P.max_affine(A, rng.standard_normal(30))
    assert p.constants["G"] == pytest.approx(np.max(np.linalg.norm(A, axis=1)))
    res = po.solve(p, "subgradient", steps=20000)
    assert res.fun >= p.f_star - 1e-9 and res.fun - p.f_star < 1e-2


def test_l1_distance_lipschitz_constant_is_sqrt_d():
    p = P.l1_distance(np.zeros(9))
    assert p.constants["G"] == pytest.approx(3.0, rel=1e-12)


@pytest.mark.parametrize("setcls", ["ball", "box", "simplex"])
def test_projections_are_exact_and_match_the_kernels(setcls):
    rng = np.random.default_rng(4)
    d = 15
    reg = {"ball": P.Ball(1.3), "box": P.Box(-np.ones(d) * 0.2, np.ones(d) * 0.5), "simplex": P.Simplex(2.0)}[setcls]
    A = rng.standard_normal((20, d))
    p = P.least_squares(A, rng.standard_normal(20), constraint=reg, x0=reg.prox(np.zeros(d) + 0.1, 1.0))
    from pyoptheory.kernels import get

    for _ in range(20):
        y = 3 * rng.standard_normal(d)
        x = reg.prox(y, 1.0)
        assert reg.contains(x, 1e-12)
        # optimality of the projection: <y - x, z - x> <= 0 for z in the set (test on random feasible z)
        for _ in range(5):
            z = reg.prox(3 * rng.standard_normal(d), 1.0)
            assert (y - x) @ (z - x) <= 1e-10
        for backend in ("cpp",):
            core = get(backend)
            from pyoptheory import _core
            np.testing.assert_allclose(_core.prox(core.prepare(p.spec), y, 1.0), x, rtol=1e-12, atol=1e-14)


def test_simplex_projection_of_a_sorted_example():
    np.testing.assert_allclose(P.project_simplex(np.array([0.5, 0.3, -1.0]), 1.0), [0.6, 0.4, 0.0])


def test_huber_instance_constants():
    p = P.huber_worst_case(3.0, 1.0, 10)
    assert p.constants["L"] == pytest.approx(3.0) and p.constants["mu"] == 0.0


def test_user_declared_constants_are_marked():
    p = P.smooth(lambda x: x @ x, lambda x: 2 * x, 2, L=2.0, mu=2.0, x_star=np.zeros(2))
    assert p.constants.user_declared and p.f_star == 0.0
    res = po.solve(p, "gd", steps=5)
    assert res.backend == "numpy"
    with pytest.raises(ValueError, match="backend"):
        po.solve(p, "gd", steps=5, backend="cpp")


def test_black_box_batched_and_not():
    bb = P.black_box(lambda X: np.sum(X**2, axis=1), 3, batched=True, x_star=np.zeros(3))
    assert bb.kind == "black_box" and bb.f_star == 0.0
    np.testing.assert_allclose(bb.f_batch(np.ones((4, 3))), 3.0)
    bb2 = P.black_box(lambda x: float(np.sum(x**2)), 3)
    assert bb2.f(np.ones(3)) == 3.0
    with pytest.raises(ValueError, match="batched"):
        P.black_box(lambda X: np.zeros(2), 3, batched=True).f_batch(np.ones((4, 3)))


@pytest.mark.parametrize("make,exc,name", [
    (lambda: P.least_squares(np.zeros((3, 2)), np.zeros(4)), ValueError, "b"),
    (lambda: P.least_squares(np.full((3, 2), np.nan), np.zeros(3)), ValueError, "A"),
    (lambda: P.least_squares(np.zeros((0, 2)), np.zeros(0)), ValueError, "A"),
    (lambda: P.least_squares(np.zeros((3, 2), dtype=complex), np.zeros(3)), TypeError, "A"),
    (lambda: P.least_squares("abc", np.zeros(3)), TypeError, "A"),
    (lambda: P.logistic(np.ones((3, 2)), np.array([0.0, 1.0, 1.0]), 0.1), ValueError, "y"),
    (lambda: P.logistic(np.ones((3, 2)), np.ones(3), -0.1), ValueError, "lam"),
    (lambda: P.quadratic(5, L=1.0, mu=2.0), ValueError, "mu"),
    (lambda: P.quadratic(0), ValueError, "dim"),
    (lambda: P.lasso_certified(5, 10, 0.1), ValueError, "n"),
    (lambda: P.Box([1.0], [0.0]), ValueError, "lo"),
    (lambda: P.Ball(-1.0), ValueError, "radius"),
    (lambda: P.l1_distance(np.ones(3), radius=1.0), ValueError, "radius"),
    (lambda: P.smooth(1, 2, 3, L=1.0), TypeError, "f, grad"),
    (lambda: P.smooth(np.sum, np.sign, 3, L=-1.0), ValueError, "L"),
])
def test_bad_problem_input(make, exc, name):
    with pytest.raises(exc, match=name):
        make()


def test_lasso_optimum_is_lazy_certified_and_agrees_with_cvxpy():
    """F* by the working-set solver to a certified duality gap, then polished; cvxpy as a cross-check only."""
    from pyoptheory.problems.linear import solve_with_cvxpy

    rng = np.random.default_rng(0)
    A = rng.standard_normal((80, 120))
    b = A[:, :5] @ rng.standard_normal(5) + 0.1 * rng.standard_normal(80)
    lam = 0.1 * np.abs(A.T @ b).max() / 80
    p = P.lasso(A, b, lam)
    assert p.known_optimum() == (None, None)  # building computes nothing
    fs = p.f_star
    _, f_cvx = solve_with_cvxpy(p)
    assert fs <= f_cvx + 1e-9 and fs == pytest.approx(f_cvx, rel=1e-7)
    # optimality: the subgradient condition holds at x*
    g = A.T @ (A @ p.x_star - b) / 80
    on = np.abs(p.x_star) > 0
    np.testing.assert_allclose(g[on], -lam * np.sign(p.x_star[on]), atol=1e-9)
    assert np.all(np.abs(g[~on]) <= lam * (1 + 1e-9))
