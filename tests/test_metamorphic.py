"""Metamorphic tests: transformations that must not change what the theorem predicts."""
import numpy as np
import pytest

import pyoptheory as po
from pyoptheory import problems as P
from pyoptheory.problems.linear import LinearModel

HORIZONS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]


def _base():
    d = 40
    return P.quadratic(d, spectrum=(np.arange(d) / (d - 1)) ** 2, seed=11)


def _variant(p, *, rotate=False, shift=0.0, scale=1.0):
    A, b, x_star = p.A, p.b, p.x_star
    x0 = p.x0
    if rotate:
        Q, _ = np.linalg.qr(np.random.default_rng(5).standard_normal((p.dim, p.dim)))
        A, x_star, x0 = A @ Q, Q.T @ x_star, Q.T @ x0  # f(Q y) in the variable y
    return LinearModel(A, b, loss="squared", weight=p.weight * scale, const=shift * scale, x0=x0, x_star=x_star,
                       f_star=shift * scale, name="variant")


def _verdict(problem):
    rep = po.verify("gd.convex.smooth", problem=problem, horizons=HORIZONS)
    c = rep.cases[0]
    return rep.passed, c.fitted_rate, c.measured / c.bound


@pytest.mark.parametrize("kind", ["rotate", "shift", "scale"])
def test_transformations_keep_verdict_and_rate(kind):
    p = _base()
    q = _variant(p, rotate=kind == "rotate", shift=3.7 if kind == "shift" else 0.0,
                 scale=1e3 if kind == "scale" else 1.0)
    a, b = _verdict(p), _verdict(q)
    assert a[0] and b[0]
    assert b[1] == pytest.approx(a[1], abs=1e-6)
    # tightness ratio measured/bound is invariant too (scale: L and f scale together, step 1/L adapts)
    np.testing.assert_allclose(b[2], a[2], rtol=1e-6, atol=1e-12)


def test_scaling_f_with_the_step_gives_the_same_iterates():
    p = _base()
    q = _variant(p, scale=1e3)
    a = po.solve(p, "gd", steps=100, step=0.5)
    b = po.solve(q, "gd", steps=100, step=0.5e-3)
    np.testing.assert_allclose(b.x, a.x, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(b.trace["gap"], 1e3 * a.trace["gap"], rtol=1e-7, atol=1e-12)


def test_appending_an_inactive_block_keeps_the_bound():
    """Adding coordinates on which f does not depend (and x0 = x* there) changes nothing."""
    p = _base()
    A = np.hstack([p.A, np.zeros((p.A.shape[0], 5))])
    q = LinearModel(A, p.b, loss="squared", weight=p.weight, x0=np.r_[p.x0, np.zeros(5)],
                    x_star=np.r_[p.x_star, np.zeros(5)], f_star=0.0, name="padded")
    assert q.constants["L"] == pytest.approx(p.constants["L"], rel=1e-12)
    a, b = _verdict(p), _verdict(q)
    assert b[0] and b[1] == pytest.approx(a[1], abs=1e-6)
