"""Nonconvex penalties (SCAD, MCP): the split, the thresholding prox, the accelerated method and its baseline."""
import numpy as np
import pytest
from scipy.optimize import minimize_scalar

import pyoptheory as po
from pyoptheory import problems as P
from pyoptheory.problems.sets import MCP, SCAD, concave_deriv, penalty_value


@pytest.mark.parametrize("kind,par", [("scad", 3.7), ("mcp", 3.0)])
def test_penalty_is_continuous_and_its_concave_part_is_smooth(kind, par):
    lam = 0.7
    t = np.linspace(-4, 4, 20001)
    p = penalty_value(kind, t, lam, par)
    assert np.max(np.abs(np.diff(p))) < 1e-3  # continuous
    q = p - lam * np.abs(t)
    dq = concave_deriv(kind, t, lam, par)
    np.testing.assert_allclose(np.gradient(q, t)[1:-1], dq[1:-1], atol=2e-3)  # q' matches, q is C^1
    assert np.all(np.diff(dq) <= 1e-12)  # concave
    curv = 1 / (par - 1) if kind == "scad" else 1 / par
    assert np.max(np.abs(np.diff(dq) / np.diff(t))) <= curv * (1 + 1e-9)


@pytest.mark.parametrize("reg", [SCAD(0.5, 3.7), MCP(0.5, 3.0)])
@pytest.mark.parametrize("step", [0.3, 1.0, 1.9])
def test_thresholding_prox_is_the_exact_minimiser(reg, step):
    if step >= reg.max_step():
        pytest.skip("outside the prox's domain")
    for z in np.linspace(-3, 3, 61):
        got = reg.prox(np.array([z]), step)[0]
        obj = lambda u: 0.5 * (u - z) ** 2 + step * reg.value(np.array([u]))  # noqa: E731
        best = minimize_scalar(obj, bounds=(-4, 4), method="bounded", options={"xatol": 1e-12})
        assert obj(got) <= best.fun + 1e-9


@pytest.mark.parametrize("penalty", ["scad", "mcp"])
def test_split_and_full_forms_agree_and_backends_match(penalty):
    split = P.sparse_regression(100, 300, 5, penalty=penalty, split=True, seed=2)
    full = P.sparse_regression(100, 300, 5, penalty=penalty, split=False, seed=2)
    x = np.random.default_rng(0).standard_normal(300)
    assert split.objective(x) == pytest.approx(full.objective(x), rel=1e-12)
    assert split.constants["neg_curvature"] == pytest.approx(1 / 2.7 if penalty == "scad" else 1 / 3)
    for method, prob in (("nonconvex_ag", split), ("proximal_gd", full), ("proximal_gd", split)):
        ref = po.solve(prob, method, steps=60, backend="numpy", record="all")
        for backend in ("numba", "cpp"):
            got = po.solve(prob, method, steps=60, backend=backend, record="all")
            np.testing.assert_allclose(got.x, ref.x, rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(got.trace["fun"], ref.trace["fun"], rtol=1e-10)


@pytest.mark.parametrize("penalty", ["scad", "mcp"])
def test_stationarity_and_support_recovery(penalty):
    split = P.sparse_regression(penalty=penalty, split=True, seed=0)
    res = po.solve(split, "nonconvex_ag", steps=2000, record="all")
    gmin = res.trace["grad_norm_min"]
    assert np.all(np.diff(gmin) <= 0) and gmin[-1] < 1e-3 * gmin[0]
    found = np.abs(res.x) > 1e-8
    assert np.array_equal(found, split.beta_true != 0)
    assert np.linalg.norm(res.x - split.beta_true) < 0.5 * np.linalg.norm(split.beta_true)


def test_full_penalty_prox_step_limit():
    full = P.sparse_regression(50, 80, 3, penalty="mcp", param=1.5, split=False, seed=0)
    with pytest.raises(ValueError, match="step: the thresholding prox"):
        po.solve(full, "proximal_gd", steps=3, step=1.6)
    with pytest.raises(ValueError, match="a: SCAD needs a > 2"):
        SCAD(0.1, 2.0)
    with pytest.raises(ValueError, match="gamma: MCP needs gamma > 1"):
        MCP(0.1, 1.0)
    with pytest.raises(ValueError, match="penalty"):
        P.sparse_regression(penalty="lasso")
