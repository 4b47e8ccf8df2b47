r"""Exact worst cases from performance estimation (PEPit), computed once and shipped as a table.

For a deterministic fixed-step method, a function class and a horizon ``N``, the performance-estimation
problem (Drori & Teboulle 2014; Taylor, Hendrickx & Glineur 2017) is a small SDP whose value is the exact
worst case of the method's measured quantity over the class, and whose solution holds a worst-case function's
data.  :data:`SETUPS` describes, for each theorem that PEPit can express, the method and the class in the
normalised units of the theorem (``L = 1`` or ``M = 1``, ``||x_0 - x*|| = 1`` or the initial quantity 1); the
script ``python -m pyoptheory.theory.pep`` (needs the ``pepit`` extra) solves them for ``N = 1 .. 10`` through
cvxpy and writes ``pyoptheory/theory/data/pepit.json.gz``: the values, the solver's duality gap, and the worst
cases' points, from which :mod:`pyoptheory.problems.interpolated` rebuilds a function of the class.  The test
suite reads the table; it solves no SDP.

Uses of the table (:func:`pyoptheory.verify.verify`): on every instance of a theorem with a setup, at those
``N``, the measured quantity must not exceed the PEPit value scaled to the instance's constants (times
``1 + PEPIT_REL_TOL``); the PEPit worst case itself is an instance, on which the method must reach at least
0.9 of the PEPit value; ``PEPit value / theorem bound`` is reported.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np

#: Relative slack of the comparison with PEPit values (SDP solver accuracy).
PEPIT_REL_TOL = 1e-5
#: A run on PEPit's interpolated worst case must reach this share of the PEPit value (0.9 where the class is
#: nonsmooth: a max-affine function's subgradient at a kink depends on rounding; smooth worst cases have unique
#: gradients, and the prescribed method reproduces their value to about 1e-7).
PEPIT_REACH, PEPIT_REACH_SMOOTH = 0.9, 0.999
HORIZONS = tuple(range(1, 11))
TABLE = os.path.join(os.path.dirname(__file__), "data", "pepit.json.gz")


@dataclass(frozen=True)
class Setup:
    """A PEP in normalised units: the method ``method`` with parameters ``params``, the class, the metric.

    ``method``: ``gradient`` (``x+ = prox_{s h}(x - s grad f(x))``, ``h`` absent, convex, or an indicator),
    ``subgradient`` (steps ``steps(N)``), ``accelerated`` (momentum ``lambda``, ``simple`` or a constant
    ``beta``), ``heavy_ball`` (``alpha``, ``beta``).  ``metric``: ``gap`` (``F(x_N) - F*``), ``best``
    (``min_{t<=N} f(x_t) - f*``), ``average`` (``f`` at the step-weighted average of ``x_0 .. x_{N-1}``),
    ``dist2`` (``||x_N - x*||^2``).  ``initial``: ``dist`` (``||x_0 - x*||^2 <= 1``), ``gap_dist``
    (``f(x_0) - f* + (mu/2)||x_0 - x*||^2 <= 1``) or ``gap`` (``f(x_0) - f* <= 1``).
    """

    name: str
    method: str
    function: str  # "smooth" (L = 1, mu) or "lipschitz" (M = 1)
    metric: str
    initial: str = "dist"
    composite: str | None = None  # None, "convex" or "indicator"
    params: dict = field(default_factory=dict)


def _subgradient_steps(kind, N):
    """The step of update ``k = 0 .. N-1`` for ``M = D = 1``."""
    from .. import schedules as S
    from .stochastic import _multipliers

    if kind == "best":
        return np.full(N, 1.0 / np.sqrt(N + 1))
    if kind == "average":
        return np.full(N, 1.0 / np.sqrt(N))
    if kind == "sqrt":
        return 1.0 / np.sqrt(np.arange(1, N + 1))
    mult = _multipliers(kind, N)  # last-iterate schedules at their optimal base (G = D = 1)
    return S.optimal_base_after_updates(mult, 1.0, 1.0)[0] * mult


def setups():
    """The PEPs of the registered theorems (name -> Setup); ``scale`` tells how values scale with constants."""
    out = {}

    def add(setup):
        out[setup.name] = setup

    add(Setup("gd", "gradient", "smooth", "gap", params={"step": 1.0}))
    add(Setup("proximal_gd", "gradient", "smooth", "gap", composite="convex", params={"step": 1.0}))
    add(Setup("projected_gd", "gradient", "smooth", "gap", composite="indicator", params={"step": 1.0}))
    add(Setup("proximal_gd.strongly_convex", "gradient", "smooth", "dist2", composite="convex",
              params={"step": 1.0, "mu": 0.1}))
    add(Setup("subgradient.last.x1", "subgradient", "lipschitz", "gap", params={"kind": "best", "factor": 1.0}))
    for c in (1.0, 0.5, 2.0):
        add(Setup(f"subgradient.best.x{c:g}", "subgradient", "lipschitz", "best", params={"kind": "best",
                                                                                         "factor": c}))
        add(Setup(f"subgradient.average.x{c:g}", "subgradient", "lipschitz", "average",
                  params={"kind": "average", "factor": c}))
        add(Setup(f"subgradient.sqrt.x{c:g}", "subgradient", "lipschitz", "average",
                  params={"kind": "sqrt", "factor": c}))
    for kind in ("constant", "linear_decay", "cosine", "wsd"):
        for c in (1.0, 2.0, 4.0):
            add(Setup(f"last_iterate.{kind}.x{c:g}", "subgradient", "lipschitz", "gap",
                      params={"kind": kind, "factor": c}))
    mu = 0.1  # the strongly convex worst cases: L = 1, mu = 0.1 (PEPit's examples)
    alpha = 0.5
    add(Setup("heavy_ball.strongly_convex", "heavy_ball", "smooth", "gap", initial="gap",
              params={"mu": mu, "alpha": alpha, "beta": float(np.sqrt((1 - alpha * mu) * (1 - alpha)))}))
    add(Setup("agd.strongly_convex", "accelerated", "smooth", "gap", initial="gap_dist",
              params={"mu": mu, "momentum": (1 - np.sqrt(mu)) / (1 + np.sqrt(mu))}))
    add(Setup("agd", "accelerated", "smooth", "gap", params={"momentum": "lambda"}))
    add(Setup("agd.simple", "accelerated", "smooth", "gap", params={"momentum": "simple"}))
    add(Setup("fista", "accelerated", "smooth", "gap", composite="convex", params={"momentum": "lambda"}))
    add(Setup("fista.simple", "accelerated", "smooth", "gap", composite="convex", params={"momentum": "simple"}))
    return out


def scale(setup_name, c, p):
    """The factor that turns a normalised PEPit value into the instance's units (constants ``c``, parameters
    ``p``), or None when the setup's value does not apply to these constants (another ``mu/L``)."""
    s = setups()[setup_name]
    if "mu" in s.params and abs(getattr(c, "mu", 0.0) / c.L - s.params["mu"]) > 1e-9:
        return None
    if s.function == "lipschitz":
        return c.G * c.D0
    if s.initial == "gap":
        return p["f0_gap"]
    if s.initial == "gap_dist":
        return p["f0_gap"] + 0.5 * c.mu * c.D0**2
    if s.metric == "dist2":
        return c.D0**2
    return c.L * c.D0**2


def reach_share(setup_name):
    """The share of the PEPit value a run on the setup's own worst case must reach."""
    return PEPIT_REACH if setups()[setup_name].function == "lipschitz" else PEPIT_REACH_SMOOTH


def solve(setup, N):
    """Solve one PEP; returns ``{"value", "gap", "f": {...}, "h": {...}, "x0", "x_star", "f_star"}``."""
    from PEPit import PEP
    from PEPit.functions import (ConvexFunction, ConvexIndicatorFunction, ConvexLipschitzFunction,
                                 SmoothConvexFunction, SmoothStronglyConvexFunction)
    from PEPit.primitive_steps import proximal_step

    pb = PEP()
    mu = float(setup.params.get("mu", 0.0))
    if setup.function == "lipschitz":
        f = pb.declare_function(ConvexLipschitzFunction, M=1.0)
    elif mu > 0:
        f = pb.declare_function(SmoothStronglyConvexFunction, mu=mu, L=1.0)
    else:
        f = pb.declare_function(SmoothConvexFunction, L=1.0)
    h = None
    if setup.composite == "convex":
        h = pb.declare_function(ConvexFunction)
    elif setup.composite == "indicator":
        h = pb.declare_function(ConvexIndicatorFunction)
    F = f if h is None else f + h
    xs = F.stationary_point()
    Fs = F(xs)
    x0 = pb.set_initial_point()
    if setup.initial == "dist":
        pb.set_initial_condition((x0 - xs) ** 2 <= 1)
    elif setup.initial == "gap":
        pb.set_initial_condition(f(x0) - Fs <= 1)
    else:
        pb.set_initial_condition(f(x0) - Fs + mu / 2 * (x0 - xs) ** 2 <= 1)
    prox_pairs = []

    def prox(y, t):
        if h is None:
            return y, 0
        x, _, hx = proximal_step(y, h, t)
        prox_pairs.append((y, t, x))
        return x, hx

    if setup.method == "gradient":
        s = float(setup.params["step"])
        x, hx = x0, 0
        if h is not None:
            h(x0)  # x0 in the domain of h (in the set, for an indicator)
        for _ in range(N):
            x, hx = prox(x - s * f.gradient(x), s)
        pb.set_performance_metric(f(x) + hx - Fs if setup.metric == "gap" else (x - xs) ** 2)
    elif setup.method == "subgradient":
        steps = setup.params["factor"] * _subgradient_steps(setup.params["kind"], N)
        x = x0
        xs_list = [x0]
        for k in range(N):
            g, fx = f.oracle(x)
            if setup.metric == "best":
                pb.set_performance_metric(fx - Fs)
            x = x - steps[k] * g
            xs_list.append(x)
        if setup.metric == "average":
            avg = xs_list[0] * float(steps[0])
            for w, p in zip(steps[1:], xs_list[1:N]):
                avg = avg + float(w) * p
            avg = avg / float(np.sum(steps))
            pb.set_performance_metric(f(avg) - Fs)
        else:
            pb.set_performance_metric(f(x) - Fs)
    elif setup.method == "heavy_ball":
        a, b = setup.params["alpha"], setup.params["beta"]
        x, x_prev = x0, x0
        for _ in range(N):
            x, x_prev = x - a * f.gradient(x) + b * (x - x_prev), x
        pb.set_performance_metric(f(x) - Fs)
    elif setup.method == "accelerated":
        momentum = setup.params["momentum"]
        x_new, y, lam = x0, x0, 1.0
        hx = 0
        for i in range(N):
            x_old = x_new
            lam_next = 0.5 * (1 + np.sqrt(4 * lam * lam + 1))
            x_new, hx = prox(y - f.gradient(y), 1.0)
            m = ((lam - 1) / lam_next if momentum == "lambda" else i / (i + 3) if momentum == "simple"
                 else float(momentum))
            y = x_new + m * (x_new - x_old)
            lam = lam_next
        pb.set_performance_metric(f(x_new) + hx - Fs)
    else:
        raise ValueError(f"method: unknown {setup.method!r}")
    value = float(pb.solve(wrapper="cvxpy", solver="CLARABEL", verbose=0))
    return dict(value=value, f=_leaf(f, "lipschitz" if setup.function == "lipschitz" else "smooth", mu),
                h=None if h is None else dict(_leaf(h, setup.composite, 0.0),
                                              indicator=setup.composite == "indicator",
                                              prox_pairs=[(_v(y), float(t), _v(x)) for y, t, x in prox_pairs]),
                x0=_v(x0), x_star=_v(xs), f_star=float(Fs.eval()))


def _v(point):
    return [float(v) for v in np.atleast_1d(point.eval())]


def _leaf(func, kind, mu):
    pts = func.list_of_points
    data = dict(X=[_v(p) for p, _, _ in pts], G=[_v(g) for _, g, _ in pts], F=[float(v.eval()) for _, _, v in pts])
    if kind == "lipschitz":
        data["M"] = 1.0
    elif kind == "smooth":
        data.update(L=1.0, mu=mu)
    return data


def _round(obj, digits=13):
    """Floats to ``digits`` significant digits (far below the SDP's accuracy), to keep the table small."""
    if isinstance(obj, float):
        return float(f"{obj:.{digits}g}")
    if isinstance(obj, (list, tuple)):
        return [_round(v, digits) for v in obj]
    if isinstance(obj, dict):
        return {k: _round(v, digits) for k, v in obj.items()}
    return obj


def load_table():
    """The shipped table: ``{setup: {N: entry}}`` (empty when it has not been computed)."""
    import gzip

    if not os.path.exists(TABLE):
        return {}
    with gzip.open(TABLE, "rt") as fh:
        raw = json.load(fh)
    return {name: {int(N): entry for N, entry in rows.items()} for name, rows in raw.items()}


_CACHE = {}


def table():
    if "t" not in _CACHE:
        _CACHE["t"] = load_table()
    return _CACHE["t"]


def value(setup_name, N):
    """The normalised PEPit value of ``setup_name`` at horizon ``N``, or None when not in the table."""
    entry = table().get(setup_name, {}).get(int(N))
    return None if entry is None else entry["value"]


def worst_case_problem(setup_name, N, radius=None):
    """PEPit's worst case of ``setup_name`` at horizon ``N`` as a runnable problem (on the ball of ``radius`` if
    given)."""
    from ..problems.interpolated import InterpolatedProblem

    entry = table()[setup_name][int(N)]
    return InterpolatedProblem(entry["f"], entry["x0"], entry["x_star"], entry["f_star"], h_data=entry["h"],
                               name=f"pepit_{setup_name}_N{N}", radius=radius)


INSTANCE_HORIZONS = (1, 2, 3, 4, 5, 6, 8, 10)


def instance(setup_name, label=None, reach=True, stochastic=False, shape=False, constrained=False):
    """The per-horizon instance of PEPit's worst case of ``setup_name``.

    ``reach``: it is the prescribed method's worst case, which the run must reach (otherwise the worst case of a
    neighbouring method, e.g. twice the step, on which the prescribed method must still meet its bound);
    ``shape``: PEPit's value is a constant multiple of the theorem's bound, so the measured values must follow
    the bound's shape (slope 1 against it; otherwise, at N <= 10 the exact values are checked one by one
    against PEPit's, which says more than a fitted rate, and no rate is asserted); ``stochastic``: wrapped as a
    noise-free stochastic problem, for theorems about SGD; ``constrained``: on the ball of radius 1e3 (which
    holds every point a run visits, so the projection never acts), for methods that take constrained problems.
    """
    from functools import partial

    from .base import Instance

    make = partial(_make_instance, setup_name, stochastic, constrained)
    if reach:
        note = ("PEPit's exact worst case of the prescribed method (pyoptheory/theory/data/pepit.json.gz), rebuilt by "
                f"interpolation; the run must reach {reach_share(setup_name)} of its value")
    else:
        note = (f"PEPit's worst case of a neighbouring method ({setup_name}): a function of the class on which the "
                "prescribed method must still meet its bound")
    if not shape:
        note += ("; bound-only: at N <= 10 the exact worst-case values are compared one by one, the bound is not "
                 "yet in its asymptotic shape")
    return Instance(label or "pepit_worst_case", make, per_horizon=True, deterministic=True, tight=shape,
                    reach=reach, horizons=INSTANCE_HORIZONS, rate_vs_bound=shape, check_rate=shape, note=note,
                    rel_tol=PEPIT_REL_TOL, pepit_setup=setup_name)


def step_family(prefix, **kwargs):
    """PEPit's worst case of ``prefix + ".x1"`` (the prescribed step; the run must reach it, and its value follows
    the bound's shape) and those of half and twice the step, as instances (``kwargs`` as :func:`instance`)."""
    return (instance(f"{prefix}.x1", shape=True, **kwargs),
            instance(f"{prefix}.x0.5", "pepit_worst_case_step_x0.5", reach=False, **kwargs),
            instance(f"{prefix}.x2", "pepit_worst_case_step_x2", reach=False, **kwargs))


def _make_instance(setup_name, stochastic, constrained, T):
    prob = worst_case_problem(setup_name, T, radius=1e3 if constrained else None)
    if stochastic:
        from ..problems import additive_noise

        prob = additive_noise(prob, noise_std=0.0)
    return prob


def main(argv=None):
    """Solve every setup at every horizon and write the table."""
    import argparse
    import time

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="setups to (re)compute (default: all)")
    parser.add_argument("--horizons", type=int, nargs="*", default=list(HORIZONS))
    args = parser.parse_args(argv)
    out = {name: {str(N): e for N, e in rows.items()} for name, rows in load_table().items()}
    for name, setup in setups().items():
        if args.names and name not in args.names:
            continue
        out.setdefault(name, {})
        for N in args.horizons:
            t0 = time.time()
            entry = solve(setup, N)
            out[name][str(N)] = entry
            print(f"{name:<32} N={N:<3} value {entry['value']:.8g}  ({time.time() - t0:.1f} s)", flush=True)
        os.makedirs(os.path.dirname(TABLE), exist_ok=True)
        import gzip

        with gzip.open(TABLE, "wt") as fh:
            json.dump(_round(out), fh, separators=(",", ":"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
