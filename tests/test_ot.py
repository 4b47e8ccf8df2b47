"""Entropic OT: Sinkhorn in the log and scaling domains against POT and the classical theorems."""
import numpy as np
import ot as pot
import pytest
from scipy.optimize import linear_sum_assignment

import pyoptheory as po
from pyoptheory.ot.sinkhorn import col_update, row_update


def clouds(n, m=None, seed=0):
    rng = np.random.default_rng(seed)
    m = n if m is None else m
    C = po.ot.cost(rng.random((n, 2)), rng.random((m, 2)), normalize=True)
    return np.full(n, 1 / n), np.full(m, 1 / m), C


@pytest.mark.parametrize("n", [200, 500])
@pytest.mark.parametrize("factor", [0.05, 0.01])
def test_plans_equal_pots_sinkhorn_log(n, factor):
    a, b, C = clouds(n, seed=n)
    reg = factor * C.max()
    ours = po.ot.sinkhorn(a, b, C, reg, marginal_tol=1e-11, steps=200_000)
    ref = pot.sinkhorn(a, b, C, reg, method="sinkhorn_log", stopThr=1e-12, numItermax=200_000)
    assert ours.success
    assert np.abs(ours.x - ref).sum() / ref.sum() <= 1e-6


@pytest.mark.parametrize("method", ["stabilized", "log", "scaling"])
def test_compiled_kernel_matches_numpy_reference(method):
    a, b, C = clouds(60, 45, seed=3)
    ref = po.ot.sinkhorn(a, b, C, 0.05, method=method, steps=40, marginal_tol=0, backend="numpy", record="all")
    got = po.ot.sinkhorn(a, b, C, 0.05, method=method, steps=40, marginal_tol=0, backend="cpp", record="all")
    np.testing.assert_allclose(got.x, ref.x, rtol=1e-10, atol=1e-16)
    np.testing.assert_allclose(got.trace["marginal_err"], ref.trace["marginal_err"], rtol=1e-8, atol=1e-15)
    np.testing.assert_allclose(got.trace["fun"], ref.trace["fun"], rtol=1e-10)


def test_dual_ascent_at_every_half_step():
    a, b, C = clouds(80, 70, seed=4)
    reg = 0.02
    f, g = np.zeros(80), np.zeros(70)

    def dual():
        P = np.exp((f[:, None] + g[None, :] - C) / reg)
        return a @ f + b @ g - reg * P.sum() + reg

    values = [dual()]
    for _ in range(50):
        row_update(C, a, b, reg, f, g)
        values.append(dual())
        col_update(C, a, b, reg, f, g)
        values.append(dual())
    assert np.all(np.diff(values) >= -1e-13 * np.abs(values).max())


def test_hilbert_metric_contraction():
    """d_{t+1} <= kappa^2 d_t, kappa = tanh(eta D_C/4), d_t = eta osc(f_t - f*) (Franklin-Lorenz)."""
    rng = np.random.default_rng(5)
    n = 120
    C = rng.random((n, n))
    a = b = np.full(n, 1 / n)
    eta = 3.0
    reg = 1 / eta
    # D_C = max_{i,j} [max_k (C_ik - C_jk) + max_l (C_jl - C_il)]
    diff = C[:, None, :] - C[None, :, :]
    D_C = float(np.max(diff.max(axis=2) + np.transpose(diff, (1, 0, 2)).max(axis=2)))
    kappa2 = np.tanh(eta * D_C / 4) ** 2
    star = po.ot.sinkhorn(a, b, C, reg, marginal_tol=1e-15, steps=100_000)
    f, g = np.zeros(n), np.zeros(n)
    dists = []
    for _ in range(30):
        row_update(C, a, b, reg, f, g)
        col_update(C, a, b, reg, f, g)
        dists.append(eta * np.ptp(f - star.f))
    dists = np.array(dists)
    ok = dists[:-1] > 1e-12
    assert kappa2 < 1 and np.all(dists[1:][ok] <= kappa2 * dists[:-1][ok] * (1 + 1e-9))


@pytest.mark.parametrize("eta", [10.0, 50.0, 100.0])
def test_entropic_bias_bound(eta):
    """0 <= <C, P_eta> - OT <= log(n m)/eta (OT exact by linear_sum_assignment)."""
    rng = np.random.default_rng(6)
    n = 60
    C = rng.random((n, n))
    a = np.full(n, 1 / n)
    rows, cols = linear_sum_assignment(C)
    ot_value = C[rows, cols].mean()
    res = po.ot.sinkhorn(a, a, C, 1 / eta, marginal_tol=1e-13, steps=500_000)
    assert res.success
    bias = res.cost - ot_value
    assert -1e-9 <= bias <= np.log(n * n) / eta


def test_rounding_gives_an_exactly_feasible_plan():
    a, b, C = clouds(50, 40, seed=7)
    res = po.ot.sinkhorn(a, b, C, 0.01, steps=20, marginal_tol=0)
    Pr = po.ot.round_to_polytope(res.x, a, b)
    assert np.all(Pr >= 0)
    np.testing.assert_allclose(Pr.sum(1), a, atol=1e-15)
    np.testing.assert_allclose(Pr.sum(0), b, atol=1e-15)
    err = np.abs(res.x.sum(1) - a).sum() + np.abs(res.x.sum(0) - b).sum()
    assert np.abs(Pr - res.x).sum() <= 2 * err + 1e-15


def test_small_regularization_log_domain_is_robust_and_scaling_reports_underflow():
    import warnings

    a, b, C = clouds(200, seed=8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow/underflow warnings either
        res = po.ot.sinkhorn(a, b, C, 1e-4 * C.max(), marginal_tol=1e-9, steps=500, record="all")
    assert np.all(np.isfinite(res.x)) and np.isfinite(res.fun) and np.all(np.isfinite(res.trace["marginal_err"]))
    assert res.trace["marginal_err"][-1] < 0.5 * res.trace["marginal_err"][1]  # slow at this reg (SNS territory)
    assert np.all(np.diff(res.trace["fun"]) >= -1e-12 * abs(res.fun))  # still an ascent
    sc = po.ot.sinkhorn(a, b, C, 1e-4 * C.max(), method="scaling", steps=100)
    assert not sc.success and "underflow" in sc.message and np.all(np.isfinite(sc.x))


def test_zero_mass_bins_non_square_and_invariance():
    rng = np.random.default_rng(9)
    a = rng.random(30)
    a[[3, 7]] = 0.0
    a /= a.sum()
    b = rng.random(20)
    b /= b.sum()
    C = rng.random((30, 20))
    res = po.ot.sinkhorn(a, b, C, 0.05, marginal_tol=1e-12)
    assert res.success and np.all(res.x[[3, 7]] == 0) and np.all(np.isfinite(res.x))
    shifted = po.ot.sinkhorn(a, b, C + rng.random(30)[:, None] + rng.random(20)[None, :], 0.05, marginal_tol=1e-12)
    np.testing.assert_allclose(shifted.x, res.x, rtol=1e-8, atol=1e-14)


def test_stops_budget_time_and_callback():
    a, b, C = clouds(100, seed=10)
    res = po.ot.sinkhorn(a, b, C, 1e-3, steps=5, marginal_tol=1e-12)
    assert not res.success and "above marginal_tol" in res.message and np.isfinite(res.marginal_err)
    res = po.ot.sinkhorn(a, b, C, 1e-4, steps=10**7, max_time=0.1, marginal_tol=0)
    assert res.status == 3 and not res.success

    def cb(r):
        if r.nit >= 3:
            raise StopIteration

    res = po.ot.sinkhorn(a, b, C, 1e-3, steps=100, record="all", callback=cb, marginal_tol=0)
    assert res.status == 4 and res.nit == 3


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(a=np.full(3, 0.5)), ValueError, "masses differ"),
    (dict(a=np.array([0.5, 0.6, -0.1])), ValueError, "a: marginals must be nonnegative"),
    (dict(C=np.full((3, 3), np.nan)), ValueError, "C: contains"),
    (dict(reg=0.0), ValueError, "reg: must be positive"),
    (dict(reg=-1.0), ValueError, "reg"),
    (dict(b=np.full(4, 0.25)), ValueError, "b: expected shape"),
    (dict(method="sparse"), ValueError, "method"),
    (dict(backend="gpu"), ValueError, "backend"),
])
def test_bad_input(kwargs, exc, match):
    args = dict(a=np.full(3, 1 / 3), b=np.full(3, 1 / 3), C=np.ones((3, 3)), reg=0.1)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        po.ot.sinkhorn(args.pop("a"), args.pop("b"), args.pop("C"), args.pop("reg"), **args)


def test_normalize_and_integer_input():
    res = po.ot.sinkhorn(np.array([1, 2, 3]), np.array([3, 3, 0]), np.arange(9).reshape(3, 3), 1.0, normalize=True)
    assert res.success and res.x.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_sns_needs_20x_fewer_iterations_than_sinkhorn_on_random_assignment(seed):
    """The paper's claim (Tang et al. 2024, Table 1; catalogue 2.7 item 6), an empirical one: random
    assignment, n = 500, eta = 1200, dual gap 1e-9; and the Newton stage's consecutive gap ratios are
    below 1/2 while the gap is above 1e-12 |f*|."""
    rng = np.random.default_rng(seed)
    n = 500
    C = rng.random((n, n))
    a = np.full(n, 1 / n)
    reg = 1 / 1200
    sns = po.ot.sinkhorn(a, a, C, reg, method="sns", marginal_tol=1e-14, steps=500)
    assert sns.success and sns.newton_steps > 0 and np.all(np.isfinite(sns.x))
    plain = po.ot.sinkhorn(a, a, C, reg, marginal_tol=0, steps=2000, record="all")
    f_star = max(sns.trace["fun"].max(), plain.trace["fun"].max())
    gap = f_star - sns.trace["fun"]
    k_sns = int(sns.trace["iter"][np.argmax(gap <= 1e-9)])
    k_plain = plain.trace["iter"][f_star - plain.trace["fun"] <= 1e-9]
    assert k_plain.size == 0 or k_plain[0] >= 20 * k_sns
    newton = gap[-sns.newton_steps - 1:]
    big = newton[:-1] > 1e-12 * abs(f_star)
    assert np.all(newton[1:][big] < 0.5 * newton[:-1][big])


def test_sns_agrees_with_sinkhorn_and_is_invariant():
    rng = np.random.default_rng(12)
    n = 120
    C = rng.random((n, n))
    a = np.full(n, 1 / n)
    reg = 1 / 200
    ref = po.ot.sinkhorn(a, a, C, reg, marginal_tol=1e-13, steps=200_000)
    sns = po.ot.sinkhorn(a, a, C, reg, method="sns", marginal_tol=1e-13, steps=300)
    assert ref.success and sns.success and sns.cg_residual <= 1e-9
    assert np.abs(sns.x - ref.x).sum() <= 1e-9
    shifted = po.ot.sinkhorn(a, a, C + rng.random(n)[:, None] + rng.random(n)[None, :], reg, method="sns",
                             marginal_tol=1e-13, steps=300)
    assert np.abs(shifted.x - sns.x).sum() <= 1e-9


def test_sparsified_newton_matrix_is_positive_semidefinite():
    from pyoptheory.ot.sns import sparsified_hessian

    rng = np.random.default_rng(13)
    n = 80
    C = rng.random((n, n))
    a = np.full(n, 1 / n)
    w = po.ot.sinkhorn(a, a, C, 1 / 500, steps=20, marginal_tol=0)
    P = np.exp((w.f[:, None] + w.g[None, :] - C) / (1 / 500))
    for sparsity in (2 / n, 10 / n, 1.0):
        M = sparsified_hessian(P, 1 / 500, sparsity).toarray()
        ev = np.linalg.eigvalsh(M)
        assert ev[0] >= -1e-12 * ev[-1]


def test_stabilized_absorbs_and_recovers_from_underflow_like_the_log_domain():
    """The absorption-stabilized iteration is Sinkhorn's iteration: same plan as the log domain after
    the same number of iterations, at a reg where exp(-C/reg) underflows (so absorptions and
    log-domain fallbacks happen), on both backends, without a warning."""
    import warnings

    a, b, C = clouds(150, 120, seed=12)
    C = C + 1.0  # exp(-C/reg) underflows in every entry
    reg = 5e-4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log = po.ot.sinkhorn(a, b, C, reg, method="log", steps=300, marginal_tol=0)
        st = {be: po.ot.sinkhorn(a, b, C, reg, steps=300, marginal_tol=0, backend=be, record="all")
              for be in ("cpp", "numpy")}
    for res in st.values():
        assert res.absorptions > 0 and res.log_steps > 0 and np.all(np.isfinite(res.x))
        assert np.abs(res.x - log.x).sum() <= 1e-9 * log.x.sum()
        assert np.all(np.diff(res.trace["fun"]) >= -1e-12 * abs(res.fun))  # dual ascent
    assert st["cpp"].absorptions == st["numpy"].absorptions and st["cpp"].log_steps == st["numpy"].log_steps
    np.testing.assert_allclose(st["cpp"].trace["marginal_err"], st["numpy"].trace["marginal_err"], rtol=1e-8)


def test_stabilized_with_a_tight_absorption_bound_matches_the_reference():
    a, b, C = clouds(60, 45, seed=13)
    kw = dict(steps=80, marginal_tol=0, record="all", absorb_bound=10.0)
    ref = po.ot.sinkhorn(a, b, C, 0.002, backend="numpy", **kw)
    got = po.ot.sinkhorn(a, b, C, 0.002, backend="cpp", **kw)
    assert got.absorptions == ref.absorptions > 5
    np.testing.assert_allclose(got.x, ref.x, rtol=1e-10, atol=1e-16)
    np.testing.assert_allclose(got.trace["fun"], ref.trace["fun"], rtol=1e-10)
    with pytest.raises(ValueError, match="absorb_bound"):
        po.ot.sinkhorn(a, b, C, 0.002, absorb_bound=1.0)


def test_vectorized_exp_is_within_one_ulp_and_keeps_special_values():
    from pyoptheory import _core

    x = np.concatenate([np.linspace(-707, 709.7, 400_001), np.random.default_rng(0).uniform(-40, 40, 100_000)])
    out = np.empty((1, x.size))
    _core.sinkhorn_plan(-x[None, :].copy(), np.zeros(1), np.zeros(x.size), 1.0, out, 1)
    ref = np.exp(x)
    assert np.max(np.abs(out[0] - ref) / np.spacing(ref)) <= 1.0
    special = np.array([-np.inf, -800.0, -707.5, 709.9, np.inf, np.nan])
    out = np.empty((1, special.size))
    _core.sinkhorn_plan(-special[None, :], np.zeros(1), np.zeros(special.size), 1.0, out, 1)
    np.testing.assert_array_equal(out[0], [0.0, 0.0, 0.0, np.inf, np.inf, np.nan])


@pytest.mark.parametrize("method", ["stabilized", "log"])
def test_memory_is_cost_plus_one_plan(method):
    """The issue's budget: at most two n x m float64 arrays alive (C, and the kernel that becomes the plan)."""
    import tracemalloc

    a, b, C = clouds(700, seed=14)
    tracemalloc.start()
    tracemalloc.reset_peak()
    res = po.ot.sinkhorn(a, b, C, 0.01 * C.max(), method=method, steps=50, marginal_tol=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert res.nit == 50
    assert peak <= 1.1 * C.nbytes  # beyond C (allocated before): the plan and O(n + m) vectors


def test_transport_theorem_checks_can_fail():
    """Birkhoff's ratio is attained on the 2 x 2 instance: a 5% smaller contraction ratio fails there;
    the derived marginal-error bound with a 100x smaller constant fails."""
    from pyoptheory.theory.base import Theorem

    th = po.theorems("sinkhorn.hilbert")
    wrong = Theorem(**{**th.__dict__, "id": "wrong-hilbert",
                       "bound": lambda T, c, p: (c.kappa ** 1.05) ** (2 * T - 1) * p["d0"]})
    rep = po.verify(wrong, problem="two_point_near_uniform", quick=True)
    assert not rep.passed and rep.bound_holds is False
    assert po.verify(th, problem="two_point_near_uniform", quick=True).tightness == pytest.approx(1.0, abs=1e-6)
    th = po.theorems("sinkhorn.marginal_error")
    wrong = Theorem(**{**th.__dict__, "id": "wrong-awr",
                       "bound": lambda T, c, p: np.sqrt(0.0002 * c.log_s_over_l / T)})
    assert not po.verify(wrong, problem="uniform_cost_eta200", quick=True).passed


def test_entropic_ot_constants_are_exact():
    from pyoptheory.ot.problems import EntropicOT, cost_diameter

    rng = np.random.default_rng(15)
    C = rng.random((7, 5))
    brute = max(C[i, k] + C[j, l] - C[i, l] - C[j, k] for i in range(7) for j in range(7) for k in range(5)
                for l in range(5))
    assert cost_diameter(C) == pytest.approx(brute, rel=1e-15)
    p = EntropicOT(np.full(7, 1 / 7), np.full(5, 1 / 5), C, 0.1)
    K = np.exp(-C / 0.1)
    assert p.constants.log_s_over_l == pytest.approx(np.log(K.sum() / K.min()), rel=1e-13)
    assert p.constants.kappa == pytest.approx(np.tanh(brute / 0.4), rel=1e-14)


@pytest.mark.parametrize("method", ["stabilized", "log", "scaling"])
def test_resume_from_the_returned_potentials(method):
    """A stopped run (budget, max_time, Ctrl-C) resumes from ``warm_start=(res.f, res.g)``."""
    a, b, C = clouds(80, 70, seed=16)
    full = po.ot.sinkhorn(a, b, C, 0.01, method=method, steps=100, marginal_tol=0)
    first = po.ot.sinkhorn(a, b, C, 0.01, method=method, steps=40, marginal_tol=0)
    rest = po.ot.sinkhorn(a, b, C, 0.01, method=method, steps=60, marginal_tol=0, warm_start=(first.f, first.g))
    np.testing.assert_allclose(rest.x, full.x, rtol=1e-10, atol=1e-17)
