"""Sinkhorn-Newton-Sparse: the compiled Newton stage (cpp/include/pyoptheory/sns.hpp) against the NumPy
reference (pyoptheory/ot/sns.py), the exact top-k selection, ties, zero-mass bins, small reg, bad input."""
import warnings

import numpy as np
import pytest

import pyoptheory as po
from pyoptheory import _core
from pyoptheory.ot import sns


def problem(kind, n, m, reg, seed=0, warm=20):
    """Cost, marginals and potentials after ``warm`` log-domain Sinkhorn iterations."""
    rng = np.random.default_rng(seed)
    if kind == "clouds":
        C = po.ot.cost(rng.random((n, 2)), rng.random((m, 2)), normalize=True)
    else:
        C = rng.random((n, m))
    a, b = np.full(n, 1 / n), np.full(m, 1 / m)
    if kind == "lognormal":
        a, b = np.exp(rng.standard_normal(n)), np.exp(rng.standard_normal(m))
        a, b = a / a.sum(), b / b.sum()
    w = po.ot.sinkhorn(a, b, C, reg, steps=warm, marginal_tol=0, backend="numpy")
    return C, a, b, w.f.copy(), w.g.copy()


def both(C, a, b, reg, f, g, steps, tol, sparsity, n_threads=2):
    f1, g1, f2, g2 = f.copy(), g.copy(), f.copy(), g.copy()
    got = _core.sns_newton(C, a, b, reg, f1, g1, steps, tol, sparsity, 1e-10, n_threads)
    ref = sns.newton_steps(C, a, b, reg, f2, g2, steps, tol, sparsity, 1e-10)
    return (f1, g1, got), (f2, g2, ref)


def rel(x, y):
    return np.abs(x - y).max() / np.abs(y).max()


CASES = [("random", 300, 300, 1 / 1200, 10 / 300), ("clouds", 200, 150, 1e-3, 0.05), ("lognormal", 120, 90, 5e-3, 0.1)]


@pytest.mark.parametrize("kind,n,m,reg,sparsity", CASES)
def test_one_step_matches_reference(kind, n, m, reg, sparsity):
    C, a, b, f, g = problem(kind, n, m, reg)
    (f1, g1, got), (f2, g2, ref) = both(C, a, b, reg, f, g, 1, 0.0, sparsity)
    assert got["steps"] == ref["steps"] == 1 and got["status"] == ref["status"] == 0
    assert got["nnz"] == ref["nnz"] == sns.kept_count(sparsity, n, m)
    assert got["alpha"] == ref["alpha"] > 0
    assert rel(f1, f2) <= 1e-9 and rel(g1, g2) <= 1e-9
    assert np.abs(f1 - f).max() > 1e3 * np.abs(f1 - f2).max()  # the step moved: the agreement is not trivial
    assert got["cg_residual"] <= 1e-9 and ref["cg_residual"] <= 1e-9
    np.testing.assert_allclose(got["marginal_err"], ref["marginal_err"], rtol=1e-8)
    # D agrees as far as the potentials do (about 1e-14 relative after a step of CG)
    assert abs(got["fun"] - ref["fun"]) <= 1e-12 * max(np.abs(f2).max(), np.abs(g2).max())


@pytest.mark.parametrize("kind,n,m,reg,sparsity", CASES)
def test_converged_run_matches_reference(kind, n, m, reg, sparsity):
    C, a, b, f, g = problem(kind, n, m, reg)
    (f1, g1, got), (f2, g2, ref) = both(C, a, b, reg, f, g, 200, 1e-13, sparsity)
    assert got["status"] == ref["status"] == 0
    assert got["marginal_err"] <= 1e-13 and ref["marginal_err"] <= 1e-13
    assert abs(got["steps"] - ref["steps"]) <= 1
    s1, s2 = f1.mean(), f2.mean()  # gauge: compare (f - mean f, g + mean f)
    assert rel(f1 - s1, f2 - s2) <= 1e-10 and rel(g1 + s1, g2 + s2) <= 1e-10
    np.testing.assert_allclose(got["step_err"][:3], ref["step_err"][:3], rtol=1e-6)


def test_thread_count_changes_only_rounding():
    C, a, b, f, g = problem("random", 300, 300, 1 / 1200)
    outs = []
    for nt in (1, 2):
        ff, gg = f.copy(), g.copy()
        outs.append((ff, gg, _core.sns_newton(C, a, b, 1 / 1200, ff, gg, 2, 0.0, 10 / 300, 1e-10, nt)))
    (f1, g1, o1), (f2, g2, o2) = outs
    assert rel(f1, f2) <= 1e-9 and rel(g1, g2) <= 1e-9
    assert o1["nnz"] == o2["nnz"] and np.array_equal(o1["step_alpha"], o2["step_alpha"])


def selection(C, reg, f, g, sparsity, n_threads=2):
    n, m = C.shape
    ip, ix, val, passes = _core.sns_sparsify(C, np.full(n, 1 / n), np.full(m, 1 / m), reg, f, g, sparsity, n_threads)
    assert ip[0] == 0 and ip[-1] == ix.size and np.all(np.diff(ip) >= 0)
    for i in range(n):  # CSR rows sorted by column
        assert np.all(np.diff(ix[ip[i]:ip[i + 1]]) > 0)
    return np.repeat(np.arange(n), np.diff(ip)) * m + ix, val, passes


@pytest.mark.parametrize("sparsity", [1e-9, 0.004, 10 / 300, 0.25, 1.0])
@pytest.mark.parametrize("outlier", [False, True])
def test_selection_keeps_exactly_the_largest_entries(sparsity, outlier):
    rng = np.random.default_rng(5)
    n, m, reg = 300, 280, 0.01
    C = rng.random((n, m))
    if outlier:  # one huge exponent stretches the first histogram: the cut bin must be re-binned
        C[5, 7] = -1e4
    f, g = rng.standard_normal(n) * 0.01, rng.standard_normal(m) * 0.01
    idx, val, passes = selection(C, reg, f, g, sparsity)
    with np.errstate(over="ignore"):  # the outlier's entry is inf here, and the largest
        P = np.exp((f[:, None] + g[None, :] - C) * (1.0 / reg)).ravel()  # the kernels' exponent, bit for bit
    k = int(np.ceil(sparsity * n * m))
    assert idx.size == k
    if k < P.size:
        top = np.argpartition(P, P.size - k)[P.size - k:]
        np.testing.assert_array_equal(np.sort(P[idx]), np.sort(P[top]))  # no ties here: the same set
        assert np.array_equal(np.sort(idx), np.sort(top))
    # re-binning is needed when the bin of the k-th largest holds more than max(k, 65536) entries: with the
    # outlier the first histogram has all other 83999 entries in its lowest bin
    assert passes == (0 if k == P.size else 2 if outlier and 2 <= k < 83999 else 1)
    finite = np.isfinite(P[idx])
    np.testing.assert_allclose(val[finite], P[idx][finite], rtol=1e-14)  # std::exp against NumPy's exp


def test_sparsity_ten_over_n_keeps_ten_per_row_on_average():
    C, a, b, f, g = problem("random", 300, 300, 1 / 1200)
    assert sns.kept_count(10 / 300, 300, 300) == 3000 and sns.kept_count(1234.5 / 90000, 300, 300) == 1235
    (_, _, got), _ = both(C, a, b, 1 / 1200, f, g, 1, 0.0, 10 / 300)
    assert got["nnz"] == 3000  # not 3001, although (10/300)*300*300 = 3000.0000000000005


@pytest.mark.parametrize("kind", ["constant", "two values", "three values"])
def test_ties_are_broken_by_smallest_index(kind):
    rng = np.random.default_rng(6)
    n = 400 if kind == "two values" else 300  # two values: 80000 equal entries, more than one bin may hold
    C = {"constant": np.ones((n, n)), "two values": rng.integers(0, 2, (n, n)) / 4.0,
         "three values": rng.integers(0, 3, (n, n)) / 4.0}[kind]
    f = g = np.zeros(n)
    for sparsity in (0.0137, 0.2, 0.9):
        idx, _, passes = selection(C, 0.01, f, g, sparsity)
        k = sns.kept_count(sparsity, n, n)
        flat = C.ravel()
        # expected: all entries of cost below the k-th smallest cost, then equal ones by row-major index
        kth = np.sort(flat)[k - 1]
        expected = np.sort(np.concatenate([np.flatnonzero(flat < kth), np.flatnonzero(flat == kth)[:k - (flat < kth).sum()]]))
        np.testing.assert_array_equal(idx, expected)
        np.testing.assert_array_equal(sns.top_k(-C / 0.01, k), expected)  # the reference's rule
        if kind == "two values" and sparsity == 0.2:
            assert passes == 2  # the cut bin held 80000 equal values: found to be one value, cut by index


def test_large_first_step_uses_the_guarded_line_search_identically():
    """From zero potentials P = exp(-C/reg) is tiny and the Newton direction huge: trial exponents are
    formed explicitly, the large ones rejected, and neither implementation overflows or warns."""
    rng = np.random.default_rng(1)
    n, reg = 60, 1 / 300
    C = rng.random((n, n))
    a = np.full(n, 1 / n)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (f1, _, got), (f2, _, ref) = both(C, a, a, reg, np.zeros(n), np.zeros(n), 3, 0.0, 0.2)
    assert np.array_equal(got["step_alpha"], ref["step_alpha"])
    assert got["step_alpha"][0] < 2.0**-30  # far below 1: the guard and the halving both mattered
    assert np.all(np.diff(np.concatenate([[-np.inf], got["step_fun"]])) > 0)  # ascent
    assert rel(f1, f2) <= 1e-9 and np.all(np.isfinite(f1))


@pytest.mark.parametrize("backend", ["cpp", "numpy"])
def test_small_regularization_converges_without_warnings(backend):
    rng = np.random.default_rng(8)
    n = 300
    C = po.ot.cost(rng.random((n, 2)), rng.random((n, 2)), normalize=True)
    a = np.full(n, 1 / n)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = po.ot.sinkhorn(a, a, C, 1e-3 * C.max(), method="sns", marginal_tol=1e-10, steps=2000, backend=backend)
    assert res.success and res.marginal_err <= 1e-10 and res.newton_steps > 0
    assert np.abs(res.x.sum(1) - a).sum() + np.abs(res.x.sum(0) - a).sum() <= 1.1e-10  # recomputed from the plan
    fun = res.trace["fun"][-res.newton_steps:]
    assert np.all(np.diff(fun) >= -1e-14 * np.abs(fun).max())  # the Newton stage ascends D
    assert res.cg_residual <= 1e-9 and res.trace["iter"][-1] == res.nit


def test_sinkhorn_sns_backends_agree_non_square():
    rng = np.random.default_rng(9)
    n, m = 150, 110
    C = po.ot.cost(rng.random((n, 2)), rng.random((m, 2)), normalize=True)
    a, b = np.full(n, 1 / n), np.full(m, 1 / m)
    runs = [po.ot.sinkhorn(a, b, C, 2e-3, method="sns", marginal_tol=1e-12, backend=be) for be in ("cpp", "numpy")]
    assert all(r.success for r in runs) and runs[0].newton_steps > 0
    assert runs[0].sparsity == runs[1].sparsity == pytest.approx(10 * (n + m) / (n * m) * 2 ** runs[0].sparsity_doublings)
    assert abs(runs[0].nit - runs[1].nit) <= 1
    np.testing.assert_allclose(runs[0].x, runs[1].x, rtol=1e-8, atol=1e-16)
    k = min(len(runs[0].trace["fun"]), len(runs[1].trace["fun"])) - 1
    np.testing.assert_allclose(runs[0].trace["fun"][:k], runs[1].trace["fun"][:k], rtol=0, atol=1e-12)
    log = po.ot.sinkhorn(a, b, C, 2e-3, marginal_tol=1e-12, steps=100_000)
    assert np.abs(runs[0].x - log.x).sum() <= 1e-9


@pytest.mark.parametrize("backend", ["cpp", "numpy"])
def test_zero_mass_bins_match_the_log_domain_solver(backend):
    rng = np.random.default_rng(10)
    n, m = 40, 30
    a, b = rng.random(n), rng.random(m)
    a[[3, 7]] = 0.0
    b[[0, 29]] = 0.0
    a, b = a / a.sum(), b / b.sum()
    C = rng.random((n, m))
    res = po.ot.sinkhorn(a, b, C, 0.01, method="sns", marginal_tol=1e-12, backend=backend)
    log = po.ot.sinkhorn(a, b, C, 0.01, marginal_tol=1e-12, steps=100_000)
    assert res.success and res.newton_steps > 0 and res.x.shape == (n, m)
    assert np.all(res.x[[3, 7]] == 0) and np.all(res.x[:, [0, 29]] == 0)
    assert np.all(res.f[[3, 7]] == -np.inf) and np.all(res.g[[0, 29]] == -np.inf)
    assert np.all(np.isfinite(np.delete(res.f, [3, 7])))
    assert np.abs(res.x - log.x).sum() <= 1e-9
    np.testing.assert_allclose(res.fun, log.fun, rtol=1e-10)


def test_kernel_refuses_zero_mass_bins():
    C = np.random.default_rng(0).random((4, 3))
    a, b = np.array([0.5, 0.0, 0.25, 0.25]), np.full(3, 1 / 3)
    for fn in (_core.sns_newton, sns.newton_steps):
        with pytest.raises(ValueError, match="a: .*positive"):
            fn(C, a, b, 0.1, np.zeros(4), np.zeros(3), 1, 0.0, 0.5, 1e-10, 1)
        with pytest.raises(ValueError, match="b: .*positive"):
            fn(C, np.full(4, 0.25), np.array([0.5, 0.5, 0.0]), 0.1, np.zeros(4), np.zeros(3), 1, 0.0, 0.5, 1e-10, 1)


def good_args():
    return {"C": np.ones((4, 3)), "a": np.full(4, 0.25), "b": np.full(3, 1 / 3), "reg": 0.1, "f": np.zeros(4), "g": np.zeros(3),
                "steps": 2, "tol": 0.0, "sparsity": 0.5, "cg_tol": 1e-10, "n_threads": 1}


@pytest.mark.parametrize("over,exc,match", [
    ({"C": np.ones(4)}, ValueError, "C must be a non-empty 2-d"),
    ({"C": np.ones((0, 3))}, ValueError, "C must be a non-empty 2-d"),
    ({"C": np.full((4, 3), np.inf)}, ValueError, "C must be finite"),
    ({"a": np.full(3, 1 / 3)}, ValueError, "a must have shape"),
    ({"b": np.full(4, 0.25)}, ValueError, "b must have shape"),
    ({"f": np.zeros(5)}, ValueError, "f must be"),
    ({"g": np.array([0.0, np.nan, 0.0])}, ValueError, "f, g must be finite"),
    ({"f": np.zeros(4, dtype=np.float32)}, TypeError, "incompatible function arguments"),
    ({"f": np.zeros(8)[::2]}, TypeError, "incompatible function arguments"),
    ({"reg": 0.0}, ValueError, "reg must be positive"),
    ({"reg": np.nan}, ValueError, "reg must be positive"),
    ({"sparsity": 0.0}, ValueError, "sparsity"),
    ({"sparsity": 1.5}, ValueError, "sparsity"),
    ({"steps": -1}, ValueError, "steps"),
    ({"tol": np.nan}, ValueError, "tol"),
    ({"cg_tol": -1.0}, ValueError, "cg_tol"),
    ({"n_threads": 0}, ValueError, "n_threads"),
])
def test_binding_rejects_bad_input(over, exc, match):
    args = good_args()
    args.update(over)
    with pytest.raises(exc, match=match):
        _core.sns_newton(**args)


def test_binding_rejects_read_only_potentials_and_survives_overflow():
    args = good_args()
    args["f"].setflags(write=False)
    with pytest.raises(ValueError, match="writeable"):
        _core.sns_newton(**args)
    args = good_args()
    args.update(f=np.full(4, 1e3), reg=1e-3)  # exp(1e6): the plan is not finite
    out = _core.sns_newton(**args)
    assert out["status"] == 2 and out["steps"] == 0
    args = good_args()
    args.update(C=np.ones((4, 3)) * 1e300, reg=1e-300)  # (f + g - C)/reg = -inf
    out = _core.sns_newton(**args)
    assert out["status"] == 2 and out["steps"] == 0


def test_sinkhorn_sns_rejects_bad_options():
    a, C = np.full(3, 1 / 3), np.random.default_rng(0).random((3, 3))
    with pytest.raises(ValueError, match="sparsity"):
        po.ot.sinkhorn(a, a, C, 0.1, method="sns", sparsity=0.0)
    with pytest.raises(ValueError, match="backend"):
        po.ot.sinkhorn(a, a, C, 0.1, method="sns", backend="gpu")
    with pytest.raises(ValueError, match="warm_start"):
        po.ot.sinkhorn(a, a, C, 0.1, method="sns", warm_steps=0, warm_start=(np.array([0, -np.inf, 0]), np.zeros(3)))


@pytest.mark.parametrize("shift", [50.0, 5.0, 1.5])
def test_gauge_heavy_step_keeps_the_plan_sums_exact(shift):
    """Lowering the pinned last g by ``shift reg`` makes the gauge-fixed Newton direction about
    ``(+shift reg, -shift reg)``: large opposite exponents, where ``expm1(x + y) = X + Y + X Y`` cancels
    catastrophically.  The sums the kernel carries from the accepted trial to the next step (and reports)
    must be those of its potentials, and the damped steps must converge as in the reference."""
    rng = np.random.default_rng(14)
    n, m, reg = 80, 70, 0.01
    C = rng.random((n, m))
    a, b = np.full(n, 1 / n), np.full(m, 1 / m)
    conv = po.ot.sinkhorn(a, b, C, reg, marginal_tol=1e-13, steps=100_000)
    f0, g0 = conv.f.copy(), conv.g.copy()
    g0[-1] -= shift * reg
    (f1, g1, got), (f2, g2, ref) = both(C, a, b, reg, f0, g0, 2, 0.0, 0.2)
    E = np.exp((f1[:, None] + g1[None, :] - C) * (1.0 / reg))
    fresh = np.abs(E.sum(1) - a).sum() + np.abs(E.sum(0) - b).sum()
    np.testing.assert_allclose(got["marginal_err"], fresh, rtol=1e-9)  # the kernel's carried sums
    assert got["step_alpha"][0] == ref["step_alpha"][0] and np.all(got["step_alpha"] > 0)
    (f1, g1, got), (f2, g2, ref) = both(C, a, b, reg, f0, g0, 30, 1e-13, 0.2)
    assert got["marginal_err"] <= 1e-13 and ref["marginal_err"] <= 1e-13 and max(got["steps"], ref["steps"]) <= 10
    s1, s2 = f1.mean(), f2.mean()
    assert rel(f1 - s1, f2 - s2) <= 1e-10 and rel(g1 + s1, g2 + s2) <= 1e-10


@pytest.mark.parametrize("seed", range(4))
def test_carried_plan_sums_are_those_of_the_returned_potentials(seed):
    """The kernel reuses the accepted trial's sums as the next step's r, c: after k steps its reported
    error must be the error of the potentials it returns.  The pinned last target lies far from every
    source, so the gauge-fixed directions have large opposite exponents (about +1 in f, -1 in g)."""
    rng = np.random.default_rng(seed)
    n, m, reg = 150, 120, 2e-4
    X, Y = rng.random((n, 2)), rng.random((m, 2))
    Y[-1] += 3.0
    C = po.ot.cost(X, Y, normalize=True)
    a, b = rng.random(n) + 0.1, np.full(m, 1 / m)
    a /= a.sum()
    w = po.ot.sinkhorn(a, b, C, reg, steps=50, marginal_tol=0)
    for k in (1, 2, 3):
        f, g = w.f.copy(), w.g.copy()
        out = _core.sns_newton(C, a, b, reg, f, g, k, 0.0, 20 / m, 1e-10, 2)
        E = np.exp((f[:, None] + g[None, :] - C) * (1.0 / reg))
        fresh = np.abs(E.sum(1) - a).sum() + np.abs(E.sum(0) - b).sum()
        assert abs(out["marginal_err"] - fresh) <= 1e-9 * fresh + 1e-14  # 1e-14: rounding of O(1) sums


@pytest.mark.parametrize("backend", ["cpp", "numpy"])
def test_budgets_count_both_stages_and_the_trace_has_one_row_per_step(backend):
    rng = np.random.default_rng(3)
    n = 200
    C = po.ot.cost(rng.random((n, 2)), rng.random((n, 2)), normalize=True)
    a = np.full(n, 1 / n)
    res = po.ot.sinkhorn(a, a, C, 1e-4, method="sns", marginal_tol=1e-12, steps=23, backend=backend)
    assert res.status == 0 and not res.success and "steps=23" in res.message
    assert res.nit == 23 and res.newton_steps == 3
    np.testing.assert_array_equal(res.trace["iter"], np.arange(24))
    assert np.all(np.diff(res.trace["time"]) >= 0) and res.trace["marginal_err"][-1] == res.marginal_err
    # sparsity 2/n converges linearly, far from the precision floor where the line search may stop first
    res = po.ot.sinkhorn(a, a, C, 1e-4, method="sns", marginal_tol=0.0, steps=10_000, max_time=0.2, backend=backend,
                         sparsity=2 / n)
    assert res.status == 3 and not res.success and res.newton_steps >= 1


def test_auto_sparsity_grows_until_newton_converges_on_a_plan_far_from_sparse():
    """At larger reg the plan has many significant entries per row: a fixed 20/n stalls in a slow
    linear tail, the adaptive rule doubles the kept fraction and Newton converges."""
    rng = np.random.default_rng(21)
    n = 300
    C = po.ot.cost(rng.random((n, 2)), rng.random((n, 2)), normalize=True)
    a = np.full(n, 1 / n)
    fixed = po.ot.sinkhorn(a, a, C, 0.01, method="sns", sparsity=20 / n, marginal_tol=1e-10, steps=220)
    auto = po.ot.sinkhorn(a, a, C, 0.01, method="sns", marginal_tol=1e-10, steps=220)
    assert not fixed.success and auto.success
    assert auto.sparsity_doublings >= 1 and auto.sparsity > 20 / n and auto.newton_steps <= 40
