r"""Gradient estimators from function values, with the smoothing radius named ``smoothing`` (``mu`` in
Nesterov & Spokoiny, ``delta`` in GFM; ``mu`` stays the strong-convexity constant elsewhere in the library).

* ``GaussianSmoothing(form="forward")``: ``(1/q) sum_j (f(x + s u_j) - f(x))/s u_j``, ``u_j ~ N(0, I)``, unbiased
  for the gradient of ``f_s(x) = E f(x + s u)``; ``q + 1`` evaluations.
* ``GaussianSmoothing(form="central")``: ``(1/q) sum_j (f(x + s u_j) - f(x - s u_j))/(2 s) u_j``; ``2 q``.
* ``SphereSmoothing``: ``(1/q) sum_j d/(2 s) (f(x + s w_j) - f(x - s w_j)) w_j``, ``w_j`` uniform on the sphere,
  unbiased for the gradient of the uniform-ball smoothing ``E_{v in B} f(x + s v)`` (GFM); ``2 q``.
* ``CoordinateEstimator`` (CGE): ``sum_{i in S} (f(x + s e_i) - f(x))/s e_i`` over all coordinates or a subset
  ``S``; ``|S| + 1``.
* ``RandomVectorEstimator`` (RGE): the forward Gaussian form with ``q`` directions; ``q + 1``.  DeepZero's code
  normalises each direction to norm ``s`` and omits the ``d/s`` factor, a biased, rescaled estimate; this
  is the unbiased form.

Exact facts the tests check (catalogue 5.1-5.2, derived): on a quadratic with Hessian ``H`` the forward CGE
errs by exactly ``(s/2) diag(H)``, and a central difference quotient along a direction ``u`` is exactly
``u^T grad f`` (the central estimates remain random through ``u``); the Gaussian and sphere forms are unbiased
for ``grad f`` on quadratics; the RGE's mean squared error with ``H = I`` is
``[(d + 1)||grad f||^2 + (s^2/4) d(d + 2)(d + 4)] / q``.

An :class:`Objective` wraps the function: ``batched=True`` when it takes an array of points of shape
``(k, d)`` and returns ``k`` values (then each estimate makes one call), else one call per point; every
value is checked (a scalar, finite) and counted.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, as_int, as_scalar, choose


class Objective:
    """``f`` with its evaluations counted and checked; ``batched``: ``f`` takes ``(k, d)`` arrays.  A
    :func:`pyoptheory.problems.black_box` problem may be passed for ``fun`` (its function and batching)."""

    def __init__(self, fun, batched=False):
        from ..problems.user import BlackBox

        if isinstance(fun, Objective):
            fun, batched = fun.fun, fun.batched
        elif isinstance(fun, BlackBox):
            fun, batched = fun._fun, fun.batched
        if not callable(fun):
            raise TypeError(f"fun: expected a callable objective, got {type(fun).__name__}")
        self.fun, self.batched, self.evals = fun, bool(batched), 0

    def values(self, points):
        """``f`` at the rows of ``points``; a bad value raises (TypeError, ValueError) naming ``fun``."""
        from ..problems.user import values_at

        points = np.atleast_2d(points)
        vals = values_at(self.fun, points, self.batched, "fun")
        self.evals += points.shape[0]
        if not np.all(np.isfinite(vals)):
            bad = int(np.flatnonzero(~np.isfinite(vals))[0])
            raise ValueError(f"fun: returned a non-finite value ({vals[bad]}) at the point {points[bad]}")
        return vals


class _Estimator:
    queries_per_direction = 1

    def __init__(self, smoothing, q=1):
        self.smoothing = as_scalar(smoothing, "smoothing", positive=True)
        self.q = as_int(q, "q", minimum=1)

    def evaluations(self, d):
        """Function evaluations of one estimate in dimension ``d``."""
        raise NotImplementedError

    def directions(self, rng, d):
        raise NotImplementedError

    def __call__(self, fun, x, rng=None, directions=None):
        """``(g, evaluations)``: the estimate at ``x`` (``directions``: given, else drawn from ``rng``)."""
        f = fun if isinstance(fun, Objective) else Objective(fun)
        x = as_float_array(x, "x", ndim=1)
        d = x.size
        if directions is None:
            directions = self.directions(np.random.default_rng(rng), d)
        elif not isinstance(self, CoordinateEstimator):
            directions = np.asarray(directions, dtype=float)
            if directions.ndim != 2 or directions.shape[1] != d or directions.shape[0] < 1:
                raise ValueError(f"directions: expected shape (q, {d}), got {directions.shape}")
        before = f.evals
        g = self._estimate(f, x, np.asarray(directions, dtype=float))
        return g, f.evals - before


class GaussianSmoothing(_Estimator):
    """Gaussian smoothing (Nesterov & Spokoiny 2017): ``form="forward"`` or ``"central"``, ``q`` directions."""

    def __init__(self, smoothing, form="forward", q=1):
        super().__init__(smoothing, q)
        self.form = choose(form, "form", ("forward", "central"))

    def evaluations(self, d):
        return self.q + 1 if self.form == "forward" else 2 * self.q

    def directions(self, rng, d):
        return rng.standard_normal((self.q, d))

    def _estimate(self, f, x, U):
        s = self.smoothing
        if self.form == "forward":
            vals = f.values(np.vstack([x, x + s * U]))
            return ((vals[1:] - vals[0]) / s) @ U / U.shape[0]
        vals = f.values(np.vstack([x + s * U, x - s * U]))
        k = U.shape[0]
        return ((vals[:k] - vals[k:]) / (2 * s)) @ U / k


class RandomVectorEstimator(GaussianSmoothing):
    """RGE (DeepZero's randomized vector-wise estimator) in its unbiased form: forward Gaussian, ``q``
    directions, ``q + 1`` evaluations."""

    def __init__(self, smoothing, q=1):
        super().__init__(smoothing, "forward", q)


class SphereSmoothing(_Estimator):
    """Uniform-ball smoothing, central, ``d/(2 s)`` scaling (the GFM estimator), ``q`` directions."""

    def evaluations(self, d):
        return 2 * self.q

    def directions(self, rng, d):
        W = rng.standard_normal((self.q, d))
        return W / np.linalg.norm(W, axis=1, keepdims=True)

    def _estimate(self, f, x, W):
        s, k, d = self.smoothing, W.shape[0], x.size
        vals = f.values(np.vstack([x + s * W, x - s * W]))
        return (d / (2 * s)) * ((vals[:k] - vals[k:]) @ W) / k


class CoordinateEstimator(_Estimator):
    """CGE: forward differences along the coordinates ``coordinates`` (all by default; DeepZero's sparse
    CGE uses a subset), ``|S| + 1`` evaluations; zero in the other coordinates."""

    def __init__(self, smoothing, coordinates=None):
        super().__init__(smoothing, 1)
        if coordinates is not None:
            coordinates = np.asarray(coordinates)
            if coordinates.ndim != 1:
                raise ValueError(f"coordinates: expected a 1-D array of indices, got shape {coordinates.shape}")
            coordinates = np.unique(coordinates)
            if coordinates.dtype.kind not in "iu" or coordinates.size == 0 or coordinates.min() < 0:
                raise ValueError("coordinates: expected a nonempty array of nonnegative integer indices")
        self.coordinates = coordinates

    def evaluations(self, d):
        return (d if self.coordinates is None else self.coordinates.size) + 1

    def directions(self, rng, d):
        return None

    def __call__(self, fun, x, rng=None, directions=None):
        return super().__call__(fun, x, rng, directions=np.zeros((0, 0)))

    def _estimate(self, f, x, _unused):
        d, s = x.size, self.smoothing
        S = np.arange(d) if self.coordinates is None else self.coordinates
        if S.max() >= d:
            raise ValueError(f"coordinates: index {S.max()} out of range for dimension {d}")
        pts = np.repeat(x[None, :], S.size + 1, axis=0)
        pts[np.arange(1, S.size + 1), S] += s
        vals = f.values(pts)
        g = np.zeros(d)
        g[S] = (vals[1:] - vals[0]) / s
        return g
