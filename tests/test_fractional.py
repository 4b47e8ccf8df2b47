"""Coordinate descent for fractional programs (Yuan 2023) and Dinkelbach's method."""
import math

import numpy as np
import pytest

import pyoptheory as po
from pyoptheory import _core
from pyoptheory.methods import _fractional_reference as R
from pyoptheory.methods.fractional import dinkelbach
from pyoptheory.problems import FractionalQuadratic, fractional_quadratic


def _random_lines(n, seed=0):
    """One-dimensional problems with a denominator positive on the interval (checked on a grid)."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        xi = rng.normal()
        lo = min(xi, -3 * abs(rng.normal())) if rng.random() < 0.7 else -math.inf
        hi = max(xi, 3 * abs(rng.normal())) if rng.random() < 0.7 else math.inf
        lam = abs(rng.normal()) * (rng.random() < 0.7)
        concave = rng.random() < 0.5 and math.isfinite(lo) and math.isfinite(hi)
        Bii = (-1 if concave else 1) * 0.3 * abs(rng.normal())
        gD, D0 = 0.3 * rng.normal(), 3 + abs(rng.normal())
        theta = [0.0, 0.1, 1.0][len(out) % 3]
        L, H = (lo if math.isfinite(lo) else xi - 30), (hi if math.isfinite(hi) else xi + 30)
        z = np.linspace(L, H, 20001)
        if np.min(D0 + (z - xi) * gD + 0.5 * Bii * (z - xi) ** 2) <= 0.05:
            continue
        if Bii > 0 and D0 - 0.5 * gD ** 2 / Bii <= 0.05:
            continue
        out.append(dict(xi=xi, lo=lo, hi=hi, gN=rng.normal(), Aii=abs(rng.normal()) + 0.1,
                        N0=5 + abs(rng.normal()) + lam * abs(xi), lam=lam, gD=gD, Bii=Bii, D0=D0, theta=theta))
    return out


def test_line_minimum_is_global_and_cpp_equals_reference():
    for c in _random_lines(600):
        z, val, status = R.line_min(**c)
        zc, valc, statusc = _core.fractional_line_min(**c)
        assert status == statusc and zc == pytest.approx(z, rel=1e-12, abs=1e-12)
        assert valc == pytest.approx(val, rel=1e-12)
        if status:
            continue
        L = c["lo"] if math.isfinite(c["lo"]) else c["xi"] - 30
        H = c["hi"] if math.isfinite(c["hi"]) else c["xi"] + 30
        grid = np.linspace(L, H, 4001)
        vals = [R.line_value(g, c["xi"], c["gN"], c["Aii"], c["N0"], c["lam"], c["gD"], c["Bii"], c["D0"],
                             c["theta"]) for g in grid]
        assert val <= min(vals) + 1e-10 * max(1.0, abs(val))
        assert val <= R.line_value(c["xi"], **{k: c[k] for k in c if k not in ("lo", "hi")}) + 0.0


def test_poly_roots_find_every_real_root():
    rng = np.random.default_rng(3)
    for _ in range(200):
        roots = np.sort(rng.uniform(-5, 5, size=rng.integers(1, 6)))
        c = list(np.poly(roots) * rng.uniform(0.5, 2.0))
        got = R.poly_roots(c, -10.0, 10.0)
        for r in roots:  # simple roots are found to high accuracy (clusters within 1e-3 excepted)
            if np.min(np.abs(np.delete(roots, np.argmin(np.abs(roots - r))) - r), initial=1.0) > 1e-3:
                assert np.min(np.abs(np.asarray(got) - r)) < 1e-8


@pytest.mark.parametrize("denominator", ["concave", "convex"])
@pytest.mark.parametrize("rule", ["cyclic", "permutation", "uniform"])
@pytest.mark.parametrize("theta", [0.0, 0.5])
def test_cpp_matches_reference_step_for_step(denominator, rule, theta):
    p = fractional_quadratic(7, denominator=denominator, lam=0.2, seed=2)
    a = po.solve(p, "fractional_cd", rule=rule, theta=theta, steps=300, backend="numpy", seed=5, record="all")
    b = po.solve(p, "fractional_cd", rule=rule, theta=theta, steps=300, backend="cpp", seed=5, record="all")
    np.testing.assert_allclose(b.x, a.x, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.trace["fun"], a.trace["fun"], rtol=1e-10)
    assert a.success and b.success


@pytest.mark.parametrize("denominator", ["concave", "convex"])
@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_objective_decreases_at_every_step_and_reaches_coordinatewise_stationarity(denominator, lam):
    p = fractional_quadratic(9, denominator=denominator, lam=lam, seed=4)
    res = po.solve(p, "fractional_cd", steps=2000, seed=0, record="all")
    f = res.trace["fun"]
    assert res.success
    assert np.all(np.diff(f) <= 1e-14 * np.abs(f[1:]))
    assert res.trace["cw_decrease"][-1] <= 1e-12
    # every one-dimensional slice through the final point is minimised at t = 0 (dense grid)
    x = res.x
    F = p.f(x)
    for i in range(p.dim):
        lo = p.lo[i] if np.isfinite(p.lo[i]) else x[i] - 20
        hi = p.hi[i] if np.isfinite(p.hi[i]) else x[i] + 20
        for z in np.linspace(lo, hi, 2001):
            y = x.copy()
            y[i] = z
            assert p.f(y) >= F - 1e-12 * abs(F)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("rule", ["cyclic", "uniform"])
def test_concave_denominator_reaches_dinkelbachs_global_optimum(seed, rule):
    p = fractional_quadratic(10, denominator="concave", lam=0.15, seed=seed)
    ref = dinkelbach(p)
    res = po.solve(p, "fractional_cd", rule=rule, steps=5000, seed=seed)
    assert res.success and ref.success
    assert res.fun == pytest.approx(ref.fun, rel=1e-9)
    assert res.fun >= ref.fun - 1e-12 * abs(ref.fun)  # Dinkelbach's value is the global minimum
    np.testing.assert_allclose(res.x, ref.x, atol=1e-5)
    assert res.trace["gap"][-1] <= 1e-9 * abs(ref.fun)


def test_dinkelbach_refuses_nonconvex_subproblems():
    p = FractionalQuadratic(np.eye(2), np.zeros(2), 1.0, 0.0, 4 * np.eye(2), np.zeros(2), 1.0,
                            x0=np.array([1.0, 1.0]))
    with pytest.raises(ValueError, match="nonconvex"):
        dinkelbach(p)


def _runaway():
    """F(x) = (x^2/2 + 10) / (2 x^2 + 1) decreases for ever as |x| grows: inf F = 1/4, not attained."""
    return FractionalQuadratic(np.eye(1), np.zeros(1), 10.0, 0.0, 4 * np.eye(1), np.zeros(1), 1.0, x0=np.ones(1))


def test_infimum_at_infinity_is_reported_not_faked():
    res = po.solve(_runaway(), "fractional_cd", steps=10, seed=0)
    assert not res.success and res.status == 1 and "no minimizer" in res.message and res.nit == 0
    ok = po.solve(_runaway(), "fractional_cd", theta=1.0, steps=50, seed=0, record="all")
    assert ok.success and np.all(np.diff(ok.trace["fun"]) <= 0) and abs(ok.x[0]) > 1.0


def test_bad_input_names_the_argument():
    I2, z2 = np.eye(2), np.zeros(2)
    cases = [
        (lambda: FractionalQuadratic(-I2, z2, 1.0, 0.0, I2, z2, 1.0), ValueError, "A"),
        (lambda: FractionalQuadratic(I2, z2, 1.0, 0.0, np.diag([1.0, -1.0]), z2, 1.0), ValueError, "B"),
        (lambda: FractionalQuadratic(I2, z2, 1.0, 0.0, I2, np.ones(2), 0.5), ValueError, "beta"),
        (lambda: FractionalQuadratic(I2, z2, 1.0, 0.0, -I2, z2, 1.0), ValueError, "beta"),  # unbounded box
        (lambda: FractionalQuadratic(I2, z2, 1.0, -1.0, I2, z2, 1.0), ValueError, "lam"),
        (lambda: FractionalQuadratic(I2, z2, 1.0, 0.0, I2, z2, 1.0, lo=[1, 1], hi=[0, 0]), ValueError, "lo"),
        (lambda: FractionalQuadratic(I2, np.zeros(3), 1.0, 0.0, I2, z2, 1.0), ValueError, "A"),
        (lambda: FractionalQuadratic(np.array([[1.0, 2.0], [0.0, 1.0]]), z2, 1.0, 0.0, I2, z2, 1.0), ValueError, "A"),
        (lambda: FractionalQuadratic(I2, [np.nan, 0], 1.0, 0.0, I2, z2, 1.0), ValueError, "a"),
        (lambda: FractionalQuadratic(I2, z2, 1.0, 0.0, I2, z2, 1.0, lo=[0, 0], hi=[1, 1], x0=[2, 0]), ValueError, "x0"),
    ]
    for make, exc, name in cases:
        with pytest.raises(exc, match=name):
            make()
    p = fractional_quadratic(4, seed=0)
    with pytest.raises(ValueError, match="theta"):
        po.solve(p, "fractional_cd", theta=-1.0)
    with pytest.raises(ValueError, match="rule"):
        po.solve(p, "fractional_cd", rule="gs")
    with pytest.raises(ValueError, match="fractional"):
        po.solve(po.problems.coordinate_quadratic(4, seed=0), "fractional_cd")


def test_kernel_refuses_bad_arrays_without_crashing():
    p = fractional_quadratic(3, seed=0)
    x, u, v, s = np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(3)
    with pytest.raises(ValueError, match="order"):
        _core.fractional_advance(p.A, p.a, p.B, p.b, p.lo, p.hi, p.lam, 0.0, x, u, v, s, np.array([5]),
                                 np.zeros(1, dtype=np.int64))
    with pytest.raises(ValueError, match="shape"):
        _core.fractional_advance(p.A[:2], p.a, p.B, p.b, p.lo, p.hi, p.lam, 0.0, x, u, v, s, np.array([0]),
                                 np.zeros(1, dtype=np.int64))


def test_negative_optimum_with_a_concave_denominator_still_runs():
    """Found in review: F* < 0 sends Dinkelbach to a negative gamma (nonconvex subproblems); the optimum is then
    not computed instead of the run failing."""
    p = FractionalQuadratic(0.1 * np.eye(2), [1.0, -0.5], -2.0, 0.0, -np.eye(2), np.zeros(2), 3.0,
                            lo=[-1, -1], hi=[1, 1])
    res = po.solve(p, "fractional_cd", steps=200, seed=0, record="all")
    assert res.success and res.fun < 0 and np.all(np.isnan(res.trace["gap"]))
    assert np.all(np.diff(res.trace["fun"]) <= 1e-14)

