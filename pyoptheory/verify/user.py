r"""Your own optimizer, checked against a theorem: the contract of ``verify(theorem, method=fn)``.

``fn(oracle, params)`` is called once per run (per seed; per horizon where the theorem's step depends on the
horizon) and talks to the theorem's instance only through ``oracle``:

* optimization settings (``first_order``, ``stochastic``, ``zeroth``, ``coordinate``): ``fn`` is a generator
  (or returns an iterable) that **yields the point the theorem bounds after each update**: the ``k``-th item is
  the method's output after ``k`` updates (the last iterate, or the running average, best iterate ... that the
  theorem's ``quantity`` is about), so horizon ``T`` is the number of updates.  Horizon 0 is ``oracle.x0``.
  The verifier stops the generator after ``params.horizon`` items.
* the ``online`` setting: ``fn`` loops over rounds, calling ``g = oracle.play(x)`` once per round (it plays
  ``x_t`` and returns ``g_t = grad f_t(x_t)``); the verifier ends the run after ``params.horizon`` rounds and
  measures the regret of the plays.

``params`` holds the theorem's prescription for the run: the solve options it gives the built-in method
(``step``, ``schedule`` -- the steps ``eta_1 .. eta_T`` as an array whose entry ``k`` is used by update
``k + 1`` --, ``momentum``, ``output`` ...), explicit method parameters where the built-in derives them
(``alpha`` and ``beta`` of heavy ball, ``beta`` of strongly convex AGD), ``horizon`` (the run's ``T``),
``seed``, and ``constants`` (``L``, ``mu``, ``G``, ``L_max``, ``D0`` ... of the instance, exact).

The oracle of each setting (every array it returns is a fresh float64 copy):

==============  ==================================================================================================
setting         oracle
==============  ==================================================================================================
first_order     ``x0``, ``dim``, ``grad(x)`` (a subgradient for nonsmooth problems; **counted**), ``value(x)``
                (F = f + g), ``prox(v, step)`` (the regularizer's prox; the projection for constrained problems),
                ``project(v)``
stochastic      ``x0``, ``dim``, ``stochastic_grad(x)`` (**counted**; call ``j`` uses sample ``j`` of the run's
                seeded stream, the one the built-in method draws), ``prox(v, step)``, ``project(v)``
zeroth          ``x0``, ``dim``, ``value(x)`` (**counted**), ``directions(q=1)`` (the next ``q`` Gaussian
                directions of the built-in method's stream, shape ``(q, dim)``), ``project(v)``, ``rng``
coordinate      ``x0``, ``dim``, ``grad(x)``, ``partial(x, i)``, ``rng``; each yielded point may differ from the
                previous one in one coordinate (one update)
online          ``x0``, ``dim``, ``project(v)``, ``play(x)`` (**counted**: one per round)
==============  ==================================================================================================

Budget: the counted oracle may be called at most ``per_update * (k + 1)`` times before the ``k``-th yield
(``per_update``: 1 gradient for gradient methods, 2 values for Nesterov-Spokoiny's methods, ``q + 1`` for RGE,
``d + 1`` for CGE).  A method that raises, returns the wrong shape or a non-finite point, stops early, leaves
the feasible set or exceeds the budget gets a :class:`UserMethodError` naming the method and the instance, and
the theorem is reported as failed for it.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

#: method -> (setting, counted oracle per update: an int, or a function of the prescription)
SETTINGS = {
    **{m: ("first_order", 1) for m in ("gd", "gd_armijo", "projected_gd", "proximal_gd", "subgradient", "agd",
                                       "fista", "agd_strongly_convex", "heavy_ball")},
    **{m: ("stochastic", 1) for m in ("sgd", "projected_sgd", "proximal_sgd")},
    "zo_rgf": ("zeroth", 2), "zo_random_search": ("zeroth", 2), "zo_accelerated": ("zeroth", 2),
    "zo_rge": ("zeroth", lambda p, d: int(p.get("directions", 1)) + 1), "zo_gd": ("zeroth", lambda p, d: d + 1),
    "bcd": ("coordinate", None),
    **{m: ("online", 1) for m in ("ogd", "oomd", "oftrl", "ons", "oons")},
}

#: quantities measured from a user method's output point (``regret`` and ``pseudo_regret`` from its plays)
MEASURABLE = ("gap", "gap_best", "gap_avg", "dist2", "regret", "pseudo_regret")


class UserMethodError(RuntimeError):
    """A user's method broke the contract (raised, wrong shape, non-finite, over budget, stopped early)."""


class _Stop(BaseException):
    """Ends an online user method at its horizon (not an Exception, so a user's ``except Exception`` lets it pass)."""


def method_label(fn):
    """``module:qualname`` of a user's method (its name in reports and errors)."""
    return f"{getattr(fn, '__module__', '?')}:{getattr(fn, '__qualname__', repr(fn))}"


def supports(theorem):
    """None when ``verify(theorem, method=fn)`` can run a user method, else the reason it cannot."""
    if theorem.measure is not None:
        return f"theorem {theorem.id!r} is measured by its own hook ({theorem.method}), not on a method's iterates"
    if theorem.method not in SETTINGS:
        return f"theorem {theorem.id!r}: user methods are not supported for {theorem.method!r} yet"
    if theorem.quantity not in MEASURABLE:
        return f"theorem {theorem.id!r}: its quantity {theorem.quantity!r} is not measured on a user method's output"
    if theorem.method == "bcd" and theorem.id.startswith("bcd.block_"):
        return f"theorem {theorem.id!r}: block updates are not supported for user methods yet"
    return None


def prescription(theorem, problem, c, p, T, seed):
    """The ``params`` a user method receives (see the module docstring)."""
    opts = theorem.solve_options(p)
    extra = {k: v for k, v in p.items() if k not in opts and (np.isscalar(v) or isinstance(v, np.ndarray))}
    extra.update(_explicit(theorem.method, problem, c, {**p, **opts}))
    constants = dict(vars(c))
    return SimpleNamespace(**extra, **opts, horizon=int(T), seed=int(seed), constants=constants)


def _explicit(method, problem, c, p):
    """Parameters the built-in method derives from the constants, made explicit for a user method."""
    if method == "heavy_ball":
        L, mu = c.L, c.mu
        if p.get("tuning", "quadratic") == "quadratic":
            rho = (np.sqrt(L / mu) - 1) / (np.sqrt(L / mu) + 1)
            return {"alpha": 4.0 / (np.sqrt(L) + np.sqrt(mu)) ** 2, "beta": rho**2}
        alpha = p.get("step", 1.0 / L)
        return {"alpha": alpha, "beta": float(np.sqrt(max(0.0, (1 - alpha * mu) * (1 - L * alpha))))}
    if method == "agd_strongly_convex":
        return {"beta": (np.sqrt(c.L) - np.sqrt(c.mu)) / (np.sqrt(c.L) + np.sqrt(c.mu))}
    return {}


class _Oracle:
    """What every oracle has: the start, the dimension, the projection and the counter of the counted calls."""

    def __init__(self, problem, seed):
        self._problem, self.dim = problem, problem.dim
        self.calls = 0
        self.rng = np.random.default_rng(seed)

    @property
    def x0(self):
        return np.array(self._problem.x0, dtype=float)

    def _point(self, x, name="x"):
        x = np.asarray(x, dtype=float)
        if x.shape != (self.dim,):
            raise UserMethodError(f"{name}: expected shape ({self.dim},), got {x.shape}")
        return x

    def project(self, v):
        return np.array(self._problem.prox(self._point(v, "v"), 1.0), dtype=float)


class FirstOrderOracle(_Oracle):
    def grad(self, x):
        self.calls += 1
        return np.array(self._problem.grad(self._point(x)), dtype=float)

    def value(self, x):
        return float(self._problem.objective(self._point(x)))

    def prox(self, v, step):
        return np.array(self._problem.prox(self._point(v, "v"), float(step)), dtype=float)


class StochasticOracle(_Oracle):
    def __init__(self, problem, seed):
        from ..methods._driver import StepStream

        super().__init__(problem, seed)
        self._stream = StepStream(problem, seed)

    def stochastic_grad(self, x):
        x = self._point(x)
        idx, noise = self._stream.take(self.calls, self.calls + 1)
        self.calls += 1
        g = self._problem.sample_grad(idx[0], x) if idx.shape[0] else self._problem.grad(x)
        return np.array(g + noise[0] if noise.shape[0] else g, dtype=float)

    def prox(self, v, step):
        return np.array(self._problem.prox(self._point(v, "v"), float(step)), dtype=float)


class ZerothOracle(_Oracle):
    def __init__(self, problem, seed):
        super().__init__(problem, seed)
        self._seed, self._streams, self._drawn = seed, {}, {}

    def value(self, x):
        self.calls += 1
        return float(self._problem.f(self._point(x)))

    def directions(self, q=1):
        """The next step's ``q`` directions of the built-in method's stream (a separate stream per ``q``)."""
        from ..methods._driver import StepStream
        from ..methods.zeroth_order import GaussianDirections

        q = int(q)
        if q not in self._streams:
            self._streams[q], self._drawn[q] = StepStream(GaussianDirections(self.dim, q), self._seed), 0
        _, U = self._streams[q].take(self._drawn[q], self._drawn[q] + 1)
        self._drawn[q] += 1
        return np.array(U, dtype=float)


class CoordinateOracle(_Oracle):
    def grad(self, x):
        return np.array(self._problem.grad(self._point(x)), dtype=float)

    def partial(self, x, i):
        return float(self._problem.grad(self._point(x))[int(i)])


class OnlineOracle(_Oracle):
    """Plays against an environment and keeps the regret's accumulators as the built-in round loop does."""

    def __init__(self, env, seed, horizon):
        from ..methods import _online_reference as R

        super().__init__(env, seed)
        self._R, self._seed = R, int(seed) & (2**64 - 1)
        self._st = R.OnlineState(env.dim, np.asarray(env.x0, float), self._seed)
        self.horizon, self.values = int(horizon), []

    def project(self, v):
        return np.array(self._problem.project(self._point(v, "v")), dtype=float)

    def play(self, x):
        R, env, st = self._R, self._problem, self._st
        x = self._point(x)
        if not np.all(np.isfinite(x)):
            raise UserMethodError(f"play: round {self.calls + 1} plays a non-finite point")
        if not env.feasible(x, tol=1e-7):
            raise UserMethodError(f"play: round {self.calls + 1} plays a point outside the domain ({env.domain})")
        if self.calls >= self.horizon:
            raise _Stop
        self.calls += 1
        t, s = self.calls, st.scal
        st.x[:] = x
        if hasattr(env, "mean_at"):
            c = env.mean_at(t)
            y = c + env.noise_at(t, self._seed)
            if env.loss == "linear":
                g = y.copy()
                s[R.S_LOSS] += y @ x
                s[R.S_FLOSS] += c @ x
            else:
                g = x - y
                s[R.S_LOSS] += 0.5 * (g @ g)
                s[R.S_FLOSS] += 0.5 * ((x - c) @ (x - c))
                s[R.S_YY] += y @ y
                s[R.S_CC] += c @ c
            st.Y += y
            st.C += c
        else:
            s[R.S_LOSS] += env.loss_at(t, x, self._seed)
            g = np.asarray(env.grad_at(t, x, self._seed), dtype=float)
        self.values.append(R.regrets(env, st, t))
        return np.array(g, dtype=float)


_ORACLES = {"first_order": FirstOrderOracle, "stochastic": StochasticOracle, "zeroth": ZerothOracle,
            "coordinate": CoordinateOracle}


def measure_point(problem, quantity, x):
    """The theorem's quantity at a user method's output point."""
    if quantity == "dist2":
        return float(np.sum((x - problem.x_star) ** 2))
    return float(problem.objective(x) - problem.f_star)


def run_user_method(fn, theorem, problem, p, c, record, T_run, seed, instance):
    """Run ``fn`` once on ``problem``; the theorem's quantity at each horizon of ``record``.

    Raises :class:`UserMethodError` (naming the method and the instance) when the method breaks the contract.
    """
    label = method_label(fn)
    setting, per_update = SETTINGS[theorem.method]
    if callable(per_update):
        per_update = per_update({**p, **theorem.solve_options(p)}, problem.dim)
    params = prescription(theorem, problem, c, p, T_run, seed)
    where = f"method {label} on instance {instance!r} of {theorem.id}"
    try:
        if setting == "online":
            return _run_online(fn, problem, params, theorem.quantity, record, T_run, seed)
        return _run_points(fn, theorem, problem, params, setting, per_update, record, T_run, seed)
    except UserMethodError as exc:
        raise UserMethodError(f"{where}: {exc}") from None
    except Exception as exc:  # the user's own code raised
        raise UserMethodError(f"{where}: raised {type(exc).__name__}: {exc}") from exc


def _run_points(fn, theorem, problem, params, setting, per_update, record, T_run, seed):
    oracle = _ORACLES[setting](problem, seed)
    wanted = set(int(t) for t in record)
    out = {}
    x_prev = oracle.x0
    if 0 in wanted:
        out[0] = measure_point(problem, theorem.quantity, x_prev)
    if T_run == 0:
        return [out[t] for t in record]
    items = fn(oracle, params)
    try:
        iterator = iter(items)
    except TypeError:
        raise UserMethodError(f"returned {type(items).__name__}, expected a generator or an iterable of points") \
            from None
    k = 0
    for x in iterator:
        k += 1
        x = np.asarray(x, dtype=float) if not isinstance(x, np.ndarray) else x
        if x.shape != (problem.dim,):
            raise UserMethodError(f"item {k} has shape {x.shape}, expected ({problem.dim},)")
        if not np.all(np.isfinite(x)):
            raise UserMethodError(f"item {k} (after {k} updates) is not finite")
        if per_update is not None and oracle.calls > per_update * (k + 1):
            raise UserMethodError(f"ignores the budget: {oracle.calls} oracle calls before item {k}, at most "
                                  f"{per_update} per update allowed")
        if setting == "coordinate" and np.count_nonzero(x != x_prev) > 1:
            raise UserMethodError(f"item {k} changes {np.count_nonzero(x != x_prev)} coordinates; one update "
                                  "changes one")
        if not problem.feasible(x, tol=1e-7):
            raise UserMethodError(f"item {k} lies outside the feasible set")
        if k in wanted:
            out[k] = measure_point(problem, theorem.quantity, x)
        x_prev = x
        if k >= T_run:
            break
    if hasattr(items, "close"):
        items.close()
    if k < T_run:
        raise UserMethodError(f"stopped after {k} items; the theorem needs {T_run}")
    return [out[int(t)] for t in record]


def _run_online(fn, env, params, quantity, record, T_run, seed):
    oracle = OnlineOracle(env, seed, T_run)
    try:
        fn(oracle, params)
    except _Stop:
        pass
    if oracle.calls < T_run:
        raise UserMethodError(f"returned after {oracle.calls} rounds; the theorem needs {T_run}")
    which = 0 if quantity == "regret" else 1
    return [0.0 if t == 0 else float(oracle.values[int(t) - 1][which]) for t in record]
