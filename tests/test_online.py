"""Online learning: SEA environments (exact sigma and Sigma, closed-form comparators), the learners' round
loop against its NumPy reference, regret behaviour the theory predicts, and bad input."""
import numpy as np
import pytest

import pyoptheory as po
from pyoptheory import _core
from pyoptheory import random_stream as rs
from pyoptheory.methods import _online_reference as R
from pyoptheory.online.environments import STREAM_ENV, rademacher

REGIMES = ["stochastic", "switching", "drift", "fixed"]


def _env(loss="linear", regime="stochastic", d=6, **kw):
    kw.setdefault("noise", 0.4)
    return po.online.sea(d, loss=loss, regime=regime, period=kw.pop("period", 7), omega=kw.pop("omega", 0.3), **kw)


# --- environments -----------------------------------------------------------------------------------
def test_rademacher_noise_has_exact_norm_and_fair_signs():
    env = _env(d=200, noise=0.7)
    xi = np.array([env.noise_at(t, seed=5) for t in range(1, 2001)])
    np.testing.assert_allclose(np.linalg.norm(xi, axis=1), 0.7, rtol=1e-14)
    signs = np.sign(xi).ravel()
    assert abs(signs.mean()) < 5 / np.sqrt(signs.size)  # 5 standard errors
    assert not np.array_equal(rademacher(5, 1, 200), rademacher(6, 1, 200))
    # the bits are those of Philox blocks at counter (block, t, 0, STREAM_ENV)
    words = rs.philox4x32(np.array([[1, 9, 0, STREAM_ENV]], dtype=np.uint32), 5)[0]
    assert rademacher(5, 9, 200)[128] == (1.0 if words[0] & 1 else -1.0)


@pytest.mark.parametrize("regime", REGIMES)
def test_sigma_and_Sigma_are_exact(regime):
    env = _env(regime=regime, d=4, noise=0.5)
    T = 50
    C = np.array([env.mean_at(t) for t in range(1, T + 1)])
    diffs = np.diff(np.vstack([np.zeros(4), C]), axis=0)
    assert env.Sigma2(T) == pytest.approx((diffs**2).sum(), rel=1e-12)
    assert env.sigma2(T) == pytest.approx(T * env.noise**2)
    if regime == "switching":  # ||c||^2 + 4 ||c||^2 per flip
        flips = (T - 1) // 7
        assert env.Sigma2(T) == pytest.approx((1 + 4 * flips) * (env.mean @ env.mean))
    if regime == "drift":  # 2 r^2 (1 - cos omega) per round after the first
        r2 = env.mean @ env.mean
        assert env.Sigma2(T) == pytest.approx(r2 + (T - 1) * 2 * r2 * (1 - np.cos(0.3)))
    # G bounds every gradient the learners see
    res = po.solve(env, "oomd", steps=T, record="all", seed=1)
    assert res.trace["step"][1:].min() > 0
    g_max = max(np.linalg.norm(env.grad_at(t, np.zeros(4), seed=1)) for t in range(1, T + 1))
    assert g_max <= env.constants["G"] + 1e-12


@pytest.mark.parametrize("loss", ["linear", "quadratic"])
def test_regrets_use_the_best_fixed_point_in_hindsight(loss):
    """The closed-form comparator equals a numerical minimization over the ball (scipy, many starts)."""
    from scipy.optimize import minimize

    env = _env(loss=loss, regime="drift", d=3, noise=0.6)
    T, seed = 40, 2
    res = po.solve(env, "ogd", steps=T, record="all", seed=seed, step=0.1)
    plays = []
    st_env = _env(loss=loss, regime="drift", d=3, noise=0.6)
    x = np.zeros(3)
    for t in range(1, T + 1):  # replay OGD by hand to get the plays
        plays.append(x.copy())
        x = R.project_ball(x - 0.1 * st_env.grad_at(t, x, seed), 1.0)
    learner = sum(env.loss_at(t, plays[t - 1], seed) for t in range(1, T + 1))

    def total(u):
        return sum(env.loss_at(t, u, seed) for t in range(1, T + 1))

    cons = {"type": "ineq", "fun": lambda u: 1.0 - u @ u}
    best = min(minimize(total, u0, constraints=[cons], method="SLSQP", options={"ftol": 1e-12}).fun
               for u0 in np.random.default_rng(0).normal(scale=0.3, size=(6, 3)))
    assert res.regret == pytest.approx(learner - best, abs=1e-6)
    assert res.trace["loss"][-1] == pytest.approx(learner, rel=1e-12)


# --- kernel against the reference -------------------------------------------------------------------
@pytest.mark.parametrize("loss", ["linear", "quadratic"])
@pytest.mark.parametrize("regime", REGIMES)
@pytest.mark.parametrize("method,opts", [("ogd", {}), ("ogd", {"step": "adaptive"}), ("ogd", {"step": 0.05}),
                                         ("oomd", {}), ("oomd", {"step": 0.1}), ("oftrl", {})])
def test_cpp_rounds_match_the_numpy_reference(loss, regime, method, opts):
    env = _env(loss=loss, regime=regime, d=7)
    a = po.solve(env, method, steps=300, backend="numpy", record="all", seed=4, **opts)
    b = po.solve(env, method, steps=300, backend="cpp", record="all", seed=4, **opts)
    np.testing.assert_allclose(b.x, a.x, rtol=1e-10, atol=1e-12)
    for col in ("loss", "regret", "pseudo_regret", "step"):
        np.testing.assert_allclose(b.trace[col], a.trace[col], rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("regime", REGIMES)
@pytest.mark.parametrize("method,opts", [("ogd", {}), ("ogd", {"step": "adaptive"}), ("oomd", {}), ("oftrl", {})])
def test_experts_on_the_simplex_match_the_reference_and_stay_on_the_simplex(regime, method, opts):
    env = po.online.sea(8, regime=regime, domain="simplex", noise=0.5, mean=np.linspace(-0.5, 0.5, 8), period=3)
    a = po.solve(env, method, steps=300, backend="numpy", record="all", seed=2, **opts)
    b = po.solve(env, method, steps=300, backend="cpp", record="all", seed=2, **opts)
    np.testing.assert_allclose(b.x, a.x, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.trace["regret"], a.trace["regret"], rtol=1e-10, atol=1e-10)
    assert b.x.min() >= 0 and b.x.sum() == pytest.approx(1.0, abs=1e-12)
    # the best fixed point is the best expert: the regret against every vertex is at most the reported one
    for i in range(8):
        assert po.solve(env, method, steps=300, seed=2, comparator=np.eye(8)[i], **opts).regret <= b.regret + 1e-9


def test_exponentiated_gradient_regret_and_entropic_bounded_regret():
    """Hedge/EG with eta = D/(G sqrt(T)), D = sqrt(2 log d): regret <= G sqrt(2 T log d) on every seed; OOMD's
    regret on one fixed linear function is constant in T where EG's grows."""
    env = po.online.sea(16, domain="simplex", noise=1.0, mean=np.linspace(-0.2, 0.2, 16))
    c = env.constants
    assert c.D == pytest.approx(np.sqrt(2 * np.log(16)))
    for seed in range(5):
        assert po.solve(env, "ogd", steps=3000, seed=seed, record=2).regret <= c.G * np.sqrt(2 * 3000 * np.log(16))
    fixed = po.online.sea(8, regime="fixed", domain="simplex", mean=np.linspace(-0.5, 0.5, 8))
    oomd = [po.solve(fixed, "oomd", steps=T, record=2).regret for T in (100, 1000, 10000)]
    eg = [po.solve(fixed, "ogd", steps=T, record=2).regret for T in (100, 1000, 10000)]
    assert max(oomd) - min(oomd) < 1e-6 * max(oomd) and eg[2] > 10 * oomd[2]  # the weights keep moving by e^-T
    with pytest.raises(ValueError, match="domain"):
        po.online.sea(4, loss="quadratic", domain="simplex")


@pytest.mark.parametrize("loss", ["linear", "quadratic"])
@pytest.mark.parametrize("method", ["ogd", "oomd", "oftrl"])
def test_box_domain_matches_the_reference_and_its_comparator_is_exact(loss, method):
    from scipy.optimize import minimize

    env = po.online.sea(5, loss=loss, regime="switching", domain="box", radius=0.5, noise=0.5, period=3)
    a = po.solve(env, method, steps=200, backend="numpy", record="all", seed=2)
    b = po.solve(env, method, steps=200, backend="cpp", record="all", seed=2)
    np.testing.assert_allclose(b.x, a.x, rtol=1e-10, atol=1e-12)
    assert np.abs(b.x).max() <= 0.5
    Ys = np.array([env.target(t, 2) for t in range(1, 201)])

    def total(u):  # sum_s f_s(u), checked against the environment's own loss_at
        return Ys.sum(axis=0) @ u if loss == "linear" else 0.5 * ((u - Ys) ** 2).sum()

    assert total(np.full(5, 0.1)) == pytest.approx(env.total_loss(200, np.full(5, 0.1), 2), rel=1e-12)
    best = min(minimize(total, u0, bounds=[(-0.5, 0.5)] * 5, method="L-BFGS-B",
                        options={"ftol": 1e-15, "gtol": 1e-12}).fun
               for u0 in np.random.default_rng(0).uniform(-0.5, 0.5, (4, 5)))
    assert b.regret == pytest.approx(b.trace["loss"][-1] - best, abs=1e-6)
    assert env.constants.D == pytest.approx(2 * 0.5 * np.sqrt(5))


def test_rounds_of_more_than_128_coordinates_and_long_runs():
    env = po.online.sea(300, noise=1.0)
    a = po.solve(env, "oomd", steps=50, backend="numpy", seed=9)
    b = po.solve(env, "oomd", steps=50, backend="cpp", seed=9)
    np.testing.assert_allclose(b.x, a.x, rtol=1e-10, atol=1e-12)
    res = po.solve(po.online.sea(100, noise=0.5), "oomd", steps=200_000, record=5, seed=0)
    assert res.success and res.nit == 200_000 and np.linalg.norm(res.x) <= 1 + 1e-12


# --- what the theory predicts -----------------------------------------------------------------------
def test_oomd_has_bounded_regret_on_a_fixed_function_where_ogd_grows_like_sqrt_t():
    env = po.online.sea(10, regime="fixed")
    Ts = [100, 1000, 10000]
    oomd = [po.solve(env, "oomd", steps=T, record=2).regret for T in Ts]
    ogd = [po.solve(env, "ogd", steps=T, record=2).regret for T in Ts]
    assert max(oomd) - min(oomd) < 1e-9 and max(oomd) < 2.0
    assert ogd[2] / ogd[1] == pytest.approx(np.sqrt(10), rel=0.15) and ogd[2] > 10 * max(oomd)


def test_ogd_regret_is_within_d_g_sqrt_t_on_every_seed():
    env = po.online.sea(10, noise=1.0, mean=np.full(10, 0.05))
    c = env.constants
    for seed in range(10):
        res = po.solve(env, "ogd", steps=2000, seed=seed, record=2)
        assert res.regret <= c.D * c.G * np.sqrt(2000)


def test_pseudo_regret_lower_bounds_the_regret_in_expectation():
    """E min_u sum f_s(u) <= min_u sum F_s(u), so the mean regret is at least the mean pseudo-regret."""
    env = po.online.sea(5, noise=1.0)
    res = [po.solve(env, "oomd", steps=500, seed=s, record=2) for s in range(40)]
    reg = np.array([r.regret for r in res])
    pseudo = np.array([r.pseudo_regret for r in res])
    assert reg.mean() >= pseudo.mean() - 3 * (reg - pseudo).std(ddof=1) / np.sqrt(40)


def test_regret_is_fitted_by_sqrt_sigma2_plus_sqrt_Sigma2_across_regimes():
    """At fixed T, OOMD's pseudo-regret over a grid of noise levels and alternating amplitudes is fitted by
    a sqrt(sigma^2_{1:T}) + b sqrt(Sigma^2_{1:T}) with a, b > 0 and a small residual (measured 0.3%)."""
    import pandas as pd

    from pyoptheory.experiments.figures import oomd_sea as F

    rows = [F.regret_at_T(kind, level, 3000, seed=s) for kind in ("noise", "amplitude")
            for level in (0.1, 0.3, 1.0, 3.0) for s in range(3)]
    a, b, rel = F.fit_sqrt_model(pd.DataFrame(rows))
    assert a > 0 and b > 0 and rel < 0.05


def test_strongly_convex_step_gives_logarithmic_regret():
    """Quadratic losses (mu = 1), step 1/(mu t): the pseudo-regret is affine in log T (R^2 > 0.99, a
    log-log slope near 0), where the SEA step grows like sqrt(T)."""
    Ts = np.array([100, 300, 1000, 3000, 10000, 30000])
    for kw in (dict(regime="stochastic", noise=1.0), dict(regime="switching", period=1, mean=np.full(10, 0.3))):
        env = po.online.sea(10, loss="quadratic", **kw)
        v = np.array([np.mean([po.solve(env, "oomd", step="strongly_convex", steps=int(T), record=2,
                                        seed=s).pseudo_regret for s in range(8)]) for T in Ts])
        coef, res, *_ = np.polyfit(np.log(Ts), v, 1, full=True)
        r2 = 1 - res[0] / ((v - v.mean()) ** 2).sum()
        assert coef[0] > 0 and r2 > 0.99
        assert np.polyfit(np.log(Ts), np.log(v), 1)[0] < 0.2
    with pytest.raises(ValueError, match="strongly convex"):
        po.solve(po.online.sea(4), "oomd", step="strongly_convex", steps=5)
    with pytest.raises(ValueError, match="step"):  # FTRL's leader would need the strongly convex surrogates
        po.solve(po.online.sea(4, loss="quadratic"), "oftrl", step="strongly_convex", steps=5)


def test_regret_against_a_given_comparator():
    env = _env(loss="quadratic", regime="drift", d=3)
    u = np.array([0.2, -0.1, 0.3])
    res = po.solve(env, "oomd", steps=200, seed=1, comparator=u, record="all")
    fu = sum(env.loss_at(t, u, 1) for t in range(1, 201))
    assert res.regret == pytest.approx(res.trace["loss"][-1] - fu, rel=1e-10)
    with pytest.raises(ValueError, match="comparator"):
        po.solve(env, "oomd", steps=5, comparator=np.array([2.0, 0, 0]))


def test_a_wrong_declared_g_is_detected():
    class Understated(po.online.SEAEnvironment):
        def _compute_constants(self):
            c = super()._compute_constants()
            return type(c)({**dict(c), "G": 0.5 * c["G"]})

    env = Understated(4, noise=1.0)
    res = po.solve(env, "ogd", steps=100, seed=0, step=0.1)
    assert not res.success and res.status == 1 and "exceeds the declared G" in res.message


def test_logistic_stream_regret_and_orders():
    from pyoptheory.online import Environment

    env = po.online.logistic_stream(order="random")
    c = env.constants
    assert c.G == pytest.approx(1.0) and c.D == 2.0 and c.L == pytest.approx(0.25)
    with pytest.raises(ValueError, match="sigma2"):
        c["sigma2"]
    # every pass reveals each example once; the sorted order groups the labels
    n = env.A.shape[0]
    assert sorted(env.index(t, 3) for t in range(1, n + 1)) == list(range(n))
    srt = po.online.logistic_stream(order="sorted")
    labels = [srt.y[srt.index(t, 0)] for t in range(1, n + 1)]
    assert np.all(np.diff(labels) >= 0)
    # the cvxpy comparator agrees with the generic projected-gradient one of the protocol
    assert env.best_in_hindsight(60, 1) == pytest.approx(Environment.best_in_hindsight(env, 60, 1), rel=1e-6)
    res = po.solve(env, "oomd", steps=300, seed=1, record=4)
    assert res.success and res.backend == "numpy" and np.isfinite(res.regret)
    assert np.all(np.isnan(res.trace["pseudo_regret"]))
    ogd = po.solve(env, "ogd", steps=300, seed=1, record=4)
    assert 0 < res.regret < ogd.regret  # the hint helps on a stream of similar examples
    with pytest.raises(ValueError, match="backend"):
        po.solve(env, "oomd", steps=5, backend="cpp")


def test_user_environment_with_bad_gradients_fails_cleanly():
    from pyoptheory.online import Environment
    from pyoptheory.problems.base import Constants

    class Broken(Environment):
        def loss_at(self, t, x, seed):
            return np.nan if t == 7 else float(x.sum())

        def grad_at(self, t, x, seed):
            return np.ones(self.dim)

        def _compute_constants(self):
            return Constants({"G": 10.0, "D": 2.0})

    res = po.solve(Broken(3, 1.0, "broken"), "oomd", steps=20, seed=0)
    assert not res.success and res.status == 1 and "round 7" in res.message


@pytest.mark.parametrize("method", ["ons", "oons"])
def test_online_newton_step_matches_the_reference(method):
    env = po.online.sea(5, loss="quadratic", regime="switching", noise=1.0, period=3)
    a = po.solve(env, method, steps=200, backend="numpy", record="all", seed=3)
    b = po.solve(env, method, steps=200, backend="cpp", record="all", seed=3)
    np.testing.assert_allclose(b.x, a.x, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.trace["regret"], a.trace["regret"], rtol=1e-10, atol=1e-10)
    assert np.linalg.norm(b.x) <= 1 + 1e-12


def test_a_norm_projection_solves_its_problem():
    """P^A(y) minimizes (x - y)^T A (x - y) over the ball: compared with a numerical solve."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(0)
    B = rng.normal(size=(4, 4))
    A = B @ B.T + 0.1 * np.eye(4)
    y = 3 * rng.normal(size=4)
    x = R.project_A(y, A, 1.0)
    assert np.linalg.norm(x) == pytest.approx(1.0, abs=1e-12)
    ref = minimize(lambda u: (u - y) @ A @ (u - y), np.zeros(4), method="SLSQP",
                   constraints=[{"type": "ineq", "fun": lambda u: 1 - u @ u}], options={"ftol": 1e-14})
    assert (x - y) @ A @ (x - y) <= ref.fun + 1e-8


def test_ons_regret_is_within_hazans_bound():
    """ONS with gamma = min(1/(4GD), alpha)/2, eps = 1/(gamma D)^2: regret <= 5 (1/alpha + G D) d log T for every
    sequence (Hazan, Introduction to OCO, Thm 4.5), here on every seed and horizon."""
    env = po.online.sea(5, loss="quadratic", noise=1.0)
    c = env.constants
    for T in (10, 100, 1000, 10000):
        for seed in range(3):
            res = po.solve(env, "ons", steps=T, seed=seed, record=2)
            assert res.regret <= 5 * (1 / c.exp_concavity + c.G * c.D) * 5 * np.log(T)
    with pytest.raises(ValueError, match="exp-concave"):
        po.solve(po.online.sea(5), "ons", steps=5)
    with pytest.raises(ValueError, match="ball"):
        po.solve(po.online.sea(5, loss="quadratic", domain="box"), "ons", steps=5)


def test_log_rate_check_fails_on_sqrt_t_growth():
    """A check that cannot fail is a defect: the same theorem run with the SEA step (regret ~ sqrt(T))
    fails its logarithmic-rate check."""
    from pyoptheory.theory.base import Theorem

    th = po.theorems("oomd.strongly_convex.log")
    wrong = Theorem(**{**th.__dict__, "id": "sqrt-growth", "options": lambda p: {}})
    rep = po.verify(wrong, problem="quadratic_stochastic", quick=True, seeds=4)
    assert not rep.passed
    assert po.verify(th, problem="quadratic_stochastic", quick=True, seeds=4).passed


# --- bad input --------------------------------------------------------------------------------------
def test_bad_environments_and_options_name_the_argument():
    for kw, name in [({"loss": "cubic"}, "loss"), ({"regime": "chaos"}, "regime"), ({"noise": -1.0}, "noise"),
                     ({"radius": 0.0}, "radius"), ({"period": 0}, "period"), ({"mean": np.ones(3)}, "mean"),
                     ({"mean": np.full(5, np.nan)}, "mean")]:
        with pytest.raises((ValueError, TypeError), match=name):
            po.online.sea(5, **kw)
    with pytest.raises(ValueError, match="dim"):
        po.online.sea(1, regime="drift")
    with pytest.raises(ValueError, match="G = 0"):
        po.online.sea(4, mean=np.zeros(4))
    env = po.online.sea(5)
    with pytest.raises(ValueError, match="x0"):
        po.solve(env, "oomd", x0=np.full(5, 2.0), steps=5)  # outside the ball
    with pytest.raises(ValueError, match="step"):
        po.solve(env, "ogd", step="linear", steps=5)
    with pytest.raises(ValueError, match="delta"):
        po.solve(env, "oomd", delta=0.0, steps=5)
    with pytest.raises(TypeError, match="problem"):
        po.methods()["oomd"].func(po.problems.rastrigin(3), steps=5)
    with pytest.raises(ValueError, match="accepts problems of kind"):
        po.solve(po.problems.rastrigin(3), "oomd", steps=5)


def test_kernel_refuses_inconsistent_state():
    env = po.online.sea(4)
    z = np.zeros(4)
    with pytest.raises(ValueError, match="state arrays"):
        _core.online_rounds(*env.kernel_spec(), 0, 1, 3, 0.0, 1.0, 1.0, 2.0, 10, z, z, z, np.zeros(3), z, z,
                            np.zeros(7), np.eye(4), 0, 5)
    with pytest.raises(ValueError, match="A must"):
        _core.online_rounds(*env.kernel_spec(), 0, 1, 3, 0.0, 1.0, 1.0, 2.0, 10, z, z, z, z, z, z,
                            np.zeros(7), np.eye(3), 0, 5)
