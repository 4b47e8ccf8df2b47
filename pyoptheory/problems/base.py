"""The problem contract: oracles, exact constants, and a cached optimum."""
from __future__ import annotations

import threading
from collections.abc import Mapping

import numpy as np

from .._validation import as_float_array
from ..registry import PROBLEM_KINDS


class ConstantUnavailable(KeyError, ValueError):
    """A constant the problem (or its oracle) cannot provide; the message says why.

    A KeyError for the Mapping protocol (``constants.get`` works) and a ValueError for users."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


class Constants(Mapping):
    """Read-only constants of a problem (``L``, ``mu``, ``G``, ``L_max``, ``D`` ...).

    ``constants.how[name]`` says how each value was obtained (for example
    ``"exact: lambda_max(A^T A)/n"``); ``user_declared`` is True when the
    values were supplied by the user rather than derived from the data, and
    every verification on such a problem says so.
    """

    def __init__(self, values, how=None, user_declared=False, unavailable=None):
        self._values = {k: float(v) for k, v in values.items() if v is not None}
        self.how = dict(how or {})
        self.user_declared = bool(user_declared)
        self.unavailable = dict(unavailable or {})

    def __getitem__(self, key):
        try:
            return self._values[key]
        except KeyError:
            reason = self.unavailable.get(key)
            if reason is not None:
                raise ConstantUnavailable(f"{key}: {reason}") from None
            raise ConstantUnavailable(f"{key}: constant {key!r} is not known for this problem; known: "
                                      f"{', '.join(self._values)}") from None

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(str(exc)) from None

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def __repr__(self):
        tag = ", user-declared" if self.user_declared else ""
        return f"Constants({', '.join(f'{k}={v:.6g}' for k, v in self._values.items())}{tag})"


#: Guards the lazy caches of every problem (constants, optimum): computed once, even with runs in several threads.
_LAZY = threading.RLock()


class Problem:
    """Base class of every problem.

    Subclasses provide the oracles their kind needs: ``f`` and ``grad``
    (a subgradient for nonsmooth kinds), ``g`` and ``prox`` for the
    regularizer, and ``_solve()`` returning ``(x_star, f_star)``.  The optimum
    is computed once, on first use, and cached on the object.
    """

    kind = "smooth"
    name = "problem"
    #: Whether the optimum costs about what a short run costs, or less (a closed form, a linear solve, Newton's
    #: method): runs then record ``gap`` on their own.  Otherwise a run records it only once ``f_star`` is known
    #: (``p.f_star`` asked for, a theorem check, ``gap_tol``): a run never waits for ground truth it was not asked for.
    optimum_is_cheap = True

    def __init__(self, dim, *, kind, name, regularizer=None, x0=None, x_star=None, f_star=None):
        if kind not in PROBLEM_KINDS:
            raise ValueError(f"kind: unknown problem kind {kind!r}; valid: {', '.join(PROBLEM_KINDS)}")
        self.dim = int(dim)
        self.kind = kind
        self.name = name
        self.regularizer = regularizer
        self._x0 = None if x0 is None else as_float_array(x0, "x0", shape=(self.dim,))
        self._x_star = None if x_star is None else as_float_array(x_star, "x_star", shape=(self.dim,))
        self._f_star = None if f_star is None else float(f_star)
        self._optimum_given = (x_star is not None, f_star is not None)
        self._f_star_accuracy = 0.0 if f_star is not None else None
        self._constants = None

    # --- oracles ---------------------------------------------------------
    def f(self, x):
        raise NotImplementedError

    def grad(self, x):
        raise NotImplementedError

    def g(self, x):
        return 0.0 if self.regularizer is None else self.regularizer.value(x)

    def prox(self, y, step):
        return np.array(y, dtype=float) if self.regularizer is None else self.regularizer.prox(y, step)

    def objective(self, x):
        """F(x) = f(x) + g(x), the quantity whose gap every theorem measures."""
        return self.f(x) + self.g(x)

    def feasible(self, x, tol=1e-9):
        reg = self.regularizer
        return True if reg is None or not reg.is_indicator else reg.contains(x, tol)

    # --- constants and optimum ---------------------------------------------
    @property
    def constants(self) -> Constants:
        if self._constants is None:
            with _LAZY:
                if self._constants is None:
                    self._constants = self._compute_constants()
        return self._constants

    def _compute_constants(self) -> Constants:
        return Constants({})

    @property
    def spec(self):
        """Typed description for compiled kernels, or None (generic Python path)."""
        return None

    @property
    def x0(self):
        """Default starting point: the one given, else 0 (projected onto the feasible set)."""
        if self._x0 is not None:
            return self._x0.copy()
        reg = self.regularizer
        return reg.prox(np.zeros(self.dim), 1.0) if reg is not None and reg.is_indicator else np.zeros(self.dim)

    def _ensure_optimum(self):
        if self._f_star is not None and self._x_star is not None:
            return
        with _LAZY:  # the lazy caches are the only mutation a problem sees; computed once, under a lock
            self._ensure_optimum_locked()

    def _ensure_optimum_locked(self):
        if self._f_star is None or self._x_star is None:
            x_star, f_star = self._solve()
            if self._x_star is None and x_star is not None:
                self._x_star = np.asarray(x_star, dtype=float)
            if self._f_star is None and f_star is not None:
                self._f_star = float(f_star)
            if self._f_star_accuracy is None and self._x_star is not None:
                self._f_star_accuracy = self._gradient_certificate(self._x_star)

    def _gradient_certificate(self, x):
        """``||grad f(x)||^2 / (2 mu)`` for an unconstrained mu-strongly convex smooth problem (an upper bound on
        ``f(x) - f*``), else None."""
        if self.kind != "smooth":
            return None
        try:
            mu = float(self.constants.get("mu", 0.0))
            g = self.grad(x)
        except (NotImplementedError, ConstantUnavailable):  # no gradient or no mu: nothing certified here
            return None
        return float(g @ g) / (2.0 * mu) if mu > 0 else None

    def _solve(self):
        return None, None

    def known_optimum(self):
        """``(x_star, f_star)`` as far as known without solving (given, or computed earlier), else None."""
        return (None if self._x_star is None else self._x_star.copy()), self._f_star

    @property
    def f_star(self):
        """Optimal value F* (None when unknown)."""
        self._ensure_optimum()
        return self._f_star

    @property
    def f_star_accuracy(self):
        """A certified bound on ``F(x_star) - F*`` where the route to the optimum gives one (0.0 for an optimum
        given at construction; a duality, Frank-Wolfe or gradient-norm bound for solved ones), else None."""
        self._ensure_optimum()
        return self._f_star_accuracy

    @property
    def x_star(self):
        """A minimizer (the one nearest the default start where the set is not a point), or None."""
        self._ensure_optimum()
        return None if self._x_star is None else self._x_star.copy()

    # Attributes that are caches of the data, not data: left out of the fingerprint.
    _VOLATILE = ("_z_cache", "_spec", "_constants", "_f_star_accuracy", "optimum_is_cheap")

    def fingerprint(self):
        """A hash of what defines the problem (its data, parameters and given optimum), not of
        what was computed from it (constants, a solved optimum), so it is stable over a session."""
        import joblib

        state = {}
        for key, value in sorted(self.__dict__.items()):
            if key in self._VOLATILE:
                continue
            if key in ("_x_star", "_f_star"):
                given = self._optimum_given[0 if key == "_x_star" else 1]
                value = value if given else None
            state[key] = value.fingerprint() if isinstance(value, Problem) else value
        return joblib.hash((type(self).__module__, type(self).__qualname__, state))

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}: kind={self.kind}, dim={self.dim}>"
