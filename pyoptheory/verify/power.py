r"""How strong the theorem checks are: attainment of the bounds and the mutation suite's kills.

For every theorem whose bound is asserted, the quick verification's measured values give:

* ``attainment``: the largest ``measured / min(bound, PEPit value)`` over its instances and horizons (for bounds
  in expectation, ``measured`` is the lower end of the one-sided interval) -- how close some instance comes;
  the standard of the suite is an instance at half of it or more (``ATTAIN_TARGET``);
* ``refutes(s)``: whether the bound multiplied by ``s`` would fail -- the share of theorems whose halved bound
  fails, and whose bound cut by 10% fails, are the suite's power against a constant that is too large.

:func:`power` adds the mutation suite's counts (:mod:`pyoptheory.verify.mutants`).  ``pyoptheory power``
prints them; the tests assert them.
"""
from __future__ import annotations

import numpy as np

from . import stats

#: Some instance should reach this share of min(bound, PEPit value).
ATTAIN_TARGET = 0.5


def attainment(report):
    """``(ratio, instance)``: the largest lower-confidence ``measured / min(bound, PEPit)`` of a verification."""
    best, where = 0.0, None
    z = stats.Z_ONE_SIDED if report.theorem.stochastic else 0.0
    for case in report.cases:
        ref = case.bound.copy()
        pv = getattr(case, "pepit_values", None)
        if pv is not None:
            ref = np.where(np.isfinite(pv), np.minimum(ref, pv), ref)
        ok = np.isfinite(ref) & (ref > max(case.floor, 0.0)) & np.isfinite(case.measured)
        if not ok.any():
            continue
        r = float(np.max((case.measured[ok] - z * case.stderr[ok]) / ref[ok]))
        if r > best:
            best, where = r, case.instance
    return best, where


def bound_power(report):
    """The largest lower-confidence ``measured / bound`` (a bound scaled by ``s`` fails iff this exceeds ``s``)."""
    z = stats.Z_ONE_SIDED if report.theorem.stochastic else 0.0
    best = 0.0
    for case in report.cases:
        ok = np.isfinite(case.bound) & (case.bound > max(case.floor, 0.0)) & np.isfinite(case.measured)
        if ok.any():
            best = max(best, float(np.max((case.measured[ok] - z * case.stderr[ok]) / case.bound[ok])))
    return best


def theorem_power(reports):
    """Rows ``{id, attainment, instance, power, fails_at_0.5, fails_at_0.9, exception}`` for the theorems whose bound
    is asserted (``exception``: the documented reason no instance reaches ``ATTAIN_TARGET``, when one is given)."""
    from ..theory.attainment import EXCEPTIONS

    rows = []
    for rep in reports:
        th = rep.theorem
        if not th.assert_bound:
            continue
        att, where = attainment(rep)
        pw = bound_power(rep)
        rows.append(dict(id=th.id, attainment=att, instance=where, power=pw,
                         fails_at_half=bool(pw > 0.5 * (1 + 1e-9)), fails_at_0_9=bool(pw > 0.9 * (1 + 1e-9)),
                         exception=EXCEPTIONS.get(th.id, "")))
    return rows


def summarize_theorems(rows):
    n = len(rows)
    reached = sum(r["attainment"] >= ATTAIN_TARGET for r in rows)
    return dict(asserted=n, reached_half=reached, exceptions=n - reached,
                share_halved_bound_fails=sum(r["fails_at_half"] for r in rows) / n if n else float("nan"),
                share_0_9_bound_fails=sum(r["fails_at_0_9"] for r in rows) / n if n else float("nan"))


def power(quick=True, mutations="core", progress=None, **verify_options):
    """The power figures: per-theorem attainment and bound power, and the mutation suite's counts.

    ``mutations``: ``"core"`` (the required core and the catalogue's pitfalls), ``"all"`` or ``"none"``.
    """
    from ..theory import all_theorems
    from . import mutants as M
    from .core import verify

    reports = [verify(th, quick=quick, progress=progress, **verify_options) for th in all_theorems().values()]
    rows = theorem_power(reports)
    out = dict(theorems=rows, theorem_summary=summarize_theorems(rows),
               failed=[r.theorem.id for r in reports if not r.passed])
    if mutations != "none":
        chosen = M.mutations() if mutations == "all" else M.mutations(core=True, pitfalls=True)
        results = [M.run_mutation(m, quick=quick) for m in chosen]
        out["mutations"] = [r.to_dict() for r in results]
        out["mutation_summary"] = M.summary(results)
    return out
