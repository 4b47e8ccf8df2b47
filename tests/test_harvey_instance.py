"""The Harvey-Liaw-Plan-Randhawa (2019) final-iterate lower-bound instance, Lipschitz case.

Formulas and the derivations they rely on: pyoptheory/problems/last_iterate.py.
"""
import time

import numpy as np
import pytest

import pyoptheory as po
from pyoptheory.methods.gradient import subgradient_steps
from pyoptheory.problems.last_iterate import HarveyLipschitz, harvey_lipschitz
from pyoptheory.problems.sets import Ball


def dense_reference(T):
    """Slow construction straight from the definition (1-based i, j), independent of the class."""
    a = [1.0 / (8.0 * (T - j + 1)) for j in range(1, T + 1)]
    b = [np.sqrt(j) / (2.0 * np.sqrt(T)) for j in range(1, T + 1)]
    H = np.zeros((T + 1, T))
    for i in range(1, T + 2):
        for j in range(1, T + 1):
            if j < i:
                H[i - 1, j - 1] = a[j - 1]
            elif j == i:
                H[i - 1, j - 1] = -b[i - 1]
    return H


def run_last(p, steps=None):
    steps = p.T if steps is None else steps
    return po.solve(p, "subgradient", steps=steps, step=p.c, step_rule="sqrt", output="last", backend="numpy")


# --- oracles -------------------------------------------------------------------------
def test_oracles_match_dense_construction():
    T = 7
    p = harvey_lipschitz(T)
    H = dense_reference(T)
    assert np.array_equal(p.dense_H(), H)
    rng = np.random.default_rng(0)
    points = [rng.standard_normal(T) * s for s in (0.01, 0.3, 1.0, 5.0) for _ in range(25)]
    points += [np.zeros(T), p.paper_iterate(3), p.paper_iterate(T + 1), -np.ones(T)]
    for x in points:
        v = H @ x
        np.testing.assert_allclose(p.values(x), v, rtol=0, atol=1e-14)
        assert p.f(x) == pytest.approx(v.max(), abs=1e-14)
        i = int(np.flatnonzero(v >= v.max() - 1e-13)[0])        # first maximiser, dense
        assert p.active_index(x) == i + 1
        np.testing.assert_array_equal(p.grad(x), H[i])
        assert p.f(x) >= H[i] @ x - 1e-14                         # h_i is a subgradient: f(y) >= f(x) + h_i (y - x)
        y = rng.standard_normal(T)
        assert p.f(y) >= p.f(x) + H[i] @ (y - x) - 1e-12


def test_oracle_breaks_ties_at_the_smallest_index():
    p = harvey_lipschitz(7)
    assert p.active_index(np.zeros(7)) == 1                       # all h_i^T 0 = 0 tie
    np.testing.assert_array_equal(p.grad(np.zeros(7)), p.h(1))
    x = p.paper_iterate(4)                                        # zero from coordinate 4 on: i = 4..8 tie
    v = p.values(x)
    assert np.all(v[3:] == v[3]) and np.all(v[:3] < v[3])
    assert p.active_index(x) == 4


def test_constants_kind_start_and_steps():
    T = 7
    p = harvey_lipschitz(T, c=1.5)
    H = dense_reference(T)
    assert p.constants["G"] == pytest.approx(np.max(np.linalg.norm(H, axis=1)), rel=1e-14)
    assert p.constants["G"] <= np.sqrt(0.25 + np.pi ** 2 / 384)  # derived bound: 1-Lipschitz
    assert p.constants["D"] == 2.0
    assert p.kind == "nonsmooth_constrained" and p.name == "harvey_lipschitz(T=7)" and p.dim == T
    assert isinstance(p.regularizer, Ball) and p.regularizer.scalar == 1.0
    np.testing.assert_array_equal(p.x0, np.zeros(T))
    np.testing.assert_allclose(p.step_sizes(), 1.5 / np.sqrt(np.arange(1, T + 1)), rtol=1e-15)
    np.testing.assert_array_equal(p.step_sizes(), subgradient_steps("sqrt", 1.5, T).values(0, T))
    y = np.array([3.0, -4.0, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(p.prox(y, 0.1), y / 5.0)            # prox = projection onto the unit ball
    with pytest.raises(ValueError):
        harvey_lipschitz(1)
    with pytest.raises(ValueError):
        harvey_lipschitz(10, optimum="guess")
    with pytest.raises(ValueError):
        harvey_lipschitz(10, c=3.0).lower_bound()


def test_G_large_T_matches_direct_norms():
    p = harvey_lipschitz(3000)
    norms = [np.linalg.norm(p.h(i)) for i in range(1, p.T + 2)]
    assert p.constants["G"] == pytest.approx(max(norms), rel=1e-13)


def test_oracles_are_linear_time():
    # a dense (T+1) x T matrix would need 320 GB here; O(T) oracles take milliseconds
    p = harvey_lipschitz(200_000)
    x = np.random.default_rng(1).standard_normal(p.T) / np.sqrt(p.T)
    t0 = time.perf_counter()
    for _ in range(5):
        p.f(x)
        g = p.grad(x)
    assert time.perf_counter() - t0 < 2.0
    assert g.shape == (p.T,)


# --- optimum ---------------------------------------------------------------------------
@pytest.mark.parametrize("T", [7, 100, 10_000])
def test_exact_optimum_is_zero_and_certified(T):
    p = harvey_lipschitz(T)
    assert p.f_star == 0.0 and p.f(np.zeros(T)) == 0.0
    np.testing.assert_array_equal(p.x_star, np.zeros(T))
    lam, residual = p.certificate()
    assert lam.shape == (T + 1,) and np.all(lam > 0) and lam.sum() == pytest.approx(1.0, abs=1e-14)
    assert residual <= 1e-15                                      # sum_i lam_i h_i = 0: f >= 0 everywhere
    if T <= 100:
        assert np.linalg.norm(lam @ dense_reference(T)) <= 1e-15


@pytest.mark.parametrize("T", [7, 100])
def test_f_star_below_random_feasible_points(T):
    p = harvey_lipschitz(T)
    rng = np.random.default_rng(T)
    for _ in range(2000):
        x = rng.standard_normal(T)
        x *= rng.uniform() ** (1.0 / T) / np.linalg.norm(x)      # uniform in the ball
        assert p.f_star <= p.f(x)
        assert p.f(x) > 0.0                                       # x* = 0 is the unique minimizer
        assert p.f_star <= p.f(x / np.linalg.norm(x))             # and on the sphere


@pytest.mark.parametrize("T", [7, 1000, 10_000])
def test_cvxpy_sparse_optimum_agrees(T):
    p = harvey_lipschitz(T, optimum="cvxpy")
    t0 = time.perf_counter()
    f_star = p.f_star
    elapsed = time.perf_counter() - t0
    info = p.cvxpy_info
    assert info["status"] == "optimal"
    assert np.linalg.norm(p.x_star) <= 1.0 and p.feasible(p.x_star)
    assert f_star == pytest.approx(p.f(p.x_star))
    assert info["lower"] <= 0.0 <= info["upper"]                 # the dual certificate brackets the exact f* = 0
    assert info["bracket"] <= 1e-6 and abs(f_star) <= 1e-7
    assert np.linalg.norm(p.x_star) <= 1e-5                      # x* = 0
    assert elapsed < 10.0


# --- the lower bound ---------------------------------------------------------------------
def test_library_iterate_index_is_paper_index_plus_one():
    T = 50
    p = harvey_lipschitz(T)
    x = p.x0                                                      # paper x_1 = 0
    eta = p.step_sizes()
    for t in range(1, T + 1):                                     # replay the paper's recursion with the oracle
        np.testing.assert_allclose(x, p.paper_iterate(t), rtol=0, atol=1e-15)
        assert p.active_index(x) == t                             # the oracle returns h_t at x_t
        assert np.linalg.norm(x) <= 0.5                           # ||x_t||^2 <= c^2/4: projection inactive
        x = p.prox(x - eta[t - 1] * p.grad(x), eta[t - 1])
    for k in (0, 1, 7, T - 1, T):                                 # library x_k (k steps) = paper x_{k+1}
        res = run_last(p, steps=k)
        np.testing.assert_allclose(res.x, p.paper_iterate(k + 1), rtol=0, atol=1e-15)


MEASURED = {}


def _gap_check(T, c=1.0):
    p = harvey_lipschitz(T, c)
    res = run_last(p)
    gap = p.f(res.x) - p.f_star
    assert res.nit == T and gap == pytest.approx(res.fun - p.f_star, abs=1e-15)
    assert gap == pytest.approx(p.final_value(), rel=1e-12)      # = h_{T+1}^T x_{T+1}, closed form
    assert gap >= p.lower_bound(sharp=True) >= p.lower_bound()    # c H_T/(32 sqrt T) >= c log T/(32 sqrt T)
    assert gap >= np.log(T) / (32 * np.sqrt(T)) or c < 1
    return gap


@pytest.mark.parametrize("T", [10, 100, 1000])
def test_final_iterate_lower_bound(T):
    MEASURED[T] = _gap_check(T)


@pytest.mark.parametrize("c", [0.25, 0.5, 2.0])
def test_final_iterate_lower_bound_other_steps(c):
    _gap_check(300, c)


def test_log_gap_between_last_iterate_and_sqrt_rate():
    Ts = [10, 100, 1000]
    gaps = np.array([MEASURED.get(T) or _gap_check(T) for T in Ts])
    scaled = np.sqrt(Ts) * gaps                                   # sqrt(T) * gap: grows like log T
    ratio = scaled / np.log(Ts)                                   # sqrt(T) * gap / log T: bounded away from 0
    assert np.all(np.diff(scaled) > 0.08)                         # measured 0.159, 0.263, 0.371
    assert scaled[-1] > 2 * scaled[0]
    assert np.all(ratio > 3 / 64 * 0.95) and np.all(ratio < 0.08)  # measured 0.069, 0.057, 0.054 -> 3/64
    # the best iterate is not log-worse: f_best - f* = 0 (x_1 = 0 is optimal), the log is a last-iterate effect
    p = harvey_lipschitz(100)
    res = po.solve(p, "subgradient", steps=100, step=1.0, step_rule="sqrt", output="best", backend="numpy")
    assert p.f(res.x) == 0.0


def test_final_iterate_T_1e4_value_and_runtime():
    p = harvey_lipschitz(10_000)
    t0 = time.perf_counter()
    res = run_last(p)
    elapsed = time.perf_counter() - t0
    assert res.nit == 10_000 and elapsed < 10.0                   # O(T) per step: measured about 1.4 s
    gap = p.f(res.x) - p.f_star
    assert gap == pytest.approx(p.final_value(), rel=1e-12)
    assert gap >= p.lower_bound(sharp=True) >= p.lower_bound()
    assert 0.45 < np.sqrt(10_000) * gap < 0.51                    # measured 0.4785; over log T: 0.0519


def test_class_and_factory_agree():
    p, q = harvey_lipschitz(20, 0.7), HarveyLipschitz(20, 0.7)
    x = np.linspace(-0.2, 0.2, 20)
    assert p.f(x) == q.f(x) and np.array_equal(p.grad(x), q.grad(x))
