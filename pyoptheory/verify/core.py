"""``verify``: run a theorem's method as the theorem prescribes and check its bound and rate."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import warnings

from ..problems.base import Problem
from ..result import StepSizeWarning
from ..solve import solve
from ..theory import Instance, all_theorems, get_theorem
from ..theory import pep
from . import stats


def measure(theorem_id, instance_name, horizons, seed=0, backend=None, problem=None, method=None, mutate=None):
    """Run one seed of a theorem on one instance; rows ``{horizon, measured, bound, fun0, ...}``.

    Horizon-dependent theorems (step depends on T) and per-horizon instances make one
    run per horizon; otherwise one run records every horizon.  A run that fails
    (divergence, or a user method that breaks its contract) yields ``measured = inf``
    so that the bound check fails loudly.

    ``method``: None (the theorem's method), the name of another registered method run with the
    theorem's options, or a user's callable (:mod:`pyoptheory.verify.user`).  ``mutate(p, problem, c, T)``
    returns the parameters the run uses instead of the prescribed ``p`` (the bound keeps ``p``).  Rows of
    instances where the prescribed method's value is known exactly (``exact`` instances of a theorem with an
    exact expectation) carry it as ``expected`` when the run is not the prescribed built-in one.
    """
    th = get_theorem(theorem_id)
    inst = _instance(th, instance_name, problem)
    user = callable(method) and not isinstance(method, str)
    builtin = method is None and mutate is None
    separate = inst.per_horizon or th.horizon_dependent
    rows = []
    shared = None if inst.per_horizon else _build(th, inst, None, problem)
    plan = [(T, [T]) for T in horizons] if separate else [(max(horizons), list(horizons))]
    for T_run, record in plan:
        prob = _build(th, inst, T_run, problem) if inst.per_horizon else shared
        getattr(prob, "f_star", None)  # the theorem measures gaps: its instance's optimum is computed here (the runs never compute it)
        c = th.constants_for(prob)
        p = th.params(prob, c, T_run)
        p_run = p if mutate is None else dict(mutate(dict(p), prob, c, T_run))  # the bound keeps p
        base = dict(fun0=np.nan, lower=np.nan, scale=1.0, seed=seed, user_declared=prob.constants.user_declared,
                    expected=np.nan, error="", pepit=np.nan)
        exact_known = inst.exact and th.exact is not None
        expected = (_expected(th, inst, prob, p, T_run, record, problem is None) if exact_known and not builtin
                    else [np.nan] * len(record))
        if th.measure is not None:  # the theorem measures its own method (Sinkhorn)
            values, scale0 = th.measure(prob, c, p_run, list(record), backend)
            for T, value in zip(record, values):
                rows.append({**base, "horizon": int(T), "measured": float(value),
                             "bound": float(th.bound(T, c, p)), "fun0": float(scale0),
                             "message": "measured by the theorem's hook"})
            continue
        if user:
            from .user import UserMethodError, run_user_method

            try:
                values, message, error = run_user_method(method, th, prob, p, c, record, T_run, seed,
                                                         inst.name), "user method", ""
            except UserMethodError as exc:
                values, message, error = [np.inf] * len(record), str(exc), str(exc)
            fun0 = float(prob.objective(prob.x0)) if th.quantity not in ("regret", "pseudo_regret") else 1.0
            rows += _rows(th, inst, prob, c, p, separate, record, values, expected, base,
                          dict(fun0=fun0, message=message, error=error))
            continue
        if exact_known and method is None and "solve_options" not in p_run:
            try:
                values = th.exact(prob, p_run, list(record))  # exact expectation: no Monte Carlo
            except ValueError:  # a mutant's parameters outside the exact model: run the method instead
                if builtin:
                    raise
            else:
                rows += _rows(th, inst, prob, c, p, separate, record, values, expected, base,
                              dict(fun0=float(prob.objective(prob.x0)), message="exact expectation"))
                continue
        try:
            with warnings.catch_warnings():  # the theorem prescribes these steps; other theorems' warnings are noise
                warnings.simplefilter("ignore", StepSizeWarning)
                res = solve(prob, method or th.method, steps=T_run, record=np.asarray(record, dtype=np.int64),
                            seed=seed, backend=backend, **run_options(th, p_run))
        except (ValueError, TypeError) as exc:
            if builtin:  # the prescription itself is refused: a defect of the theorem, raise it
                raise
            error = f"{method or th.method} with the changed parameters on instance {inst.name!r}: {exc}"
            rows += _rows(th, inst, prob, c, p, separate, record, [np.inf] * len(record), expected, base,
                          dict(fun0=np.nan, message=error, error=error))
            continue
        tr = res.trace
        values = []
        for T in record:
            hit = np.nonzero(tr["iter"] == T)[0]
            if hit.size == 0 or not res.success and T >= res.nit:
                value = np.inf
            elif th.quantity == "dist2":
                value = float(tr["dist"][hit[0]] ** 2)
            elif th.quantity == "grad_map2":
                value = float(tr["grad_norm_min"][hit[0]] ** 2)
            elif th.quantity == "output_stationarity2":  # the squared stationarity of the run's output (x_R)
                value = float(res.stationarity) ** 2 if T == res.nit else np.nan
            elif separate and th.quantity in ("gap", "gap_best", "gap_avg") and prob.f_star is not None:
                value = float(res.fun - prob.f_star)  # the gap of the run's output (best, average or last)
            else:  # the output's gap; a run whose output was changed to the last iterate (a mutant) has "gap"
                column = th.quantity if th.quantity in tr else "gap"
                value = float(tr[column][hit[0]])
            values.append(value)
        rows += _rows(th, inst, prob, c, p, separate, record, values, expected, base,
                      dict(fun0=float(tr["fun"][0]), message=res.message))
    return rows


_EXPECTED = {}


def _expected(th, inst, prob, p, T_run, record, cacheable):
    """The prescribed method's exact expectation at the horizons of a run (the same for every seed: computed once
    per process for a registered instance)."""
    key = (th.id, inst.name, int(T_run), tuple(int(t) for t in record))
    if not cacheable:
        return th.exact(prob, p, list(record))
    if key not in _EXPECTED:
        if len(_EXPECTED) > 4096:
            _EXPECTED.clear()
        _EXPECTED[key] = th.exact(prob, p, list(record))
    return _EXPECTED[key]


def _exact_describes(th, inst, horizons, mutate):
    """Whether the theorem's exact expectation describes a run with ``mutate``'s parameters: not when the mutation
    overrides options the theorem fixes (the exact model assumes them) or leaves the exact model (its steps
    break the model's assumptions); then the mutant runs by Monte Carlo."""
    if mutate is None:
        return True
    T = max(horizons)
    prob = _build(th, inst, T if inst.per_horizon else None, None)
    c = th.constants_for(prob)
    p_run = mutate(dict(th.params(prob, c, T)), prob, c, T)
    if "solve_options" in p_run:
        return False
    try:
        th.exact(prob, p_run, [T])
    except ValueError:
        return False
    return True


def run_options(theorem, p):
    """The solve options of a run: the theorem's options of ``p``, overridden by ``p["solve_options"]`` (a
    mutation's change of an option the theorem fixes, such as a selection rule)."""
    return {**theorem.solve_options(p), **p.get("solve_options", {})}


def _rows(th, inst, prob, c, p, separate, record, values, expected, base, fields):
    """One row per horizon: the measured value, the bound of the *prescribed* parameters, the lower bound
    where it applies, the PEPit worst case where it applies, the scale of the rate fit."""
    rows = []
    applies = pepit_applies(th, inst, prob)
    for T, value, exp in zip(record, values, expected):
        pT = p if separate else th.params(prob, c, T)
        lower = th.lower_bound(T, c, pT) if (inst.lower and th.lower_bound is not None) else np.nan
        scale = float(th.normalize(c)) if th.normalize is not None else 1.0
        pv = pep.value(th.pepit, T) if applies else None
        factor = pep.scale(th.pepit, c, pT) if pv is not None else None
        rows.append({**base, **fields, "horizon": int(T), "measured": float(value), "bound": float(th.bound(T, c, pT)),
                     "lower": float(lower), "scale": scale, "expected": float(exp),
                     "pepit": np.nan if factor is None else pv * factor})
    return rows


def pepit_applies(th, inst, prob):
    """Whether the theorem's PEPit worst cases bound this instance: a deterministic run on a problem of the
    setup's class (unconstrained for a plain setup, the matching composite form otherwise)."""
    if th.pepit is None or (th.stochastic and not inst.deterministic):
        return False
    if inst.pepit_setup is not None:  # a worst case of the setup's class (on a ball that never acts)
        return True
    base = getattr(prob, "base", prob)
    if getattr(prob, "noise_trace", 0.0) != 0.0 or getattr(prob, "batch_size", None):
        return False
    composite = pep.setups()[th.pepit].composite
    want = {None: ("smooth", "nonsmooth"), "convex": ("composite",),
            "indicator": ("constrained", "nonsmooth_constrained")}[composite]
    return base.kind in want


_BUILT = {}


def _build(th, inst, T, user_problem):
    """The instance's problem for horizon T, built once per process and reused across seeds (its
    constants and optimum are cached on it)."""
    if user_problem is not None:
        return user_problem
    key = (th.id, inst.name, T)
    if key not in _BUILT:
        if len(_BUILT) > 256:
            _BUILT.clear()
        _BUILT[key] = inst.make(T)
    return _BUILT[key]


def _instance(th, name, problem):
    if problem is not None:
        return Instance(problem.name, lambda T, _p=problem: _p)
    return th.instance(name)


@dataclass
class CaseResult:
    """The verdict on one problem instance."""

    instance: str
    tight_instance: bool
    horizons: np.ndarray
    measured: np.ndarray
    stderr: np.ndarray
    bound: np.ndarray
    bound_holds: bool
    fitted_rate: float | None
    predicted_rate: float
    rate_ok: bool
    attained: bool | None
    tightness: float
    passed: bool
    n_seeds: int
    user_declared: bool
    notes: list = field(default_factory=list)
    lower_holds: bool | None = None  # the theorem's lower bound, on instances where it applies
    exact_holds: bool | None = None  # the prescribed method's exact value reproduced, where it is known
    errors: list = field(default_factory=list)  # contract violations of a user's method
    pepit_holds: bool | None = None  # measured <= PEPit's exact worst case, where the table applies
    pepit_reached: bool | None = None  # on PEPit's own worst case: measured >= PEPIT_REACH x its value
    pepit_ratio: float | None = None  # max over the table's horizons of PEPit value / theorem bound
    pepit_values: np.ndarray | None = None  # PEPit's worst case at each horizon (NaN where it does not apply)
    floor: float = 0.0  # the floating-point floor of the comparisons (values below it are rounding)


def _case(th, inst, frame, quick=False):
    g = frame.groupby("horizon")
    horizons = np.array(sorted(frame["horizon"].unique()))
    per_seed = np.array([frame[frame.seed == s].sort_values("horizon")["measured"].to_numpy()
                         for s in sorted(frame.seed.unique())])
    failed_runs = ~np.isfinite(per_seed).all(axis=0)
    per_seed = np.where(np.isfinite(per_seed), per_seed, np.inf)
    with np.errstate(invalid="ignore"):
        mean, se = stats.summarize(per_seed)
    se = np.where(np.isfinite(se), se, 0.0)
    bound = g["bound"].first().reindex(horizons).to_numpy()
    fun0 = float(frame["fun0"].abs().max())
    finite_b = bound[np.isfinite(bound)]
    floor = 1e-12 * max(fun0, finite_b.max() if finite_b.size else 0.0, 1e-300)
    z = stats.Z_ONE_SIDED if th.stochastic else 0.0
    lower = mean - z * se
    rel_tol = stats.REL_TOL if inst.rel_tol is None else inst.rel_tol
    ok = lower <= bound * (1 + rel_tol) + floor
    notes = [inst.note] if inst.note else []
    if not th.assert_bound:
        notes.append("constants tagged [M]: the bound is reported, not asserted; only the rate is tested")
    elif not ok.all():
        bad = horizons[~ok]
        notes.append(f"bound fails at horizons {bad[:5].tolist()}")
    bound_holds = bool(ok.all()) if th.assert_bound else None
    scale = g["scale"].first().reindex(horizons).to_numpy() if "scale" in frame else np.ones_like(mean)
    idx = stats.fit_window(horizons, mean, floor, bound)
    tol = stats.SLOPE_TOL_EXACT if (not th.stochastic or per_seed.shape[0] >= 200) else stats.SLOPE_TOL_MC
    # the predicted rate at the largest horizon's parameters
    c_pred = _pred_constants(th, inst, horizons.max())
    predicted = th.rate.predicted(*c_pred) if th.rate.kind == "linear" else float(th.rate.value)
    if not inst.check_rate:
        fitted, rate_ok = None, None
        notes.append("rate not asserted on this instance (see its note)")
    elif idx.size >= 3 and th.rate.kind != "bound" and not inst.rate_vs_bound or idx.size >= 3 and \
            np.ptp(np.log(np.where(bound[idx] > 0, bound[idx], 1.0))) > 1e-9:
        kind = "bound" if inst.rate_vs_bound else th.rate.kind
        predicted = 1.0 if inst.rate_vs_bound else predicted
        fitted, fit_se = stats.fit_rate(kind, horizons, mean / scale, bound / scale, idx)
        tol = stats.slope_tolerance(tol, fit_se, kind, predicted)
        rate_ok = bool(stats.rate_verdict(kind, fitted, predicted, inst.tight, tol))
        notes.append(f"rate fitted on {idx.size} horizons, slope standard error {fit_se:.3g}, tolerance {tol:.3g}")
    elif idx.size >= 3:  # the bound does not vary over the fitted horizons: no slope against it to fit
        fitted, rate_ok = None, False
        notes.append("the bound is constant over the fit window: the rate against it cannot be fitted")
    else:
        fitted = None
        reached_floor = mean[-1] <= 1e3 * floor
        rate_ok = bool(reached_floor and not inst.tight)
        notes.append("fewer than 3 horizons clear of the floating-point floor: "
                     + ("converged to machine precision (faster than predicted)" if rate_ok else "no rate fit"))
    valid = bound > floor
    ratio = np.where(valid, mean / np.where(valid, bound, 1.0), np.nan)
    tightness = float(np.nanmax(ratio)) if np.any(valid) else float("nan")
    attained = None
    if inst.attains:
        attained = bool(np.all(np.abs(ratio[valid] - 1.0) <= stats.ATTAIN_TOL))
        if not attained:
            notes.append(f"bound not attained: max |measured/bound - 1| = {np.nanmax(np.abs(ratio - 1)):.2e}")
    if failed_runs.any():
        notes.append(f"runs failed (diverged) at horizons {horizons[failed_runs][:5].tolist()}")
    lower_holds = None
    if "lower" in frame and frame["lower"].notna().any():
        low = g["lower"].first().reindex(horizons).to_numpy()
        upper_ci = mean + z * se
        ok_low = upper_ci >= low * (1 - stats.REL_TOL) - floor
        lower_holds = bool(ok_low.all())
        if not lower_holds:
            notes.append(f"lower bound fails at horizons {horizons[~ok_low][:5].tolist()}")
    exact_holds = None
    if "expected" in frame and frame["expected"].notna().any():
        expected = g["expected"].first().reindex(horizons).to_numpy()
        known = np.isfinite(expected)
        slack = stats.Z_EXACT * se + stats.EXACT_REL_TOL * np.abs(expected) + floor
        ok_exact = ~known | (np.abs(mean - expected) <= slack)
        exact_holds = bool(ok_exact.all())
        if not exact_holds:
            bad = horizons[~ok_exact][:3]
            where = np.nonzero(~ok_exact)[0][:3]
            notes.append("the prescribed method's exact value is not reproduced at horizons "
                         + ", ".join(f"{int(T)} ({mean[i]:.4g} vs {expected[i]:.4g})" for T, i in zip(bad, where)))
    pepit_holds, reached, pepit_ratio, pv = None, None, None, None
    if "pepit" in frame and frame["pepit"].notna().any():
        pv = g["pepit"].first().reindex(horizons).to_numpy()
        known = np.isfinite(pv)
        ok_pep = ~known | (mean <= pv * (1 + pep.PEPIT_REL_TOL) + floor)
        pepit_holds = bool(ok_pep.all())
        if not pepit_holds:
            notes.append("above PEPit's worst case at horizons " + ", ".join(
                f"{int(T)} ({mean[i]:.6g} > {pv[i]:.6g})" for T, i in zip(horizons[~ok_pep][:3],
                                                                            np.nonzero(~ok_pep)[0][:3])))
        with np.errstate(divide="ignore", invalid="ignore"):
            pepit_ratio = float(np.nanmax(np.where(known & (bound > 0), pv / bound, np.nan)))
        if inst.reach:
            share = pep.reach_share(th.pepit)
            ok_reach = ~known | (mean >= share * pv - floor)
            reached = bool(ok_reach.all())
            if not reached:
                notes.append("PEPit's worst case not reached at horizons " + ", ".join(
                    f"{int(T)} ({mean[i]:.6g} < {share} x {pv[i]:.6g})"
                    for T, i in zip(horizons[~ok_reach][:3], np.nonzero(~ok_reach)[0][:3])))
    errors = sorted(set(e for e in frame["error"] if e)) if "error" in frame else []
    notes += errors
    passed = bool(bound_holds is not False and rate_ok is not False and attained is not False
                  and lower_holds is not False and exact_holds is not False and pepit_holds is not False
                  and reached is not False and not failed_runs.any() and not errors)
    return CaseResult(inst.name, inst.tight, horizons, mean, se, bound, bound_holds, fitted, predicted, rate_ok,
                      attained, tightness, passed, per_seed.shape[0], bool(frame["user_declared"].any()), notes,
                      lower_holds, exact_holds, errors, pepit_holds, reached, pepit_ratio, pv, floor)


def _pred_constants(th, inst, T):
    prob = _build(th, inst, int(T) if inst.per_horizon else None, None)
    c = th.constants_for(prob)
    return c, th.params(prob, c, int(T))


@dataclass
class Verification:
    """The verdict on a theorem over its canonical instances (or one given problem).

    ``passed`` requires, on every instance: the bound at every horizon, the
    fitted rate (matching on tight instances, no slower on benign ones) and,
    where the instance attains the bound, equality to 1e-9.  The top-level
    ``fitted_rate``, ``tightness`` ... are those of the first (primary) instance.
    """

    theorem: object
    cases: list
    quick: bool
    method: str | None = None  # None: the theorem's own method; else the method checked against it

    @property
    def errors(self):
        """Contract violations of a user's method, one message per distinct failure."""
        return [e for c in self.cases for e in c.errors]

    @property
    def passed(self):
        return all(c.passed for c in self.cases)

    @property
    def bound_holds(self):
        """True/False, or None when only scaling is tested ([M] constants)."""
        if not self.theorem.assert_bound:
            return None
        return all(c.bound_holds for c in self.cases)

    @property
    def primary(self):
        return self.cases[0]

    fitted_rate = property(lambda self: self.primary.fitted_rate)
    predicted_rate = property(lambda self: self.primary.predicted_rate)
    rate_kind = property(lambda self: self.theorem.rate.kind)
    tightness = property(lambda self: self.primary.tightness)

    def to_frame(self):
        import pandas as pd

        frames = [pd.DataFrame(dict(instance=c.instance, horizon=c.horizons, measured=c.measured, stderr=c.stderr,
                                    bound=c.bound, ratio=c.measured / c.bound)) for c in self.cases]
        return pd.concat(frames, ignore_index=True)

    def to_dict(self):
        th = self.theorem
        return dict(
            id=th.id, method=th.method, checked_method=self.method, passed=self.passed, bound_holds=self.bound_holds,
            fitted_rate=self.fitted_rate, predicted_rate=self.predicted_rate, rate_kind=self.rate_kind,
            tightness=self.tightness, confirmed=th.confirmed, source=th.source, quick=self.quick,
            cases=[dict(instance=c.instance, tight_instance=c.tight_instance, passed=c.passed,
                        bound_holds=c.bound_holds, fitted_rate=c.fitted_rate, predicted_rate=c.predicted_rate,
                        rate_ok=c.rate_ok, attained=c.attained, lower_holds=c.lower_holds, exact_holds=c.exact_holds,
                        pepit_holds=c.pepit_holds, pepit_reached=c.pepit_reached, pepit_ratio=c.pepit_ratio,
                        errors=c.errors, tightness=c.tightness,
                        n_seeds=c.n_seeds,
                        user_declared=c.user_declared, notes=c.notes,
                        horizons=c.horizons.tolist(), measured=c.measured.tolist(), bound=c.bound.tolist())
                   for c in self.cases])

    def plot(self, path=None):
        """Measured quantity and bound against the horizon, log-log, one panel per instance."""
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        n = len(self.cases)
        cols = min(n, 4)
        rows = -(-n // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.6 * rows), squeeze=False)
        for ax in axes.ravel()[n:]:
            ax.set_visible(False)
        for ax, c in zip(axes.ravel(), self.cases):
            ok = c.measured > 0
            label = f"measured (fit {c.fitted_rate:.3g})" if c.fitted_rate is not None else "measured"
            ax.loglog(c.horizons[ok], c.measured[ok], "o-", ms=3, label=label)
            if np.any(c.stderr > 0):
                ax.fill_between(c.horizons[ok], (c.measured - 3 * c.stderr)[ok].clip(min=1e-300),
                                (c.measured + 3 * c.stderr)[ok], alpha=0.2)
            b = np.isfinite(c.bound) & (c.bound > 0)
            ax.loglog(c.horizons[b], c.bound[b], "k--", label=f"bound (rate {c.predicted_rate:.3g})")
            if c.pepit_values is not None and np.any(np.isfinite(c.pepit_values)):
                ax.loglog(c.horizons, c.pepit_values, "x", color="C3", ms=5, label="PEPit worst case")
            ax.set_title(f"{c.instance}: {'pass' if c.passed else 'FAIL'}", fontsize=9)
            ax.set_xlabel("horizon T")
            ax.legend(fontsize=7)
        for row in axes:
            row[0].set_ylabel(self.theorem.quantity)
        fig.suptitle(f"{self.theorem.id}: {self.theorem.statement}", fontsize=8)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120)
        return fig

    def __repr__(self):
        who = "" if self.method is None else f" for method {self.method}"
        lines = [f"Verification({self.theorem.id}{who}: {'PASSED' if self.passed else 'FAILED'})"]
        for c in self.cases:
            fr = "n/a" if c.fitted_rate is None else f"{c.fitted_rate:.4g}"
            bh = "n/a" if c.bound_holds is None else ("ok " if c.bound_holds else "NO ")
            rk = "n/a" if c.rate_ok is None else ("ok" if c.rate_ok else "NO")
            lines.append(f"  {c.instance:<26} bound {bh} rate {fr} vs "
                         f"{c.predicted_rate:.4g} ({rk}) tightness {c.tightness:.4g}"
                         + ("" if c.lower_holds is None else f" lower bound {'ok' if c.lower_holds else 'NO'}")
                         + ("" if c.attained is None else f" attained {c.attained}")
                         + ("" if c.exact_holds is None else f" exact value {'ok' if c.exact_holds else 'NO'}")
                         + ("" if c.pepit_holds is None else f" PEPit {'ok' if c.pepit_holds else 'NO'}"
                            + ("" if c.pepit_reached is None else f" reached {'ok' if c.pepit_reached else 'NO'}")
                            + f" (PEPit/bound {c.pepit_ratio:.3g})"))
            lines += [f"    error: {e}" for e in c.errors]
        return "\n".join(lines)


def _verdicts_path():
    from ..experiments.cache import default_dir

    return default_dir() / "verdicts.json"


def last_verdicts():
    """The verdict of the last recorded verification of each theorem (``pyoptheory verify`` records them)."""
    import json

    path = _verdicts_path()
    try:
        return json.loads(path.read_text()) if path.exists() else {}
    except (OSError, ValueError):
        return {}


def record_verdicts(reports):
    """Merge ``reports`` (Verifications) into the recorded verdicts, atomically."""
    import datetime
    import json
    import os
    import tempfile

    data = last_verdicts()
    when = datetime.datetime.now().isoformat(timespec="seconds")
    for rep in reports:
        data[rep.theorem.id] = dict(passed=rep.passed, quick=rep.quick, when=when, fitted_rate=rep.fitted_rate,
                                    predicted_rate=rep.predicted_rate, tightness=rep.tightness)
    path = _verdicts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-verdicts-")
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=1, default=float)
    os.replace(tmp, path)


def verify(theorem, problem=None, seeds=None, horizons=None, quick=False, backend=None, executor="serial",
           address=None, n_jobs=-1, cache=None, progress=None, method=None, mutate=None, first_failure=False):
    """Check a theorem's bound and rate.

    Parameters
    ----------
    theorem : str or Theorem
    problem : None, str or Problem
        None: every canonical instance of the theorem; a string: the instance of that
        name; a Problem: that problem (its constants as it declares them).
    seeds : int or sequence of int
        Seeds for stochastic theorems (default 32 in quick mode, 200 otherwise);
        deterministic theorems use one run.
    horizons : sequence of int
        Default: the theorem's grid (up to 1e4 in quick mode).
    quick : bool
    backend : str, optional
        Kernel used for the runs.
    executor, address, n_jobs, cache, progress
        Where the runs go and whether results are cached: see
        :func:`pyoptheory.experiments.sweep` (seeds and horizons run in parallel).  Runs of a callable
        ``method`` or ``mutate`` are never cached (a changed function must never reuse a stored verdict).
    method : None, str or callable
        None: the theorem's method.  A registered method's name: that method, run with the theorem's
        prescribed options (for instance ``"ogd"`` under an OOMD theorem).  A callable ``fn(oracle, params)``:
        your own optimizer, run on the theorem's instances through the contract of
        :mod:`pyoptheory.verify.user` (worst cases included; instances whose exact expectation is known run
        by Monte Carlo and must reproduce it).
    mutate : callable, optional
        ``mutate(p, problem, c, T) -> dict``: the parameters the built-in method runs with instead of the
        prescribed ``p`` (the bound, and the exact values the run must reproduce, keep ``p``); a key
        ``solve_options`` (a dict) overrides options the theorem fixes.  The hook of
        :mod:`pyoptheory.verify.mutants`.
    first_failure : bool
        Stop at the first instance that fails (the remaining instances are not run).

    Returns
    -------
    Verification
    """
    from ..experiments.sweep import sweep
    from .user import method_label, supports

    th = get_theorem(theorem)
    registered = all_theorems().get(th.id) is th  # registered theorems travel by ID
    user = method is not None and not isinstance(method, str)
    if user:
        if not callable(method):
            raise TypeError(f"method: expected a registered method's name or a callable fn(oracle, params), got "
                            f"{type(method).__name__}")
        reason = supports(th)
        if reason is not None:
            raise ValueError(f"method: {reason}")
    elif method is not None:
        from ..registry import get_method

        get_method(method)
    if mutate is not None and not callable(mutate):
        raise TypeError("mutate: expected a callable mutate(p, problem, c, T) -> dict")
    if user or mutate is not None:
        cache = None
    if horizons is None:
        horizons = th.horizons_quick if quick else th.horizons_full
    if isinstance(horizons, (str, bytes)) or np.ndim(horizons) != 1:
        raise TypeError(f"horizons: expected a sequence of nonnegative integers, got {type(horizons).__name__}")
    from .._validation import MAX_STEPS, as_int

    horizons = sorted(as_int(h, "horizons", minimum=0, maximum=MAX_STEPS) for h in horizons)
    if not horizons:
        raise ValueError("horizons: need a nonempty list of nonnegative integers")
    if seeds is None:
        seeds = (32 if quick else 200) if th.stochastic else 1
    from ..experiments.sweep import _seeds

    seeds = _seeds(seeds)
    if isinstance(problem, Problem):
        instances = [Instance(problem.name, lambda T, _p=problem: _p)]
    elif problem is None:
        instances = list(th.instances)
    else:
        instances = [th.instance(problem)]
    cases = []
    for inst in instances:
        user_problem = problem if isinstance(problem, Problem) else None
        exact_path = (inst.exact and th.exact is not None and not user and method is None
                      and _exact_describes(th, inst, horizons, mutate))
        one_run = inst.deterministic or exact_path or not th.stochastic
        inst_horizons = list(inst.horizons) if inst.horizons is not None and not isinstance(problem, Problem) \
            else horizons
        frame = sweep(measure, {"theorem_id": [th.id if registered else th], "instance_name": [inst.name],
                                "horizons": [inst_horizons], "backend": [backend], "problem": [user_problem],
                                "method": [method], "mutate": [mutate]},
                      seeds=seeds[:1] if one_run else seeds, executor=executor, address=address, n_jobs=n_jobs,
                      cache=cache, progress=progress)
        cases.append(_case(th, inst, frame, quick))
        if first_failure and not cases[-1].passed:
            break
    label = None if method is None else (method if isinstance(method, str) else method_label(method))
    return Verification(th, cases, quick, method=label)
