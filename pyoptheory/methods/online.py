r"""Online learners against SEA environments: OGD, optimistic OMD and optimistic FTRL on a Euclidean ball.

Protocol (:mod:`pyoptheory.online`): in round ``t`` the learner plays ``x_t``, the environment reveals
``f_t`` and the learner sees ``g_t = grad f_t(x_t)``.  Learners (``P`` is the projection onto the ball):

``Result.x`` is the learner's state after the last round: OGD's next play ``x_{T+1}``, the last play ``x_T``
of OOMD and OFTRL.

* ``ogd``: ``x_{t+1} = P(x_t - eta_t g_t)`` (Zinkevich 2003), with ``step="horizon"`` (``eta = D/(G sqrt(T))``,
  ``T = steps``: regret ``<= D G sqrt(T)``), ``"adaptive"`` (``D/(G sqrt(t))``) or a number;
* ``oomd``: optimistic online mirror descent with the last gradient as hint (Chen, Zhang, Tu, Zhao & Zhang,
  ICML 2023): ``x_t = P(xhat_t - eta_t M_t)``, ``xhat_{t+1} = P(xhat_t - eta_t g_t)``, ``M_{t+1} = g_t``, with
  the SEA step ``eta_t = D / sqrt(delta + 4 G^2 + sum_{s<t} ||g_s - M_s||^2)`` (``step=None``) or a number;
* ``oftrl``: optimistic FTRL with the same hint and step (Sachs, Hadiji, van Erven & Guzman, NeurIPS 2022):
  ``x_t = P(-eta_t (sum_{s<t} g_s + M_t))``;
* ``ons`` and ``oons``: the online Newton step for exp-concave losses and its optimistic form, with the
  projection in the norm of ``A_t``.

The trace holds, at checkpoints, ``loss`` (``sum_s f_s(x_s)``), ``regret`` (against the best fixed point in
hindsight of the realized losses, in closed form on the ball), ``pseudo_regret`` (``sum_s F_s(x_s) -
min_u sum_s F_s(u)``, which lower-bounds the expected regret), ``step``, ``fun``/``gap`` (the average expected
loss ``f`` of the environment at the last play) and the oracle counters.  Built-in environments run their
rounds in C++ (``backend="cpp"``) or in the NumPy reference, on the same Philox noise.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, as_scalar
from ..registry import register
from ..result import Result, Trace
from . import _online_reference as R
from ._driver import common_options, run_chunks

BACKENDS = ("numpy", "cpp")


def _advance(env, backend, learner, rule, value, delta, T, st, t0, t1, seed):
    from ..online.environments import SEAEnvironment

    if not isinstance(env, SEAEnvironment):
        return R.generic_rounds(env, learner, rule, value, delta, T, st, t0, t1, seed)
    if backend == "numpy":
        return R.rounds(env, learner, rule, value, delta, T, st, t0, t1, seed)
    from .. import _core

    c = env.constants
    return _core.online_rounds(*env.kernel_spec(), seed, learner, rule, value, delta, c["G"], c["D"], T, st.x,
                               st.xhat, st.M, st.Gsum, st.Y, st.C, st.scal, st.A, t0, t1)


def run_online(env, learner, rule, value, delta, *, backend=None, comparator=None, **options):
    """The round loop shared by the learners: checkpoints, trace, budgets, callback, Ctrl-C.

    ``comparator``: a fixed point of the domain; the trace's regrets are then against it instead of the
    best fixed point in hindsight.  The largest gradient norm seen is checked against the environment's
    declared ``G`` at every checkpoint (a violation ends the run with ``success=False``).
    """
    from ..online.environments import Environment, SEAEnvironment

    if not isinstance(env, Environment):
        raise TypeError(f"problem: expected an environment of pyoptheory.online, got {type(env).__name__}")
    builtin = isinstance(env, SEAEnvironment)
    backend = ("cpp" if builtin else "numpy") if backend is None else backend
    if backend not in BACKENDS:
        raise ValueError(f"backend: unknown value {backend!r}; valid: {', '.join(BACKENDS)}")
    if backend == "cpp" and not builtin:
        raise ValueError(f"backend: 'cpp' runs the built-in SEA environments; {env.name!r} runs on 'numpy'")
    opts = common_options(env, **options)
    T = opts["steps"]
    if comparator is not None:
        comparator = as_float_array(comparator, "comparator", shape=(env.dim,))
        if not env.feasible(comparator):
            raise ValueError(f"comparator: outside the domain ({env.domain}) of {env.name!r}")
    seed = opts["seed"] & (2**64 - 1)
    st = R.OnlineState(env.dim, opts["x0"], seed)
    if learner in ("ons", "oons"):  # A_0 = eps I, eps = delta
        if env.domain != "ball":
            raise ValueError(f"problem: the online Newton step runs on a ball; {env.name!r} is a {env.domain}")
        st.A[...] = delta * np.eye(env.dim)
    f_star = env.f_star
    expected = builtin  # the pseudo-regret needs the expected losses
    cols = {c: [] for c in ("iter", "time", "fun", "gap", "loss", "regret", "pseudo_regret", "step", "grad_evals",
                            "fevals")}

    def record(t, elapsed):
        regret, pseudo = R.regrets(env, st, t, comparator)
        fun = env.f(st.x)
        for name, value_ in (("iter", t), ("time", elapsed), ("fun", fun),
                             ("gap", np.nan if f_star is None else fun - f_star),
                             ("loss", st.scal[R.S_LOSS]), ("regret", regret),
                             ("pseudo_regret", pseudo if expected else np.nan),
                             ("step", st.scal[R.S_ETA] if t else np.nan), ("grad_evals", t), ("fevals", t)):
            cols[name].append(value_)

    def build(t, status, message):
        regret, pseudo = R.regrets(env, st, t, comparator)
        return Result(x=st.x.copy(), fun=env.f(st.x), nit=int(t), success=status == 0, status=status, message=message,
                      trace=Trace({c: np.asarray(v) for c, v in cols.items()}), backend=backend, seed=opts["seed"],
                      grad_evals=int(t), fevals=int(t), regret=float(regret), pseudo_regret=float(pseudo),
                      method=learner, problem=env.name)

    code = R.LEARNERS[learner]
    G = env.constants["G"]

    def advance(t0, t1, _):
        fail = _advance(env, backend, code, rule, value, delta, T, st, t0, t1, seed)
        if fail < 0:
            return None
        return int(fail), 1, f"diverged at round {fail}: non-finite loss or gradient (or a gradient of the wrong shape)"

    def check_g(t):
        if st.scal[R.S_GMAX] > G * (1 + 1e-9):
            return 1, (f"environment: a gradient of norm {st.scal[R.S_GMAX]:.6g} by round {t} exceeds the declared "
                       f"G = {G:.6g}")
        return None

    t, status, message, elapsed = run_chunks(T, opts["record"], 100_000, advance, record, build,
                                             max_time=opts["max_time"], callback=opts["callback"],
                                             progress=opts["progress"], desc=learner, unit="round", check=check_g)
    if cols["iter"][-1] != t and status != 1:
        record(t, elapsed)
    return build(t, status, message)


def _fixed_step(step, name="step"):
    return as_scalar(step, name, positive=True)


@register("ogd", accepts=("online",), backends=BACKENDS, theorem="ogd.regret")
def ogd(env, *, step="horizon", **options):
    """Online (projected) gradient descent ``x_{t+1} = P(x_t - eta_t g_t)``.

    ``step="horizon"``: ``eta = D / (G sqrt(T))`` with ``T = steps``, for which ``regret_T <= D G sqrt(T)``
    (Zinkevich 2003; theorem ``ogd.regret``); ``"adaptive"``: ``D / (G sqrt(t))``; or a fixed number.

    Examples
    --------
    >>> import pyoptheory as po
    >>> env = po.online.sea(10, regime="stochastic", noise=0.5)
    >>> res = po.solve(env, "ogd", steps=10_000, seed=0)
    >>> bool(res.regret <= env.constants.D * env.constants.G * 100)
    True
    """
    if isinstance(step, str):
        if step not in ("horizon", "adaptive"):
            raise ValueError(f"step: expected 'horizon', 'adaptive' or a positive number, got {step!r}")
        return run_online(env, "ogd", R.STEP_RULES[step], 0.0, 0.0, **options)
    return run_online(env, "ogd", R.STEP_RULES["fixed"], _fixed_step(step), 0.0, **options)


def _optimistic(env, name, step, delta, options):
    delta = as_scalar(delta, "delta", positive=True)
    if step is None:
        return run_online(env, name, R.STEP_RULES["sea"], 0.0, delta, **options)
    if isinstance(step, str):
        if step != "strongly_convex" or name != "oomd":
            valid = "None, 'strongly_convex'" if name == "oomd" else "None"
            raise ValueError(f"step: {name} takes {valid} or a positive number, got {step!r}")
        mu = env.constants["mu"] if hasattr(env, "constants") else 0.0
        if not mu > 0:
            raise ValueError(f"step: 'strongly_convex' needs strongly convex losses; {env.name!r} has mu = {mu}")
        return run_online(env, name, R.STEP_RULES["strongly_convex"], mu, delta, **options)
    return run_online(env, name, R.STEP_RULES["fixed"], _fixed_step(step), delta, **options)


@register("oomd", accepts=("online",), backends=BACKENDS, theorem="oomd.sea.slope")
def oomd(env, *, step=None, delta=1.0, **options):
    """Optimistic online mirror descent (Euclidean), hint ``M_t = g_{t-1}``, SEA step by default.

    ``step=None``: ``eta_t = D / sqrt(delta + 4 G^2 + sum_{s<t} ||g_s - M_s||^2)`` (Chen et al. 2023, as restated
    by Wang et al.); ``"strongly_convex"``: ``eta_t = 1 / (mu t)`` for mu-strongly convex losses (Chen et al.'s
    strongly convex variant, logarithmic regret); a number: a fixed step.  Expected regret
    ``O(sqrt(sigma^2_{1:T}) + sqrt(Sigma^2_{1:T}))``.

    Examples
    --------
    >>> import pyoptheory as po
    >>> env = po.online.sea(10, regime="fixed")      # one deterministic function: O(1) regret
    >>> res = po.solve(env, "oomd", steps=10_000)
    >>> bool(res.regret < 5.0)
    True
    """
    return _optimistic(env, "oomd", step, delta, options)


@register("oftrl", accepts=("online",), backends=BACKENDS)
def oftrl(env, *, step=None, delta=1.0, **options):
    """Optimistic follow-the-regularized-leader ``x_t = P(-eta_t (sum_{s<t} g_s + M_t))``, hint ``M_t = g_{t-1}``,
    the same step as :func:`oomd` (Sachs, Hadiji, van Erven & Guzman, NeurIPS 2022, analyse OFTRL in the SEA model)."""
    return _optimistic(env, "oftrl", step, delta, options)


def _newton(env, name, gamma, eps, options):
    c = env.constants
    if gamma is None:  # Hazan (2016), Thm 4.5: gamma = min(1/(4 G D), alpha) / 2, eps = 1/(gamma D)^2
        gamma = 0.5 * min(1.0 / (4.0 * c["G"] * c["D"]), c["exp_concavity"])
    gamma = as_scalar(gamma, "gamma", positive=True)
    eps = 1.0 / (gamma * c["D"]) ** 2 if eps is None else as_scalar(eps, "eps", positive=True)
    return run_online(env, name, R.STEP_RULES["fixed"], 1.0 / gamma, eps, **options)


@register("ons", accepts=("online",), backends=BACKENDS, theorem="ons.exp_concave")
def ons(env, *, gamma=None, eps=None, **options):
    """Online Newton step (Hazan, Agarwal & Kale 2007) for alpha-exp-concave losses on a ball.

    ``A_t = eps I + sum_{s<=t} g_s g_s^T``, ``x_{t+1} = P^{A_t}(x_t - (1/gamma) A_t^{-1} g_t)`` with the projection in
    the norm of ``A_t`` (bisection on the multiplier of ``(A + lam I) x = A y``); by default
    ``gamma = min(1/(4 G D), alpha) / 2`` and ``eps = 1/(gamma D)^2``, for which
    ``regret_T <= 5 (1/alpha + G D) d log T`` (Hazan, Introduction to Online Convex Optimization, Thm 4.5).
    ``alpha`` is the environment's ``exp_concavity`` constant.
    """
    return _newton(env, "ons", gamma, eps, options)


@register("oons", accepts=("online",), backends=BACKENDS)
def oons(env, *, gamma=None, eps=None, **options):
    """Optimistic online Newton step: the hint ``M_t = g_{t-1}``, ``x_t = P^{A}(xhat_t - (1/gamma) A^{-1} M_t)``,
    ``A <- A + (g_t - M_t)(g_t - M_t)^T``, ``xhat_{t+1} = P^{A}(xhat_t - (1/gamma) A^{-1} g_t)`` (the metric of Chen et al.
    2023's exp-concave analysis, recalled [M]: its constants are not asserted).  Defaults as :func:`ons`."""
    return _newton(env, "oons", gamma, eps, options)
