"""Divergence, warnings, interruption, infeasible starts, and the trace options."""
import numpy as np
import pytest

import pyoptheory as po
from pyoptheory import problems as P


@pytest.mark.parametrize("backend", ["numpy", "numba", "cpp"])
def test_divergence_ends_with_success_false_and_the_iteration(backend):
    p = P.quadratic(10, L=1.0, mu=0.5, seed=0)
    with pytest.warns(RuntimeWarning, match="gd.convex.smooth"):
        res = po.solve(p, "gd", steps=5000, step=3.0, backend=backend)
    assert not res.success and res.status == 1
    assert "diverged" in res.message and "iteration" in res.message
    assert res.nit < 5000


def test_step_above_theorem_warns_but_runs():
    p = P.quadratic(10, L=1.0, mu=0.5, seed=0)
    with pytest.warns(RuntimeWarning, match="exceeds 1/L"):
        res = po.solve(p, "gd", steps=10, step=1.5)
    assert res.success


def test_keyboard_interrupt_returns_partial_result():
    p = P.quadratic(10, L=1.0, mu=0.1, seed=0)

    def cb(r):
        if r.nit >= 5:
            raise KeyboardInterrupt

    res = po.solve(p, "gd", steps=100, record="all", callback=cb)
    assert res.status == 5 and not res.success and res.nit == 5 and "interrupted" in res.message


def test_infeasible_x0_is_refused():
    p = P.l1_distance(np.zeros(3), radius=1.0)
    with pytest.raises(ValueError, match="x0"):
        po.solve(p, "subgradient", x0=np.full(3, 5.0), steps=3)


def test_record_options():
    p = P.quadratic(5, L=1.0, mu=0.1, seed=0)
    assert len(po.solve(p, "gd", steps=30, record="all").trace) == 31
    tr = po.solve(p, "gd", steps=1000, record=np.array([10, 500])).trace
    assert tr["iter"].tolist() == [0, 10, 500, 1000]
    with pytest.raises(ValueError, match="record"):
        po.solve(p, "gd", steps=10, record=np.array([20]))


def test_tolerances_stop_the_run():
    p = P.quadratic(5, L=1.0, mu=0.5, seed=0)
    res = po.solve(p, "gd", steps=10000, gap_tol=1e-8, record="all")
    assert res.status == 6 and res.success and res.trace["gap"][-1] <= 1e-8 < res.trace["gap"][-2]
    res = po.solve(p, "gd", steps=10000, grad_tol=1e-6, record="all")
    assert res.status == 6 and res.trace["grad_norm"][-1] <= 1e-6


def test_outputs_of_subgradient():
    p = P.l1_distance(np.linspace(-0.2, 0.2, 5), radius=1.0, x0=np.full(5, 0.4))
    best = po.solve(p, "subgradient", steps=200, output="best")
    last = po.solve(p, "subgradient", steps=200, output="last")
    avg = po.solve(p, "subgradient", steps=200, output="step_weighted")
    assert best.fun <= last.fun + 1e-15
    assert best.fun == pytest.approx(best.trace["gap_best"][-1], abs=1e-12)  # f* = 0
    assert best.trace["gap_best"][-1] <= np.min(best.trace["gap"]) + 1e-15
    assert "gap_avg" in avg.trace and avg.fun == pytest.approx(avg.trace["gap_avg"][-1], abs=1e-12)


def test_polyak_step_needs_f_star_and_converges():
    p = P.l1_distance(np.linspace(-0.2, 0.2, 5), x0=np.full(5, 0.4))
    res = po.solve(p, "subgradient", steps=500, step_rule="polyak")
    assert res.fun < 1e-6


def test_armijo_on_composite_and_counters():
    p = P.lasso_certified(60, 20, 0.1, seed=0)
    res = po.solve(p, "gd_armijo", steps=300, step=10.0)
    assert res.success and res.fun - p.f_star < 1e-8
    assert res.fevals >= 300 and res.grad_evals >= 300


def test_n_threads_follows_threadpool_limits():
    from threadpoolctl import threadpool_limits

    from pyoptheory.methods._driver import default_threads

    with threadpool_limits(1, user_api="blas"):
        assert default_threads() == 1


def test_non_contiguous_and_integer_problem_data_are_copied():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((30, 12))
    b = rng.standard_normal(30)
    p1 = P.least_squares(A[:, ::2], b)
    p2 = P.least_squares(np.ascontiguousarray(A[:, ::2]), b)
    np.testing.assert_array_equal(po.solve(p1, "gd", steps=20).x, po.solve(p2, "gd", steps=20).x)
    pi = P.least_squares(np.arange(12).reshape(6, 2), np.arange(6))
    assert pi.A.dtype == np.float64 and pi.A.flags.c_contiguous


def test_default_start_is_feasible_and_starting_at_the_optimum_is_not_divergence():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((20, 5))
    p = P.least_squares(A, rng.standard_normal(20), constraint=P.Simplex(1.0))
    assert p.feasible(p.x0)
    assert po.solve(p, "projected_gd", steps=10).success
    q = P.l1_distance(np.zeros(4), x0=np.zeros(4))
    res = po.solve(q, "subgradient", steps=50, step=0.1)
    assert res.success and res.fun == 0.0


@pytest.mark.parametrize("method", ["gfm", "gfm_plus"])
@pytest.mark.parametrize("steps,error", [(None, TypeError), ("5", TypeError), (-1, ValueError), (5.5, TypeError)])
def test_gfm_default_step_validates_steps_first(method, steps, error):
    """Found by the slow fuzz profile: GFM's default step read ``steps`` with ``int()`` before validating it."""
    from pyoptheory.zeroth import StochasticNorm

    with pytest.raises(error, match="steps"):
        po.solve(StochasticNorm(3, radius=0.5), method, steps=steps, seed=0)
