"""verify(theorem, method=fn): your own optimizer against a theorem -- correct twins pass, wrong ones are refuted,
contract violations are reported as failures naming the method and the instance."""
import subprocess
import sys

import numpy as np
import pytest

import pyoptheory as po
from pyoptheory.verify import twins
from pyoptheory.verify.user import StochasticOracle, UserMethodError, supports

# (theorem, correct twin, wrong twin, verify options): five methods of different families
PAIRS = {
    "gradient_descent": ("gd.convex.smooth", twins.gradient_method(), twins.gradient_method(lag=1), {}),
    "subgradient": ("subgradient.best.constant", twins.gradient_method(output="best"),
                    twins.gradient_method(output="best", step_scale=2.0), {}),
    "heavy_ball": ("heavy_ball.quadratic", twins.heavy_ball_method(), twins.heavy_ball_method(momentum_scale=0.9),
                   {"horizons": [1, 2, 3, 5, 8, 13, 20, 32, 50, 80, 130, 200]}),
    "sgd": ("sgd.strongly_convex.constant", twins.stochastic_gradient_method(),
            twins.stochastic_gradient_method(step_scale=1.5), {"horizons": [1, 3, 10, 30, 100, 300], "seeds": 32}),
    "gauss_southwell": ("bcd.gs", twins.coordinate_descent("gs"), twins.coordinate_descent("cyclic"),
                        {"horizons": [1, 2, 3, 5, 8, 13, 20, 32, 50]}),
    "random_gradient_free": ("zo_rgf.strongly_convex", twins.random_gradient_free(),
                             twins.random_gradient_free(step_scale=1.4),
                             {"horizons": [1, 3, 10, 30, 100, 300], "seeds": 32}),
}


@pytest.mark.parametrize("family", sorted(PAIRS))
def test_correct_twin_passes_and_wrong_twin_is_refuted(family):
    theorem, good, bad, opts = PAIRS[family]
    ok = po.verify(theorem, quick=True, method=good, **opts)
    assert ok.passed, ok
    assert ok.method.endswith("method") and not ok.errors
    wrong = po.verify(theorem, quick=True, method=bad, **opts)
    assert not wrong.passed, wrong
    assert any(not c.passed for c in wrong.cases)


def test_twin_replays_the_builtin_sample_stream_exactly():
    """A user's SGD draws the built-in method's samples: same seed, same iterates."""
    from pyoptheory.theory.stochastic import noisy_least_squares
    from types import SimpleNamespace

    p = noisy_least_squares()
    for out in ("last", "uniform", "t_weighted", "step_weighted"):
        res = po.solve(p, "sgd", steps=300, step=0.01, output=out, seed=11, backend="cpp")
        pts = list(twins.stochastic_gradient_method()(StochasticOracle(p, 11),
                                                       SimpleNamespace(horizon=300, step=0.01, output=out)))
        np.testing.assert_allclose(pts[-1], res.x, rtol=1e-10, atol=1e-12)


def test_the_stream_does_not_depend_on_the_checkpoints():
    from pyoptheory.theory.stochastic import noisy_least_squares

    p = noisy_least_squares()
    a = po.solve(p, "sgd", steps=5000, step=0.01, seed=3, record=np.array([5000]))
    b = po.solve(p, "sgd", steps=5000, step=0.01, seed=3, record="all")
    np.testing.assert_array_equal(a.x, b.x)


def _shape(oracle, params):
    while True:
        oracle.grad(oracle.x0)
        yield np.zeros(oracle.dim + 1)


def _nan(oracle, params):
    x = oracle.x0
    while True:
        x = x - params.step * oracle.grad(x)
        yield np.full_like(x, np.nan)


def _raises(oracle, params):
    oracle.grad(oracle.x0)
    raise RuntimeError("my optimizer broke")
    yield  # pragma: no cover


def _greedy(oracle, params):  # two gradients per update: over budget
    x = oracle.x0
    while True:
        oracle.grad(x)
        x = x - params.step * oracle.grad(x)
        yield x


def _short(oracle, params):
    x = oracle.x0
    for _ in range(3):
        x = x - params.step * oracle.grad(x)
        yield x


def _not_iterable(oracle, params):
    return 42


@pytest.mark.parametrize("fn, what", [(_shape, "shape"), (_nan, "not finite"), (_raises, "my optimizer broke"),
                                      (_greedy, "budget"), (_short, "stopped after 3"),
                                      (_not_iterable, "expected a generator")])
def test_contract_violations_fail_the_theorem_with_a_named_error(fn, what):
    rep = po.verify("gd.convex.smooth", quick=True, method=fn, horizons=[1, 2, 5, 10])
    assert not rep.passed
    assert rep.errors and what in rep.errors[0]
    assert fn.__name__ in rep.errors[0] and "huber_worst_case" in " ".join(rep.errors)


def test_infeasible_points_are_refused():
    rep = po.verify("projected_gd.convex", quick=True, method=twins.gradient_method(prox=False), horizons=[1, 2, 5])
    assert not rep.passed and any("outside the feasible set" in e for e in rep.errors)


def test_unsupported_theorems_and_bad_methods_are_refused():
    assert supports(po.theorems("sinkhorn.hilbert")) is not None
    assert supports(po.theorems("gd.convex.smooth")) is None
    with pytest.raises(ValueError, match="method"):
        po.verify("sinkhorn.hilbert", method=twins.gradient_method())
    with pytest.raises(TypeError, match="method"):
        po.verify("gd.convex.smooth", method=3)
    with pytest.raises(ValueError, match="method"):
        po.verify("gd.convex.smooth", method="no_such_method")
    with pytest.raises(TypeError, match="mutate"):
        po.verify("gd.convex.smooth", mutate=3)


def test_user_methods_are_never_cached(tmp_path):
    """A changed function must never reuse a stored verdict."""
    def method(oracle, params):
        x = oracle.x0
        while True:
            x = x - params.step * oracle.grad(x)
            yield x

    cache = tmp_path / "cache"
    first = po.verify("gd.convex.smooth", "pepit_worst_case", method=method, cache=str(cache))
    assert first.passed

    def method(oracle, params):  # noqa: F811 -- the same name, another body
        x = oracle.x0
        while True:
            x = x - 2 * params.step * oracle.grad(x)
            yield x

    second = po.verify("gd.convex.smooth", "pepit_worst_case", method=method, cache=str(cache))
    assert not second.passed


def test_a_registered_method_in_place_of_the_theorems():
    """OOMD's fixed-function theorem refutes plain OGD (the horizon step pays sqrt(T))."""
    rep = po.verify("oomd.fixed.bounded", quick=True, method="ogd")
    assert not rep.passed and rep.method == "ogd"
    assert po.verify("oomd.fixed.bounded", quick=True).passed


def test_cli_method_flag(tmp_path):
    src = tmp_path / "mine.py"
    src.write_text("def gd(oracle, params):\n    x = oracle.x0\n    while True:\n"
                   "        x = x - params.step * oracle.grad(x)\n        yield x\n\n"
                   "def bad(oracle, params):\n    x = oracle.x0\n    while True:\n"
                   "        x = x - 0.5 * params.step * oracle.grad(x)\n        yield x\n")
    ok = subprocess.run([sys.executable, "-m", "pyoptheory.cli", "verify", "gd.convex.smooth", "--quick", "--method",
                         f"{src}:gd"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "for method mine:gd: PASSED" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "pyoptheory.cli", "verify", "gd.convex.smooth", "--quick", "--method",
                          f"{src}:bad"], capture_output=True, text=True)
    assert bad.returncode == 1 and "FAILED" in bad.stdout
    missing = subprocess.run([sys.executable, "-m", "pyoptheory.cli", "verify", "gd.convex.smooth", "--method",
                              "nowhere"], capture_output=True, text=True)
    assert missing.returncode == 2 and "--method" in missing.stderr


def test_user_method_error_type():
    assert issubclass(UserMethodError, RuntimeError)
