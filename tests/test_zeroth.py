"""Zeroth-order gradient estimators: exact identities on quadratics, unbiasedness, evaluation counts,
bad input (catalogue first-order.md 5.1-5.2)."""
import numpy as np
import pytest

from pyoptheory.zeroth import (CoordinateEstimator, GaussianSmoothing, Objective, RandomVectorEstimator,
                               SphereSmoothing)


def _quadratic(d=6, seed=0):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((d, d))
    H = M @ M.T / d + np.eye(d)
    b = rng.standard_normal(d)
    return (lambda x: 0.5 * x @ H @ x - b @ x), (lambda x: H @ x - b), H


def test_forward_cge_errs_by_exactly_half_the_smoothing_times_diag_h():
    f, grad, H = _quadratic()
    x = np.linspace(-1, 1, 6)
    for s in (1e-1, 1e-3):
        g, n = CoordinateEstimator(s)(f, x)
        np.testing.assert_allclose(g - grad(x), 0.5 * s * np.diag(H), rtol=1e-6, atol=1e-9)
        assert n == 7
    g, n = CoordinateEstimator(1e-2, coordinates=[1, 4])(f, x)
    assert n == 3 and np.all(g[[0, 2, 3, 5]] == 0)
    np.testing.assert_allclose(g[[1, 4]], grad(x)[[1, 4]] + 0.5e-2 * np.diag(H)[[1, 4]], rtol=1e-6)


def test_central_forms_are_exact_on_quadratics_for_given_directions():
    f, grad, H = _quadratic()
    x = np.linspace(-1, 1, 6)
    U = np.random.default_rng(1).standard_normal((3, 6))
    g, n = GaussianSmoothing(0.3, "central", q=3)(f, x, directions=U)
    np.testing.assert_allclose(g, (U @ grad(x)) @ U / 3, rtol=1e-10)  # (u^T grad) u, no smoothing error
    assert n == 6


@pytest.mark.parametrize("make", [lambda: GaussianSmoothing(0.2), lambda: GaussianSmoothing(0.2, "central"),
                                  lambda: SphereSmoothing(0.2)])
def test_smoothed_estimators_are_unbiased_on_quadratics(make):
    """E g = grad f on a quadratic (odd Gaussian/sphere moments vanish); a z-test per coordinate with the
    sample standard error, at 5 standard errors (fixed seed: deterministic)."""
    f, grad, _ = _quadratic()
    x = np.linspace(-1, 1, 6)
    est = make()
    rng = np.random.default_rng(7)
    G = np.array([est(f, x, rng)[0] for _ in range(20000)])
    se = G.std(axis=0, ddof=1) / np.sqrt(G.shape[0])
    assert np.all(np.abs(G.mean(axis=0) - grad(x)) <= 5 * se)


def test_rge_mean_squared_error_matches_its_closed_form():
    """H = I: E||g - grad f||^2 = [(d + 1)||grad f||^2 + (s^2/4) d (d + 2)(d + 4)] / q (catalogue 5.2)."""
    d, s, q = 5, 0.4, 3
    b = np.random.default_rng(2).standard_normal(d)
    f = lambda x: 0.5 * x @ x - b @ x  # noqa: E731
    x = np.linspace(-1, 1, d)
    gf = x - b
    exact = ((d + 1) * gf @ gf + s * s / 4 * d * (d + 2) * (d + 4)) / q
    rng = np.random.default_rng(3)
    err = np.array([np.sum((RandomVectorEstimator(s, q)(f, x, rng)[0] - gf) ** 2) for _ in range(40000)])
    se = err.std(ddof=1) / np.sqrt(err.size)
    assert abs(err.mean() - exact) <= 5 * se
    assert RandomVectorEstimator(s, q).evaluations(d) == q + 1


def test_batched_objective_is_called_once_per_estimate():
    f, grad, H = _quadratic()
    calls = []

    def fb(X):
        calls.append(X.shape)
        return np.array([f(x) for x in X])

    obj = Objective(fb, batched=True)
    x = np.zeros(6)
    g, n = GaussianSmoothing(0.1, q=4)(obj, x, rng=0)
    assert calls == [(5, 6)] and n == 5 and obj.evals == 5
    g2, _ = GaussianSmoothing(0.1, q=4)(f, x, rng=0)
    np.testing.assert_allclose(g, g2, rtol=1e-14)
    from pyoptheory import problems as P

    g3, n3 = GaussianSmoothing(0.1, q=4)(P.black_box(fb, 6, batched=True), x, rng=0)  # a black-box problem
    np.testing.assert_allclose(g3, g, rtol=1e-14)
    assert n3 == 5 and calls[-1] == (5, 6)


def test_bad_input_names_the_argument():
    f, _, _ = _quadratic()
    x = np.zeros(6)
    cases = [
        (lambda: GaussianSmoothing(0.0), ValueError, "smoothing"),
        (lambda: GaussianSmoothing(-1.0), ValueError, "smoothing"),
        (lambda: GaussianSmoothing(0.1, q=0), ValueError, "q"),
        (lambda: GaussianSmoothing(0.1, form="backward"), ValueError, "form"),
        (lambda: CoordinateEstimator(0.1, coordinates=[]), ValueError, "coordinates"),
        (lambda: CoordinateEstimator(0.1, coordinates=[9])(f, x), ValueError, "coordinates"),
        (lambda: GaussianSmoothing(0.1)(lambda z: np.ones(2), x, rng=0), TypeError, "fun"),
        (lambda: GaussianSmoothing(0.1)(lambda z: np.nan, x, rng=0), ValueError, "fun"),
        (lambda: GaussianSmoothing(0.1)(lambda z: "a", x, rng=0), TypeError, "fun"),
        (lambda: GaussianSmoothing(0.1, q=3)(Objective(lambda X: np.ones(2), batched=True), x, rng=0), ValueError,
         "fun"),
        (lambda: GaussianSmoothing(0.1)(3, x), TypeError, "fun"),
        (lambda: GaussianSmoothing(0.1)(f, np.full(6, np.inf)), ValueError, "x"),
        (lambda: GaussianSmoothing(0.1)(f, x, directions=np.ones((2, 1))), ValueError, "directions"),
        (lambda: CoordinateEstimator(0.1, coordinates=[[0, 1]]), ValueError, "coordinates"),
    ]
    for make, exc, name in cases:
        with pytest.raises(exc, match=name):
            make()


def test_zo_rgf_step_is_the_forward_gaussian_estimate_with_the_drawn_direction():
    """One step of zo_rgf equals x0 - h g with g = GaussianSmoothing(s) at the chunk's first direction
    (drawn from default_rng(seed) as standard normal rows), on both backends."""
    import pyoptheory as po
    from pyoptheory import problems as P

    rng = np.random.default_rng(0)
    A = rng.standard_normal((50, 8))
    p = P.least_squares(A, rng.standard_normal(50))
    h, s = 0.01, 1e-3
    u = np.random.default_rng(5).standard_normal((1, 8))
    g, n = GaussianSmoothing(s)(p.f, p.x0, directions=u)
    for backend in ("numpy", "cpp"):
        res = po.solve(p, "zo_rgf", step=h, smoothing=s, steps=1, seed=5, output="last", backend=backend)
        np.testing.assert_allclose(res.x, p.x0 - h * g, rtol=1e-10, atol=1e-14)
        assert res.fevals == n == 2 and res.grad_evals == 0


def test_zo_rge_step_is_the_q_direction_estimate_and_q1_is_zo_rgf():
    """One zo_rge step equals x0 - h g with g = RandomVectorEstimator(s, q) at the chunk's first q directions,
    on both backends, with q + 1 evaluations; with q = 1 and the same step the run is zo_rgf's."""
    import pyoptheory as po
    from pyoptheory import problems as P

    rng = np.random.default_rng(1)
    A = rng.standard_normal((50, 8))
    p = P.least_squares(A, rng.standard_normal(50))
    h, s, q = 0.01, 1e-3, 4
    U = np.random.default_rng(5).standard_normal((q, 8))
    g, n = RandomVectorEstimator(s, q=q)(p.f, p.x0, directions=U)
    for backend in ("numpy", "cpp"):
        res = po.solve(p, "zo_rge", q=q, step=h, smoothing=s, steps=1, seed=5, backend=backend)
        np.testing.assert_allclose(res.x, p.x0 - h * g, rtol=1e-10, atol=1e-14)
        assert res.fevals == n == q + 1 and res.grad_evals == 0
    a = po.solve(p, "zo_rge", q=1, step=h, smoothing=s, steps=200, seed=2)
    b = po.solve(p, "zo_rgf", step=h, smoothing=s, steps=200, seed=2, output="last")
    np.testing.assert_array_equal(a.x, b.x)
    with pytest.raises(ValueError, match="q"):
        po.solve(p, "zo_rge", q=0)
    # many steps per kernel call (one chunk): the q rows of every step are read at their own offset
    a, b = (po.solve(p, "zo_rge", q=5, steps=2000, seed=3, record=3, backend=be) for be in ("numpy", "cpp"))
    np.testing.assert_allclose(b.x, a.x, rtol=1e-10)
    assert a.fevals == b.fevals == 2000 * 6


def test_zo_random_search_reaches_the_nonsmooth_optimum_and_projects():
    import pyoptheory as po
    from pyoptheory.theory.gradient import l1_ball

    p = l1_ball()
    res = po.solve(p, "zo_random_search", steps=20000, seed=0)
    assert res.success and p.feasible(res.x)
    assert res.fun - p.f_star < 0.2 * (p.objective(p.x0) - p.f_star)  # measured 0.10 (seed 0)


def test_zeroth_order_methods_bad_input():
    import pyoptheory as po
    from pyoptheory import problems as P

    p = P.quadratic(5, seed=0)
    with pytest.raises(ValueError, match="smoothing"):
        po.solve(p, "zo_rgf", smoothing=0.0)
    with pytest.raises(ValueError, match="step"):
        po.solve(p, "zo_rgf", step=-1.0)
    with pytest.raises(ValueError, match="kind"):
        po.solve(P.l1_distance(np.ones(3)), "zo_rgf")


def test_zo_gd_converges_to_the_point_its_cge_bias_predicts():
    """On a quadratic the CGE estimate is grad f + (s/2) diag(H) exactly, so ZO-GD's fixed point is
    x* - (s/2) H^-1 diag(H): checked to 1e-9 on both backends."""
    import pyoptheory as po
    from pyoptheory import problems as P

    rng = np.random.default_rng(3)
    A = rng.standard_normal((40, 6))
    p = P.least_squares(A, rng.standard_normal(40))
    H = A.T @ A / 40
    s = 1e-3
    target = p.x_star - 0.5 * s * np.linalg.solve(H, np.diag(H))
    for backend in ("numpy", "cpp"):
        res = po.solve(p, "zo_gd", smoothing=s, steps=3000, seed=0, backend=backend)
        np.testing.assert_allclose(res.x, target, atol=1e-9)
        assert res.fevals == 3000 * 7 and res.grad_evals == 0


def test_iterations_to_a_target_grow_like_n_plus_4():
    """Nesterov-Spokoiny: RG's iterations to a fixed accuracy grow in proportion to n + 4 (catalogue 5.1);
    the fitted exponent over d = 4 .. 32 (4 seeds, medians) is within 0.2 of 1 (measured 1.01)."""
    from pyoptheory.experiments.figures import zo_dimension as F

    frame = F.compute(quick=True)
    slope, hits = F.dimension_exponent(frame)
    assert np.all(np.isfinite(hits.to_numpy()))
    assert abs(slope - 1.0) < 0.2


# --- GFM and GFM+ on the stochastic norm -----------------------------------------------------------------

def test_sphere_estimate_is_unbiased_for_the_ball_smoothed_gradient():
    """E g(x; w, xi) = grad f_delta(x) = E_v (x + delta v)/||x + delta v||, v uniform in the unit ball: two
    independent Monte Carlo estimates agree within 5 standard errors per coordinate."""
    from pyoptheory.zeroth import StochasticNorm
    from pyoptheory.zeroth.problems import sphere_difference_estimate

    p = StochasticNorm(4, radius=0.5)
    x, delta = np.array([0.3, -0.1, 0.2, 0.05]), 0.25
    rng = np.random.default_rng(0)
    n = 200000
    W = rng.standard_normal((n, 4))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    Xi = p.sample(rng, n)
    G = np.array([sphere_difference_estimate(p, x, W[i:i + 1], Xi[i:i + 1], delta) for i in range(0, 20000)])
    V = p.sample(rng, n) / 0.5 * 1.0  # uniform in the unit ball
    ref = ((x + delta * V) / np.linalg.norm(x + delta * V, axis=1, keepdims=True))
    se = np.sqrt(G.var(axis=0, ddof=1) / G.shape[0] + ref.var(axis=0, ddof=1) / ref.shape[0])
    assert np.all(np.abs(G.mean(axis=0) - ref.mean(axis=0)) <= 5 * se)


def test_goldstein_distance_closed_form_properties():
    from pyoptheory.zeroth import StochasticNorm

    p = StochasticNorm(3)
    assert p.goldstein(np.array([0.05, 0, 0]), 0.1) == 0.0
    vals = [p.goldstein(np.array([r, 0, 0]), 0.1) for r in (0.11, 0.2, 1.0, 100.0)]
    assert np.all(np.diff(vals) > 0) and vals[-1] == pytest.approx(1.0, abs=1e-5)
    # at ||x|| = 2 delta the cap's half-angle is 30 degrees: the hull's nearest point to 0 has norm cos(30)
    assert p.goldstein(np.array([0.2, 0, 0]), 0.1) == pytest.approx(np.sqrt(3) / 2, rel=1e-12)


@pytest.mark.parametrize("method", ["gfm", "gfm_plus"])
def test_gfm_kernels_match_the_reference_and_reach_stationarity(method):
    import pyoptheory as po
    from pyoptheory.zeroth import StochasticNorm

    p = StochasticNorm(10, radius=1.0)
    kw = dict(step=0.01) if method == "gfm" else dict(step=0.03, target=0.5)
    a = po.solve(p, method, steps=400, seed=2, backend="numpy", record="all", **kw)
    b = po.solve(p, method, steps=400, seed=2, backend="cpp", record="all", **kw)
    np.testing.assert_allclose(b.x, a.x, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(b.trace["stationarity"], a.trace["stationarity"], rtol=1e-10, atol=1e-13)
    assert a.fevals == b.fevals > 0 and a.output_index == b.output_index
    long = po.solve(p, method, steps=4000 if method == "gfm" else 1500, seed=0, **kw)
    assert long.trace["stationarity"].min() <= 0.5  # the iterates come within delta / sqrt(0.75) of 0


@pytest.mark.parametrize("method", ["gfm", "gfm_plus"])
def test_gfm_kernels_match_the_reference_on_the_penalized_svm(method):
    import pyoptheory as po
    from pyoptheory.zeroth import penalized_svm

    p = penalized_svm()
    kw = dict(step=0.01) if method == "gfm" else dict(step=0.1, big_batch=200, batch=10, period=10)
    a = po.solve(p, method, steps=300, seed=4, backend="numpy", record="all", **kw)
    b = po.solve(p, method, steps=300, seed=4, backend="cpp", record="all", **kw)
    # relative to the iterate's scale, as in the conformance suite: the two backends sum the hinge differences
    # in different orders, and 1e-15 roundoff grows to ~1e-11 over 300 nonsmooth steps (an entry near 0.02
    # then differs by 1e-9 of itself, 1e-11 of ||x||)
    np.testing.assert_allclose(b.x, a.x, rtol=1e-10, atol=1e-10 * np.max(np.abs(a.x)))
    np.testing.assert_allclose(b.trace["stationarity"], a.trace["stationarity"], rtol=1e-10, atol=1e-13)
    assert a.fevals == b.fevals > 0 and b.trace["stationarity"][-1] < 0.6 * b.trace["stationarity"][0]


def test_penalized_svm_smoothed_gradient_is_exact():
    """The closed form of grad f_delta equals the mean of the GFM estimate (2e5 pairs: every coordinate within 5
    standard errors) and, for a tiny radius away from the kinks, the gradient of f; the ball marginal's CDF
    matches a Monte Carlo histogram."""
    from pyoptheory.zeroth import penalized_svm
    from pyoptheory.zeroth.problems import ball_marginal_cdf

    rng = np.random.default_rng(1)
    V = rng.standard_normal((200000, 5))
    V *= (rng.random((200000, 1)) ** (1 / 5)) / np.linalg.norm(V, axis=1, keepdims=True)
    for t in (-0.7, -0.1, 0.0, 0.4, 0.9):
        assert abs(np.mean(V[:, 0] <= t) - ball_marginal_cdf(t, 5)) < 5e-3
    p = penalized_svm(lam=0.05, alpha=0.3)
    x, delta, m = 0.4 * rng.standard_normal(p.dim), 0.2, 200000
    W = rng.standard_normal((m, p.dim))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    G = (p.dim / (2 * delta)) * p.differences(x, W, p.sample(rng, m), delta)[:, None] * W
    se = G.std(axis=0, ddof=1) / np.sqrt(m)
    assert np.all(np.abs(G.mean(axis=0) - p.smoothed_gradient(x, delta)) <= 5 * se)
    margins, eps = p.C @ x, 1e-7
    # this point is away from every kink (measured gaps 0.03, 0.008, 0.002), where f is differentiable
    assert min(np.min(np.abs(1 - margins)), np.min(np.abs(np.abs(x) - p.alpha)), np.min(np.abs(x))) > 1e-3
    exact = -(p.C.T @ (margins < 1)) / p.n + p.lam * np.sign(x) * (np.abs(x) < p.alpha)
    np.testing.assert_allclose(p.smoothed_gradient(x, eps), exact, atol=1e-9)
    assert p.constants["Delta"] == p.f(p.x0) == 1.0


def test_gfm_bad_input():
    import pyoptheory as po
    from pyoptheory.zeroth import StochasticNorm

    p = StochasticNorm(4)
    with pytest.raises(ValueError, match="smoothing"):
        po.solve(p, "gfm", smoothing=0.0)
    with pytest.raises(ValueError, match="batch"):
        po.solve(p, "gfm", batch=0)
    with pytest.raises(ValueError, match="target"):
        po.solve(p, "gfm_plus", target=-1.0)
    with pytest.raises(ValueError, match="kind"):
        po.solve(po.problems.quadratic(4), "gfm")
    with pytest.raises(ValueError, match="radius"):
        StochasticNorm(3, radius=-1.0)


def test_accelerated_sequences_satisfy_theorem_9s_bounds():
    """psi_k <= (1 + k sqrt(gamma0/L)/(8(n + 4)))^-2, psi_k <= (1 - sqrt(tau/L)/(4(n + 4)))^k, C_k <= k and, for
    tau > 0, C_k <= 4(n + 4)/sqrt(tau/L) (Nesterov & Spokoiny 2017, Theorem 9, the Lean statement)."""
    from pyoptheory.methods.zeroth_order import accelerated_sequences

    n, L = 10, 2.0
    theta = 1 / (16 * (n + 4) ** 2 * L)
    k = np.arange(5001)
    for tau, gamma0 in ((0.0, L), (0.0, 0.3 * L), (0.05, L), (0.5, 1.5 * L)):
        psi, C = accelerated_sequences(theta, tau, gamma0, 5000)
        assert psi[0] == 1.0 and C[0] == 0.0 and C[1] == 1.0
        assert np.all(psi <= (1 + k * np.sqrt(gamma0 / L) / (8 * (n + 4))) ** -2.0 * (1 + 1e-12))
        assert np.all(psi <= (1 - np.sqrt(tau / L) / (4 * (n + 4))) ** k * (1 + 1e-12))
        assert np.all(C <= k + 1e-12)
        if tau > 0:
            assert C.max() <= 4 * (n + 4) / np.sqrt(tau / L)


def test_zo_accelerated_beats_rg_and_checks_its_input():
    """FG_s at equal function values reaches a smaller gap than RG_s on an ill-conditioned quadratic (20
    seeds, means), and both backends agree; bad parameters name the argument."""
    import pyoptheory as po
    from pyoptheory import problems as P

    p = P.quadratic(10, L=1.0, mu=1e-3, seed=3)
    acc = np.mean([po.solve(p, "zo_accelerated", steps=10000, seed=s).fun - p.f_star for s in range(20)])
    rg = np.mean([po.solve(p, "zo_rgf", steps=10000, seed=s, output="last").fun - p.f_star for s in range(20)])
    assert acc < 0.1 * rg  # measured 5.9e-6 against 3.4e-4 (0.52 of it at 3000 steps)
    a, b = (po.solve(p, "zo_accelerated", steps=500, seed=1, backend=be) for be in ("cpp", "numpy"))
    np.testing.assert_allclose(a.x, b.x, rtol=1e-10)
    assert a.fevals == 1000
    assert po.solve(p, "zo_accelerated", steps=5, seed=0, output="last").nit == 5  # the only output, accepted
    for kwargs, name in (({"strong_convexity": -1.0}, "strong_convexity"), ({"theta": 0.0}, "theta"),
                         ({"strong_convexity": 1.0, "gamma0": 0.5}, "gamma0"), ({"output": "uniform"}, "output")):
        with pytest.raises(ValueError, match=name):
            po.solve(p, "zo_accelerated", **kwargs)


def _black_box_least_squares(batched=True):
    import pyoptheory as po  # noqa: F401
    from pyoptheory import problems as P

    rng = np.random.default_rng(0)
    A, b = rng.standard_normal((50, 8)), rng.standard_normal(50)
    calls = []

    def f(X):
        calls.append(np.shape(X))
        R = np.atleast_2d(X) @ A.T - b
        v = 0.5 * np.mean(R ** 2, axis=1)
        return v if batched else float(v[0])

    p = P.least_squares(A, b)
    return p, P.black_box(f, 8, batched=batched, x0=p.x0), calls


@pytest.mark.parametrize("method, kwargs", [("zo_rge", {"q": 4}), ("zo_rgf", {}), ("zo_gd", {})])
def test_zeroth_order_methods_run_a_black_box_in_one_call_per_estimate(method, kwargs):
    """A batched black box gets all the points of one estimate in one call (q + 1, d + 1 or 2 rows); the run
    equals the same method on the built-in problem with the same function (1e-10), and fevals agree."""
    import pyoptheory as po

    p, bb, calls = _black_box_least_squares()
    steps, record = 100, [0, 50, 100]
    res = po.solve(bb, method, step=0.01, steps=steps, seed=0, record=record, **kwargs)
    ref = po.solve(p, method, step=0.01, steps=steps, seed=0, record=record, **kwargs)
    np.testing.assert_allclose(res.x, ref.x, rtol=1e-10, atol=1e-13)
    assert res.fevals == ref.fevals
    per_step = res.fevals // steps
    assert sum(1 for shape in calls if shape[0] == per_step) == steps  # one call per estimate
    assert len(calls) == steps + len(record) + 1  # plus one value per recorded point and the result's


def test_black_box_zeroth_order_needs_a_step_projects_on_its_domain_and_stops_on_bad_values():
    import pyoptheory as po
    from pyoptheory import problems as P

    _, bb, _ = _black_box_least_squares()
    with pytest.raises(ValueError, match="step"):
        po.solve(bb, "zo_rgf", steps=10)
    with pytest.raises(ValueError, match="kind"):  # FG_s has no projection step: smooth problems on R^d only
        po.solve(bb, "zo_accelerated", step=0.01, steps=10)
    box = P.black_box(lambda x: float(np.sum((x - 3.0) ** 2)), 4, domain=(-1.0, 1.0), x0=np.zeros(4))
    res = po.solve(box, "zo_rge", q=20, step=0.02, steps=3000, seed=0)
    assert np.all(np.abs(res.x) <= 1.0) and np.all(res.x > 0.9)  # pushed to the face x = 1 of the box
    bad = P.black_box(lambda x: np.nan if x[0] > 0.5 else -float(x[0]), 3, x0=np.zeros(3))
    res = po.solve(bad, "zo_rgf", step=0.1, steps=1000, seed=0)
    assert not res.success and "non-finite" in res.message and 0 < res.nit < 1000


def test_classifier_attack_is_a_batched_black_box_that_zeroth_order_methods_solve():
    """The digits network classifies the clean image as its label (loss > 0 at delta = 0); ZO-GD with CGE
    (300 steps, 19,500 values) makes it predict the target (measured loss 0.0015, ||delta|| = 0.17) inside
    the pixel box; one call per estimate."""
    import pyoptheory as po
    from pyoptheory.zeroth import classifier_attack

    p = classifier_attack()
    assert p.test_accuracy > 0.85 and p.label != p.target and p.predict(np.zeros(p.dim)) == p.label
    assert p.f(p.x0) > 0
    res = po.solve(p, "zo_gd", step=0.1, smoothing=1e-3, steps=300, seed=0)
    assert p.predict(res.x) == p.target and res.fun < 0.05 * p.f(p.x0)
    assert np.all(p.image + res.x >= -1e-12) and np.all(p.image + res.x <= 1 + 1e-12)
    assert res.fevals == 300 * (p.dim + 1)
    with pytest.raises(ValueError, match="target"):
        classifier_attack(target=p.label)


def test_cge_beats_rge_at_equal_queries_on_the_figure_problem():
    """The cge-vs-rge figure (quick): after the same number of function queries CGE's gap is below every RGE's
    (measured 5.7e-10 against 1e-3 .. 6e-3), DeepZero's comparison."""
    from pyoptheory.experiments.figures import get_figure

    F = get_figure("cge-vs-rge")
    gaps = F.final_gaps(F.compute(quick=True))
    assert set(gaps.index) == {"CGE", "RGE q = 2", "RGE q = 20", "RGE q = 200"}
    assert all(gaps["CGE"] < 0.01 * gaps[k] for k in gaps.index if k != "CGE")


def _cge_problems():
    from pyoptheory import problems as P

    rng = np.random.default_rng(8)
    A = rng.standard_normal((60, 12))
    y = np.where(A @ rng.standard_normal(12) >= 0, 1.0, -1.0)
    return [P.least_squares(A, rng.standard_normal(60), l2=0.1), P.logistic(A, y, 1e-2),
            P.huber_worst_case(1.0, 2.0, 50)]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_compiled_cge_with_feature_reuse_equals_the_reference(index):
    """The compiled CGE gets the d perturbed values of dense linear models in one pass over A
    (a_i.(x + s e_j) = z_i + s a_ij); its steps equal the reference's full re-evaluations to 1e-10."""
    import pyoptheory as po

    p = _cge_problems()[index]
    if p.spec is None:
        pytest.skip("not a compiled linear model")
    a = po.solve(p, "zo_gd", steps=60, seed=0, backend="numpy", smoothing=1e-4, record="all")
    b = po.solve(p, "zo_gd", steps=60, seed=0, backend="cpp", smoothing=1e-4, record="all")
    np.testing.assert_allclose(b.x, a.x, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.trace["fun"], a.trace["fun"], rtol=1e-10)
    assert a.fevals == b.fevals == 60 * (p.dim + 1)


def test_gfm_vs_gfm_plus_quick_measurement():
    """The figure's protocol (quick): every target reached by both methods and GFM+'s fitted exponent in 1/eps
    below GFM's (measured 1.63 against 2.08; the worst-case theory: 3 and 4)."""
    from pyoptheory.experiments.figures import get_figure

    F = get_figure("gfm-vs-gfm-plus")
    frame = F.compute(quick=True)
    calls = frame[frame.kind == "calls"]
    assert np.all(np.isfinite(calls.calls))
    info = F.summary(frame)
    assert info["gfm_plus"]["exponent"] < info["gfm"]["exponent"] < 4.0


@pytest.mark.slow
def test_gfm_plus_needs_fewer_calls_than_gfm_at_the_smallest_target():
    """Full protocol (targets down to 0.03, 2e7 calls, steps tuned on the same-size grids at 0.03): GFM+ reaches
    0.03 in fewer calls than GFM (measured 2.31e6 against 3.40e6; exponents 1.44 and 1.87), the issue's one
    assertion about the two methods' complexities."""
    from pyoptheory.experiments.figures import get_figure

    F = get_figure("gfm-vs-gfm-plus")
    info = F.summary(F.compute(quick=False))
    print(info)
    assert info["gfm_plus"]["calls_at_smallest"] < info["gfm"]["calls_at_smallest"]


@pytest.mark.slow
def test_gfm_dimension_exponents_are_reported_against_the_prediction():
    """Calls to E Goldstein(x_R) <= 0.5 on the stochastic norm for d = 4 .. 64, steps tuned per d: reported
    against the prediction (at most 1.5); measured 1.08 for GFM and 1.13 for GFM+.  Asserted: the calls grow
    with d (exponent above 0.5), so the measurement resolves the dimension."""
    from pyoptheory.zeroth.complexity import dimension_scaling

    for method in ("gfm", "gfm_plus"):
        calls, slope = dimension_scaling(method, (4, 8, 16, 32, 64))
        print(method, calls, f"exponent {slope:.2f} (prediction: at most 1.5)")
        assert np.all(np.isfinite(calls)) and slope > 0.5
