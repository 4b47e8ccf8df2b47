r"""Built-in black-box landscapes for particle methods (catalogue structured.md 4.4).

Each is ``f(x) = offset + g(R (x - shift))`` with an optional rotation ``R`` (orthogonal) and
``shift`` (the minimizer), so ``x* = shift`` and ``f* = offset``:

* quadratic: ``g(y) = (c/2) ||y||^2`` (isolates the mean-field rate from the Laplace error);
* Rastrigin: ``g(y) = ||y||^2 + A sum_i (1 - cos 2 pi y_i)``, the standard form with ``A = 10``
  (``= 10 d + sum(y_i^2 - 10 cos 2 pi y_i)``, CBXpy's default) and Riedl et al.'s with ``A = 2.5``;
* Ackley: ``g(y) = -20 exp(-0.2 sqrt(||y||^2/d)) - exp(sum_i cos(2 pi y_i)/d) + 20 + e``;
* the two-dimensional canyon ("GrandCanyon3noisy" of Riedl, Klock, Geldhauser and Fornasier,
  "Gradient is All You Need?", arXiv:2306.09778, Figure 1): a curved valley with an energy
  barrier, bumps ``8 sum(1 - cos(0.75 pi y_i))`` and its minimum 0 at the origin.

The periodic terms are evaluated as ``cos(2 pi (y - rint(y)))`` (the period removed exactly) in
both backends.  These problems are of kind ``black_box``: methods see values only.  The compiled
particle kernels evaluate them in C++ (:meth:`Landscape.kernel_spec`).
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, as_int, as_scalar, MAX_DIM
from .base import Constants
from .user import BlackBox

#: Codes shared with cpp/include/pyoptheory/cbo.hpp.
CODES = {"quadratic": 0, "rastrigin": 1, "ackley": 2, "canyon": 3}


def _cos2pi(y):
    return np.cos(2.0 * np.pi * (y - np.rint(y)))


def _canyon(Y):
    a, b = Y[:, 0], Y[:, 1]
    valley = b - (0.125 * (a - 1.0) * (a - 4.0) ** 2 + 2.0)
    block = -a - 1.6 * b
    wall = np.maximum((1.0 - np.exp(-9.0 * block**2)) * np.sign(block), 0.0)
    return (100.0 * (1.0 - np.exp(-1.4 * valley**2 * np.exp(-0.002 * a * a * a * a))) + 1.6 * a**2 + 0.8 * b**2
            + 8.0 * ((1.0 - _cos2pi(0.375 * a)) + (1.0 - _cos2pi(0.375 * b)))
            + 16.0 * np.exp(1.0 - 2.0 * valley**4) * wall)


class Landscape(BlackBox):
    """A built-in landscape ``f(x) = offset + g(R (x - shift))``, evaluated in batches."""

    _VOLATILE = BlackBox._VOLATILE + ("_fun",)  # the bound evaluator; the data below define the problem

    def __init__(self, kind, dim, *, param=0.0, shift=None, rotation=None, offset=0.0, x0=None, domain=None,
                 name=None):
        if kind not in CODES:
            raise ValueError(f"kind: unknown landscape {kind!r}; valid: {', '.join(CODES)}")
        dim = as_int(dim, "dim", minimum=1, maximum=MAX_DIM)
        if kind == "canyon" and dim != 2:
            raise ValueError("dim: the canyon is two-dimensional")
        if shift is None:
            shift = np.zeros(dim)
        else:
            shift = as_float_array(shift, "shift")
            if shift.ndim > 1 or shift.size not in (1, dim):
                raise ValueError(f"shift: expected a scalar or shape ({dim},), got {shift.shape}")
            shift = np.broadcast_to(shift, (dim,)).copy()
        if rotation is not None:
            rotation = as_float_array(rotation, "rotation", shape=(dim, dim))
            if not np.allclose(rotation @ rotation.T, np.eye(dim), atol=1e-10):
                raise ValueError("rotation: must be an orthogonal matrix (R R^T = I)")
        self.landscape = kind
        self.param = as_scalar(param, "param", positive=kind == "quadratic", nonnegative=kind == "rastrigin")
        self.offset = as_scalar(offset, "offset")
        self.shift = shift
        self.rotation = rotation
        if x0 is None:  # distance 2 from the minimizer, as in the papers' initial laws
            x0 = shift + 2.0 / np.sqrt(dim)
        super().__init__(self._values, dim, batched=True, domain=domain, x0=x0, x_star=shift, f_star=self.offset,
                         name=name or kind)
        values, how = {"dim": float(dim)}, {"dim": "exact"}
        if kind == "rastrigin":  # Hessian R^T diag(2 + 4 pi^2 A cos(2 pi y_i)) R, R orthogonal: attained at y = 0
            values["L"], how["L"] = 2.0 + 4.0 * np.pi ** 2 * self.param, "exact: 2 + 4 pi^2 A (at the minimizer)"
        self._constants = Constants(values, how)

    def _values(self, X):
        Y = X - self.shift
        if self.rotation is not None:
            Y = Y @ self.rotation.T
        kind = self.landscape
        if kind == "quadratic":
            g = 0.5 * self.param * np.einsum("ij,ij->i", Y, Y)
        elif kind == "rastrigin":
            g = np.einsum("ij,ij->i", Y, Y) + self.param * (1.0 - _cos2pi(Y)).sum(axis=1)
        elif kind == "ackley":
            d = Y.shape[1]
            g = (-20.0 * np.exp(-0.2 * np.sqrt(np.einsum("ij,ij->i", Y, Y) / d)) - np.exp(_cos2pi(Y).sum(axis=1) / d)
                 + 20.0 + np.e)
        else:
            g = _canyon(Y)
        return g + self.offset

    def kernel_spec(self):
        """Arguments of the C++ landscape: ``(code, param, offset, shift, rotation)`` (empty arrays when absent)."""
        rot = np.zeros((0, 0)) if self.rotation is None else np.ascontiguousarray(self.rotation)
        return CODES[self.landscape], self.param, self.offset, np.ascontiguousarray(self.shift), rot


def _landscape(kind, dim, param, shift, rotation, offset, x0, half_width, name):
    p = Landscape(kind, dim, param=param, shift=shift, rotation=rotation, offset=offset, x0=x0, name=name)
    if half_width is not None:  # the usual search box around the minimizer
        p.domain = (p.shift - half_width, p.shift + half_width)
    return p


def sphere(dim, curvature=2.0, shift=None, rotation=None, offset=0.0, x0=None):
    """``f(x) = offset + (curvature/2) ||x - shift||^2`` (``curvature = 2``: ``||x - x*||^2``, the Laplace
    principle's closed-form case)."""
    curvature = as_scalar(curvature, "curvature", positive=True)
    return _landscape("quadratic", dim, curvature, shift, rotation, offset, x0, None, "sphere")


def rastrigin(dim, amplitude=10.0, shift=None, rotation=None, offset=0.0, x0=None):
    """Rastrigin ``f(x) = offset + ||y||^2 + A sum_i (1 - cos 2 pi y_i)``, ``y = R (x - shift)``.

    ``amplitude=10`` is the standard form (``10 d + sum(y_i^2 - 10 cos 2 pi y_i)``, domain
    ``[-5.12, 5.12]^d``); ``amplitude=2.5`` is the form of Fornasier, Klock and Riedl's experiments
    (:func:`rastrigin_riedl`), for which ``f - f* >= ||x - x*||_inf^2`` (their growth condition with
    ``nu = 1/2``, ``eta = 1``).
    """
    amplitude = as_scalar(amplitude, "amplitude", nonnegative=True)
    return _landscape("rastrigin", dim, amplitude, shift, rotation, offset, x0, 5.12, "rastrigin")


def rastrigin_riedl(dim, shift=None, rotation=None, offset=0.0, x0=None):
    """Rastrigin in the form of Fornasier, Klock and Riedl (2024): ``||y||^2 + 2.5 sum_i (1 - cos 2 pi y_i)``."""
    p = _landscape("rastrigin", dim, 2.5, shift, rotation, offset, x0, 5.12, "rastrigin_riedl")
    return p


def ackley(dim, shift=None, rotation=None, offset=0.0, x0=None):
    """Ackley ``-20 exp(-0.2 sqrt(||y||^2/d)) - exp(sum cos(2 pi y_i)/d) + 20 + e`` (domain ``[-32.768, 32.768]^d``)."""
    return _landscape("ackley", dim, 0.0, shift, rotation, offset, x0, 32.768, "ackley")


def canyon(offset=0.0, x0=None):
    """The two-dimensional canyon of "Gradient is All You Need?" (Figure 1; minimum 0 at the origin).

    ``f(a, b) = 100 (1 - exp(-1.4 v^2 exp(-0.002 a^4))) + 1.6 a^2 + 0.8 b^2 + 8 sum (1 - cos(0.75 pi y_i))
    + 16 exp(1 - 2 v^4) max((1 - exp(-9 w^2)) sign(w), 0)`` with the valley ``v = b - ((a-1)(a-4)^2/8 + 2)``
    and the barrier ``w = -a - 1.6 b``.  The paper starts the particles near ``(8, 8)``.
    """
    x0 = np.array([8.0, 8.0]) if x0 is None else x0
    return Landscape("canyon", 2, offset=offset, x0=x0, domain=(np.full(2, -2.0), np.full(2, 8.0)), name="canyon")
