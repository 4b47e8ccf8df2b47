"""Problems declared by users: a smooth objective with the constants they supply, and black boxes."""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, as_int, as_scalar, MAX_DIM
from .base import Constants, Problem


class _Projection:
    """Wraps a user projection as an indicator regularizer."""

    is_indicator = True
    code = None

    def __init__(self, project):
        self._project = project

    def value(self, x):
        return 0.0

    def prox(self, y, step):
        return np.asarray(self._project(y), dtype=float)

    def contains(self, x, tol=1e-9):
        return np.linalg.norm(self.prox(x, 1.0) - x) <= tol * max(1.0, np.linalg.norm(x))


class _Prox:
    is_indicator = False
    code = None

    def __init__(self, prox, value):
        self._prox, self._value = prox, value

    def value(self, x):
        return 0.0 if self._value is None else float(self._value(x))

    def prox(self, y, step):
        return np.asarray(self._prox(y, step), dtype=float)


class UserSmooth(Problem):
    """A smooth problem given by Python callables; its constants are the user's word."""

    def __init__(self, f, grad, dim, *, L, mu=0.0, prox=None, g=None, project=None, x0=None, x_star=None,
                 f_star=None, name="user_smooth"):
        if not callable(f) or not callable(grad):
            raise TypeError("f, grad: must be callables taking an array of shape (dim,)")
        dim = as_int(dim, "dim", minimum=1, maximum=MAX_DIM)
        L = as_scalar(L, "L", positive=True)
        mu = as_scalar(mu, "mu", nonnegative=True)
        if mu > L:
            raise ValueError(f"mu: must be <= L, got {mu} > {L}")
        if prox is not None and project is not None:
            raise ValueError("prox, project: give one or the other")
        reg, kind = None, "smooth"
        if project is not None:
            reg, kind = _Projection(project), "constrained"
        elif prox is not None:
            reg, kind = _Prox(prox, g), "composite"
        super().__init__(dim, kind=kind, name=name, regularizer=reg, x0=x0, x_star=x_star, f_star=f_star)
        self._f, self._grad = f, grad
        self._constants = Constants({"L": L, "mu": mu}, {"L": "user-declared", "mu": "user-declared"},
                                    user_declared=True)
        if self._x_star is not None and self._f_star is None:
            self._f_star = self.objective(self._x_star)

    def f(self, x):
        value = self._f(x)
        return float(value)

    def grad(self, x):
        g = np.asarray(self._grad(x), dtype=float)
        if g.shape != (self.dim,):
            raise ValueError(f"grad: returned shape {g.shape}, expected ({self.dim},)")
        return g


def smooth(f, grad, dim, *, L, mu=0.0, prox=None, g=None, project=None, x0=None, x_star=None, f_star=None,
           name="user_smooth"):
    r"""Declare your own smooth problem ``F = f + g``.

    Parameters
    ----------
    f, grad : callable
        ``f(x) -> float`` and ``grad(x) -> ndarray (dim,)``.
    dim : int
    L, mu : float
        Smoothness and strong convexity *you* vouch for; every verification on
        this problem reports its constants as user-declared.
    prox : callable ``prox(y, step)``, optional, with ``g(x)`` its function
    project : callable ``project(y)``, optional, a Euclidean projection onto the feasible set
    x_star, f_star : optional
        Known optimum; without it, gaps are not recorded.

    The problem runs on the generic (NumPy) path.
    """
    return UserSmooth(f, grad, dim, L=L, mu=mu, prox=prox, g=g, project=project, x0=x0, x_star=x_star,
                      f_star=f_star, name=name)


def values_at(fun, X, batched, name="f"):
    """``fun`` at the rows of ``X`` (shape ``(k, d)``): one call with the whole array when ``batched`` (it must
    return ``k`` values: ``ValueError`` otherwise), else one call per row (each value a real scalar:
    ``TypeError`` otherwise).  Errors name ``name``; finiteness is the caller's business."""
    if batched:
        vals = np.asarray(fun(X), dtype=float).reshape(-1)
        if vals.shape[0] != X.shape[0]:
            raise ValueError(f"{name}: a batched objective must return {X.shape[0]} values, got {vals.shape[0]}")
        return vals
    vals = np.empty(X.shape[0])
    for i, row in enumerate(X):
        v = np.asarray(fun(row))
        if v.size != 1:
            raise TypeError(f"{name}: must return a scalar, got an array of shape {v.shape}")
        if not np.issubdtype(v.dtype, np.number) or np.iscomplexobj(v):
            raise TypeError(f"{name}: must return a real number, got {v.dtype}")
        vals[i] = float(v.reshape(()))
    return vals


class BlackBox(Problem):
    """An objective known only through its values (zeroth-order methods)."""

    def __init__(self, f, dim, *, batched=False, domain=None, x0=None, x_star=None, f_star=None, name="black_box"):
        if not callable(f):
            raise TypeError("f: must be callable")
        dim = as_int(dim, "dim", minimum=1, maximum=MAX_DIM)
        super().__init__(dim, kind="black_box", name=name, x0=x0, x_star=x_star, f_star=f_star)
        self._fun = f
        self.batched = bool(batched)
        self.domain = None
        if domain is not None:
            lo, hi = domain
            lo = as_float_array(np.broadcast_to(lo, (dim,)), "domain[0]")
            hi = as_float_array(np.broadcast_to(hi, (dim,)), "domain[1]")
            if np.any(lo > hi):
                raise ValueError("domain: lower bounds must not exceed upper bounds")
            self.domain = (lo, hi)
        self._constants = Constants({}, {}, user_declared=True)
        if self._x_star is not None and self._f_star is None:
            self._f_star = self.f(self._x_star)

    def f_batch(self, X):
        """Values at the rows of ``X`` (shape (k, dim)); batched objectives get the whole array."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        if X.ndim != 2 or X.shape[1] != self.dim:
            raise ValueError(f"X: expected shape (k, {self.dim}), got {X.shape}")
        return values_at(self._fun, X, self.batched)

    def f(self, x):
        return float(self.f_batch(np.asarray(x, dtype=float)[None, :])[0])

    def prox(self, y, step):
        """The projection onto ``domain`` (a box) when one is given, else the identity."""
        y = np.array(y, dtype=float)
        return y if self.domain is None else np.clip(y, *self.domain)


def black_box(f, dim, batched=False, domain=None, x_star=None, f_star=None, x0=None, name="black_box"):
    """Declare an objective known only through its values.

    ``batched=True`` means ``f`` takes an array of shape ``(k, dim)`` and returns ``k`` values.
    ``domain=(lo, hi)`` bounds the search box.
    """
    return BlackBox(f, dim, batched=batched, domain=domain, x0=x0, x_star=x_star, f_star=f_star, name=name)
