"""The stochastic family: oracles and their exact constants, exact expectations, schedules in
methods, randomness, averaged outputs and bad input."""
import itertools

import numpy as np
import pytest

import pyoptheory as po
from pyoptheory import problems as P
from pyoptheory.problems.exact import sgd_least_squares_moments


def _ls(interpolating=False, n=30, d=5, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    b = A @ rng.standard_normal(d) + (0.0 if interpolating else 0.5 * rng.standard_normal(n))
    return P.least_squares(A, b)


@pytest.mark.parametrize("batch", [1, 3])
def test_exact_expectation_matches_monte_carlo(batch):
    """Catalogue 0.4: the exact recursion against 3000 SGD paths (a 4-standard-error test)."""
    sp_ = P.finite_sum(_ls(), batch_size=batch)
    T = 30
    eta = 0.5 / sp_.constants["L_max"]
    w = np.r_[np.ones(T), 0.0]
    ex = sgd_least_squares_moments(sp_, np.full(T, eta), weights=w)
    runs = [po.solve(sp_, "sgd", steps=T, step=eta, seed=s, record=np.array([T]), output="uniform")
            for s in range(3000)]
    last = np.array([r.trace["gap"][-1] for r in runs])
    avg = np.array([r.trace["gap_avg"][-1] for r in runs])
    dist2 = np.array([r.trace["dist"][-1] ** 2 for r in runs])
    for exact, sample in ((ex["gap"][T], last), (ex["gap_avg"][T - 1], avg), (ex["dist2"][T], dist2)):
        assert abs(sample.mean() - exact) <= 4 * sample.std() / np.sqrt(sample.size)


def test_exact_expectation_is_deterministic_gd_without_noise():
    """With interpolation and batch = n (with replacement the noise does not vanish), check the
    noiseless limit instead: sigma* = 0 and b large make the recursion approach GD."""
    p = _ls(interpolating=True)
    sp_ = P.finite_sum(p, batch_size=p.n)
    eta = 0.25 / sp_.constants["L_max"]
    ex = sgd_least_squares_moments(sp_, np.full(50, eta))
    gd = po.solve(p, "gd", steps=50, step=eta, record="all")
    assert np.all(ex["gap"] >= gd.trace["gap"] * (1 - 1e-9))  # variance only adds


def test_sigma_star_formulas_by_enumeration():
    p = _ls(n=6, d=3)
    xs = p.x_star
    G = (p.A * (p.A @ xs - p.b)[:, None])  # per-sample gradients n w a_i (a_i^T x* - b_i), w = 1/n
    mean = G.mean(axis=0)
    for b, replace in ((1, True), (2, True), (2, False), (4, False)):
        sp_ = P.finite_sum(p, batch_size=b, replace=replace)
        combos = (itertools.product(range(6), repeat=b) if replace else itertools.combinations(range(6), b))
        vals = [np.sum((G[list(c)].mean(axis=0) - mean) ** 2) for c in combos]
        assert sp_.constants["sigma2_star"] == pytest.approx(np.mean(vals), rel=1e-10)


def test_strong_growth_constant_is_attained():
    p = _ls(interpolating=True, n=40, d=4)
    for b in (1, 4):
        sp_ = P.finite_sum(p, batch_size=b)
        rho = sp_.constants["rho"]
        A, n = p.A, p.n
        H = A.T @ A / n
        M = (A.T * np.sum(A**2, axis=1)) @ A / n
        vals, vecs = np.linalg.eigh(np.linalg.inv(H) @ M @ np.linalg.inv(H))
        e = np.linalg.solve(H, vecs[:, -1])  # the maximising error direction
        g2 = np.mean([np.sum((A[i] * (A[i] @ e)) ** 2) for i in range(n)])
        full = np.sum((H @ e) ** 2)
        ratio1 = g2 / full
        assert 1 + (ratio1 - 1) / b == pytest.approx(rho, rel=1e-9)
        for _ in range(20):  # and no direction exceeds it
            e = np.random.default_rng(_).standard_normal(4)
            r = np.mean([np.sum((A[i] * (A[i] @ e)) ** 2) for i in range(n)]) / np.sum((H @ e) ** 2)
            assert 1 + (r - 1) / b <= rho * (1 + 1e-12)


def test_constants_an_oracle_cannot_provide_say_why():
    sp_ = P.finite_sum(_ls(), 1)
    with pytest.raises(ValueError, match="rho: strong growth needs interpolation"):
        sp_.constants["rho"]
    with pytest.raises(ValueError, match="B2: "):
        sp_.constants["B2"]
    noisy = P.additive_noise(P.l1_distance(np.zeros(4)), noise_std=0.1)
    assert noisy.constants["B2"] == pytest.approx(4 + 4 * 0.01)
    with pytest.raises(ValueError, match="G_as: Gaussian noise is unbounded"):
        noisy.constants["G_as"]
    bounded = P.bounded_noise(P.l1_distance(np.zeros(4)), radius=0.5, kind="rademacher")
    assert bounded.constants["G_as"] == pytest.approx(2.5) and bounded.constants["sigma2"] == pytest.approx(0.25)
    assert sp_.constants.get("rho") is None  # Mapping.get still works


@pytest.mark.parametrize("kind", ["sphere", "rademacher"])
def test_bounded_noise_has_the_stated_radius(kind):
    p = P.bounded_noise(P.l1_distance(np.zeros(7)), radius=0.3, kind=kind)
    _, noise = p.draw(np.random.default_rng(0), 500)
    np.testing.assert_allclose(np.linalg.norm(noise, axis=1), 0.3, rtol=1e-12)
    assert abs(noise.mean()) < 0.01


def test_gaussian_noise_with_covariance():
    cov = np.array([[1.0, 0.5], [0.5, 2.0]])
    p = P.additive_noise(P.l1_distance(np.zeros(2)), cov=cov)
    _, noise = p.draw(np.random.default_rng(1), 200000)
    np.testing.assert_allclose(np.cov(noise.T), cov, atol=0.02)
    assert p.constants["sigma2"] == pytest.approx(3.0)


@pytest.mark.parametrize("oracle", ["gaussian", "sphere", "rademacher", "without_replacement", "minibatch"])
@pytest.mark.parametrize("backend", ["numba", "cpp"])
def test_every_oracle_replays_the_same_stream_on_every_backend(oracle, backend):
    base = _ls()
    if oracle == "gaussian":
        p = P.additive_noise(base, noise_std=0.3, batch_size=2)
    elif oracle in ("sphere", "rademacher"):
        p = P.bounded_noise(base, 0.4, kind=oracle)
    else:
        p = P.finite_sum(base, batch_size=4, replace=oracle == "minibatch")
    ref = po.solve(p, "sgd", steps=60, seed=5, backend="numpy", record="all", output="uniform")
    got = po.solve(p, "sgd", steps=60, seed=5, backend=backend, record="all", output="uniform")
    np.testing.assert_allclose(got.x, ref.x, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got.trace["fun"], ref.trace["fun"], rtol=1e-10)


def test_seeds_change_the_path_and_are_reported():
    p = P.finite_sum(_ls(), 1)
    a, b = po.solve(p, "sgd", steps=50, seed=1), po.solve(p, "sgd", steps=50, seed=2)
    assert not np.allclose(a.x, b.x)
    c = po.solve(p, "sgd", steps=50)
    assert isinstance(c.seed, int)
    np.testing.assert_array_equal(po.solve(p, "sgd", steps=50, seed=c.seed).x, c.x)


def test_averaged_outputs_are_the_stated_averages():
    p = P.finite_sum(_ls(), 1)
    iterates = []
    po.solve(p, "sgd", steps=20, seed=0, record="all", callback=lambda r: iterates.append(r.x.copy()))
    X = np.vstack([p.x0] + iterates)  # x_0..x_20
    etas = 0.02 / np.sqrt(np.arange(1, 21))
    iterates.clear()
    po.solve(p, "sgd", steps=20, seed=0, record="all", schedule=etas,
             callback=lambda r: iterates.append(r.x.copy()))
    Y = np.vstack([p.x0] + iterates)
    res = {o: po.solve(p, "sgd", steps=20, seed=0, output=o).x for o in ("uniform", "suffix", "t_weighted")}
    np.testing.assert_allclose(res["uniform"], X[:20].mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(res["suffix"], X[11:].mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(res["t_weighted"], (np.arange(1, 22)[:, None] * X).sum(0) / np.arange(1, 22).sum(),
                               rtol=1e-12)
    after = po.solve(p, "sgd", steps=20, seed=0, output="uniform", average_from=1).x
    np.testing.assert_allclose(after, X[1:].mean(axis=0), rtol=1e-12)
    sw = po.solve(p, "sgd", steps=20, seed=0, output="step_weighted", schedule=etas).x
    np.testing.assert_allclose(sw, (etas[:, None] * Y[:20]).sum(0) / etas.sum(), rtol=1e-12)


def test_schedules_in_methods():
    p = P.finite_sum(_ls(), 1)
    for name in ("constant", "inv_sqrt", "inv_t", "linear_decay", "cosine", "wsd"):
        res = po.solve(p, "sgd", steps=100, step=0.01, schedule=name, seed=0)
        assert res.success
    sched = po.schedules.cosine(0.01, 100)
    assert po.solve(p, "sgd", steps=100, schedule=sched, seed=0).success
    with pytest.raises(ValueError, match="steps: schedule 'cosine' was built for horizon 100"):
        po.solve(p, "sgd", steps=50, schedule=sched)
    with pytest.raises(ValueError, match="schedule: 3 steps given for steps=5"):
        po.solve(p, "sgd", steps=5, schedule=np.ones(3))
    with pytest.raises(TypeError, match="schedule"):
        po.solve(p, "sgd", steps=5, schedule=3.0)


def test_bad_stochastic_input():
    p = _ls()
    for b in (0, p.n + 1):
        with pytest.raises(ValueError, match="batch_size"):
            po.solve(p, "sgd", steps=5, batch_size=b)
    with pytest.raises(ValueError, match="batch_size: minibatch oracles need a finite sum"):
        P.finite_sum(P.max_affine(np.eye(3), np.zeros(3)), 2)
    with pytest.raises(ValueError, match="noise_std, cov"):
        P.additive_noise(p)
    with pytest.raises(ValueError, match="cov: must be positive semidefinite"):
        P.additive_noise(P.l1_distance(np.zeros(2)), cov=-np.eye(2))
    with pytest.raises(ValueError, match="kind"):
        P.bounded_noise(p, 0.1, kind="cauchy")
    with pytest.raises(ValueError, match="problem: stochastic methods need a stochastic oracle"):
        po.solve(P.max_affine(np.eye(3), np.zeros(3)), "sgd", steps=5)
    with pytest.raises(ValueError, match="output: 'best'"):
        po.solve(p, "sgd", steps=5, output="best")


def test_sgd_divergence_is_reported():
    p = P.finite_sum(_ls(), 1)
    with pytest.warns(RuntimeWarning, match="1/\\(2 L_max\\)"):
        res = po.solve(p, "sgd", steps=5000, step=50.0, seed=0)
    assert not res.success and res.status == 1 and "iteration" in res.message


def test_one_step_pepit_anchor_regression():
    """Catalogue 1.4 [V:PEPit]: one SGD step, (mu, L, gamma, v, R) = (0.1, 1, 0.7, 1, 2) -> 4.183."""
    from pyoptheory.theory.stochastic import one_step_bound

    assert one_step_bound(0.1, 1.0, 0.7, 1.0, 2.0) == pytest.approx(4.183, abs=5e-4)
    assert one_step_bound(0.1, 1.0, 0.7, 0.0, 2.0) == pytest.approx(max(1 - 0.07, 0.7 - 1) ** 2 * 4)


def test_one_step_anchor_holds_exactly_on_strongly_convex_samples():
    """Every f_i = (n w/2)(a_i^T x - b_i)^2 + (mu/2)||x||^2 is mu-strongly convex and L_i-smooth:
    the exact one-step expectation (average over i) obeys the PEPit bound."""
    from pyoptheory.theory.stochastic import one_step_bound

    rng = np.random.default_rng(3)
    A = rng.standard_normal((12, 4))
    p = P.least_squares(A, rng.standard_normal(12), l2=0.3)
    mu, L = 0.3, p.constants["L_max"]
    xs = p.x_star
    n = p.n
    grads_star = [A[i] * (A[i] @ xs - p.b[i]) + mu * xs for i in range(n)]
    v = np.sqrt(np.mean([g @ g for g in grads_star]))
    for gamma in (0.5 / L, 1.0 / L, 1.5 / L):
        x0 = xs + rng.standard_normal(4)
        R = np.linalg.norm(x0 - xs)
        after = np.mean([np.sum((x0 - gamma * (A[i] * (A[i] @ x0 - p.b[i]) + mu * x0) - xs) ** 2)
                         for i in range(n)])
        assert after <= one_step_bound(mu, L, gamma, v, R) * (1 + 1e-12)
