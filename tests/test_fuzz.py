"""The public API fuzzed (hypothesis): every registered method on every backend name through ``solve``, the problem
constructors, ``ot.sinkhorn``, ``verify`` and ``experiments.sweep`` (validation only), with bad and edge input.

Each case runs in a worker process (:mod:`fuzz_cases`), so a crash of a compiled kernel is seen as a crash.  The
outcome of every case must be: a ``ValueError`` or ``TypeError`` whose message names the corrupted argument, or a
sane result (finite, or ``success=False`` with a message).  The default run draws at least 3,000 cases
(``derandomize=True``: the same cases on every run); ``-m slow`` draws a larger profile.  The counts are printed
at the end of the run.
"""
import multiprocessing
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzz_cases as F
from conftest import method_kind_pairs

COUNTS = Counter()
#: PYOPTHEORY_FUZZ_SCALE=0.1 runs a tenth of the cases (for a quick look; the default run keeps 1)
SCALE = float(os.environ.get("PYOPTHEORY_FUZZ_SCALE", "1"))
_POOL = {}
FAST = settings(derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _init():
    import sys
    import warnings

    sys.path.insert(0, os.path.dirname(__file__))
    warnings.simplefilter("ignore")
    import pyoptheory  # noqa: F401


def _pool():
    if "pool" not in _POOL:
        ctx = multiprocessing.get_context("spawn")
        _POOL["pool"] = ProcessPoolExecutor(2, mp_context=ctx, initializer=_init)
    return _POOL["pool"]


def run(case):
    """The outcome of a case in a worker; a crash (the worker died) is reported as such and the pool replaced."""
    try:
        out = _pool().submit(F.run_case, case).result(timeout=300)
    except BrokenProcessPool:
        _POOL.clear()
        out = ("crash", repr(case))
    COUNTS[out[0]] += 1
    COUNTS["cases"] += 1
    return out


def names(argument):
    """The words an error about ``argument`` may use (the argument, or the option it maps to)."""
    return {"unknown_option": ("frobnicate",), "f": ("f", "objective", "value")}.get(argument, (argument,))


def check(case, argument, out):
    kind = out[0]
    assert kind != "crash", f"the interpreter crashed on {case}"
    assert kind != "bad", f"{case}: {out[1]}"
    if kind == "rejected":
        etype, msg = out[1], out[2]
        assert etype in ("ValueError", "TypeError"), f"{case}: {etype}: {msg}"
        low = msg.lower()
        assert any(n.lower() in low for n in names(argument)), f"{case}: the message does not name {argument!r}: {msg}"


PAIRS = method_kind_pairs()
BACKENDS = (None, "numpy", "numba", "cpp", "bogus")


@st.composite
def solve_cases(draw):
    method, kind = draw(st.sampled_from(PAIRS))
    backend = draw(st.sampled_from(BACKENDS))
    argument = draw(st.sampled_from(sorted(F.SOLVE_ARGUMENTS)))
    variant = draw(st.sampled_from(F.SOLVE_ARGUMENTS[argument]))
    return ("solve", method, kind, backend, argument, variant), argument


@st.composite
def constructor_cases(draw):
    target = draw(st.sampled_from(sorted(F.TARGETS)))
    argument = draw(st.sampled_from(sorted(F.TARGETS[target])))
    variant = draw(st.sampled_from(F.TARGETS[target][argument]))
    return (target, argument, variant), argument


def _solve_backend_refused(case, out):
    """A backend the method does not declare is refused by name, whatever else the case corrupts (when the method
    and problem arguments are valid: a bad method or problem may be refused first)."""
    import pyoptheory as po

    _, method, kind, backend, argument, variant = case
    if backend is None or argument in ("method", "problem"):
        return False
    if out[0] == "rejected" and out[2].startswith("backend:"):  # refused for a reason it names (a Python problem
        return True  # runs on 'numpy' only): a backend error may come before the corrupted argument's
    declared = po.methods()[method].backends
    assert backend in declared, (case, out)
    return False


@settings(FAST, max_examples=max(1, int(2800 * SCALE)))
@given(solve_cases())
def test_solve_fuzzed(case_arg):
    case, argument = case_arg
    out = run(case)
    if _solve_backend_refused(case, out):
        return
    check(case, argument, out)


@settings(FAST, max_examples=max(1, int(1100 * SCALE)))
@given(constructor_cases())
def test_constructors_sinkhorn_verify_sweep_fuzzed(case_arg):
    case, argument = case_arg
    check(case, argument, run(case))


@pytest.mark.slow
@settings(FAST, max_examples=12000)
@given(st.one_of(solve_cases(), constructor_cases()))
def test_fuzz_large_profile(case_arg):
    case, argument = case_arg
    out = run(case)
    if case[0] == "solve" and _solve_backend_refused(case, out):
        return
    check(case, argument, out)


def test_fuzz_counts():
    """Runs after the fuzz tests (file order): at least 3,000 cases, none crashed."""
    if COUNTS["cases"] == 0:
        pytest.skip("the fuzz tests did not run in this session")
    assert COUNTS["crash"] == 0
    assert COUNTS["cases"] >= 3000 * SCALE, COUNTS
    pool = _POOL.pop("pool", None)
    if pool is not None:
        pool.shutdown()
