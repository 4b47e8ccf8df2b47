"""Every registered method, on every problem kind it accepts, through the same checks.

Adding a method to the registry puts it under these tests without writing new ones.
"""
import inspect

import numpy as np
import pytest

import pyoptheory as po
from pyoptheory.result import TRACE_COLUMNS

from conftest import KIND_FACTORIES, method_kind_pairs

PAIRS = method_kind_pairs()
FIELDS = ("x", "fun", "nit", "success", "status", "message", "trace", "backend", "seed", "grad_evals", "fevals")


def test_every_accepted_kind_has_a_sample_problem():
    assert PAIRS, "no methods registered"
    for _, kind in PAIRS:
        assert kind in KIND_FACTORIES, f"conformance suite has no sample problem of kind {kind!r}"


@pytest.mark.parametrize("method,kind", PAIRS)
def test_result_fields_and_trace(method, kind, problem_of_kind):
    p = problem_of_kind(kind)
    res = po.solve(p, method, steps=50, seed=0)
    for f in FIELDS:
        assert f in res, f"{method}: Result lacks {f}"
    assert res.success and res.status == 0 and res.nit == 50
    assert res.x.shape == (p.dim,) and np.all(np.isfinite(res.x))
    assert np.isclose(res.fun, p.objective(res.x), rtol=1e-12, atol=1e-14)
    tr = res.trace
    assert set(tr.keys()) <= set(TRACE_COLUMNS)
    # the oracle the method calls: function values for black-box problems and zeroth-order methods
    counter = "fevals" if kind == "black_box" or res.grad_evals == 0 else "grad_evals"
    assert {"iter", "time", "gap", counter} <= set(tr.keys())
    assert tr["iter"][0] == 0 and tr["iter"][-1] == 50 and np.all(np.diff(tr["iter"]) > 0)
    assert np.all(np.diff(tr["time"]) >= 0)
    assert np.all(np.isfinite(tr["gap"])) and tr["gap"].min() >= -1e-9 * max(1.0, abs(p.f_star))
    assert tr.to_frame().shape[0] == len(tr)
    assert res.grad_evals >= 50 or ((kind == "black_box" or res.grad_evals == 0) and res.fevals >= 50)


@pytest.mark.parametrize("method,kind", PAIRS)
def test_same_seed_same_result(method, kind, problem_of_kind):
    p = problem_of_kind(kind)
    a = po.solve(p, method, steps=30, seed=3)
    b = po.solve(p, method, steps=30, seed=3)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.trace["gap"], b.trace["gap"])


@pytest.mark.parametrize("method,kind", PAIRS)
@pytest.mark.parametrize("backend", ["numba", "cpp"])
def test_compiled_backends_match_numpy_reference(method, kind, backend, problem_of_kind):
    if backend not in po.methods()[method].backends:
        pytest.skip(f"{method} has no {backend} backend")
    p = problem_of_kind(kind)
    ref = po.solve(p, method, steps=40, backend="numpy", record="all", seed=7)
    try:
        got = po.solve(p, method, steps=40, backend=backend, record="all", seed=7)
    except ValueError as exc:  # a Python problem (a user's black box) runs on the NumPy path only, and says so
        assert "built-in problems only" in str(exc) and p.spec is None
        pytest.skip(f"{method} on {kind}: {exc}")
    assert got.backend == backend and ref.backend == "numpy"
    scale = max(1.0, np.max(np.abs(ref.x)))
    np.testing.assert_allclose(got.x, ref.x, rtol=1e-10, atol=1e-10 * scale)
    np.testing.assert_allclose(got.trace["fun"], ref.trace["fun"], rtol=1e-10, atol=1e-12)
    assert got.grad_evals == ref.grad_evals and got.fevals == ref.fevals


@pytest.mark.parametrize("method,kind", PAIRS)
@pytest.mark.parametrize("output", ["last", "t_weighted"])
def test_chunking_changes_nothing(method, kind, output, problem_of_kind):
    """A run cut into one chunk, log-spaced chunks or one-step chunks gives the reference's answer on every
    backend: state carried from one step to the next inside a compiled chunk (a variable reused, a window
    offset) cannot hide behind ``record='all'``, where every chunk is a single step."""
    p = problem_of_kind(kind)
    opts = dict(steps=40, seed=7) if output == "last" else dict(steps=40, seed=7, output=output)
    try:
        ref = po.solve(p, method, backend="numpy", record="all", **opts)
    except (TypeError, ValueError) as exc:
        if "output" not in str(exc):
            raise
        pytest.skip(f"{method} has no {output} output")
    ran = 0
    for backend in po.methods()[method].backends:
        for record in ("all", np.array([40]), None):
            try:
                got = po.solve(p, method, backend=backend, record=record, **opts)
            except ValueError as exc:  # a Python problem runs on the NumPy path only
                assert "built-in problems only" in str(exc) and p.spec is None
                continue
            scale = max(1.0, np.max(np.abs(ref.x)))
            np.testing.assert_allclose(got.x, ref.x, rtol=1e-10, atol=1e-10 * scale,
                                       err_msg=f"{method} on {backend}, record={record!r}")
            assert got.nit == ref.nit and got.success == ref.success
            ran += 1
    assert ran >= 3


@pytest.mark.parametrize("method,kind", PAIRS)
@pytest.mark.parametrize("output", ["uniform", "t_weighted"])
def test_an_averaged_output_is_computed_or_refused(method, kind, output, problem_of_kind):
    """Asking for an average either gives one (a point other than the last iterate) or an error naming
    ``output``: never the last iterate under another name."""
    p = problem_of_kind(kind)
    try:
        avg = po.solve(p, method, steps=20, seed=1, output=output)
    except (TypeError, ValueError) as exc:
        assert str(exc).startswith("output"), exc
        return
    last = po.solve(p, method, steps=20, seed=1, output="last")
    assert not np.array_equal(avg.x, last.x), f"{method} returned its last iterate for output={output!r}"


@pytest.mark.parametrize("method,kind", PAIRS)
def test_callback_receives_results_and_stop_iteration_stops(method, kind, problem_of_kind):
    p = problem_of_kind(kind)
    seen = []

    def cb(r):
        seen.append(r.nit)
        assert isinstance(r, po.Result) and r.x.shape == (p.dim,)
        if r.nit >= 8:
            raise StopIteration

    res = po.solve(p, method, steps=100, record="all", callback=cb)
    assert res.status == 4 and not res.success and res.nit == 8
    assert seen == list(range(1, 9))
    assert "callback" in res.message


@pytest.mark.parametrize("method,kind", PAIRS)
def test_max_time_stops_cleanly(method, kind, problem_of_kind):
    p = problem_of_kind(kind)
    res = po.solve(p, method, steps=10**7, max_time=0.05)
    assert res.status == 3 and not res.success and 0 < res.nit < 10**7
    assert "max_time" in res.message
    assert np.all(np.isfinite(res.x))


@pytest.mark.parametrize("method,kind", PAIRS)
def test_bad_input_names_the_argument(method, kind, problem_of_kind):
    p = problem_of_kind(kind)
    d = p.dim
    cases = [
        (dict(x0=np.zeros(d + 1)), ValueError, "x0"),
        (dict(x0=np.full(d, np.nan)), ValueError, "x0"),
        (dict(x0=np.array(["a"] * d)), TypeError, "x0"),
        (dict(steps=-1), ValueError, "steps"),
        (dict(steps=2.5), TypeError, "steps"),
        (dict(backend="fortran"), ValueError, "backend"),
        (dict(callback=3), TypeError, "callback"),
        (dict(max_time=-1.0), ValueError, "max_time"),
        (dict(record="sometimes"), ValueError, "record"),
        (dict(output="median"), ValueError, "output"),
        (dict(n_threads=0), ValueError, "n_threads"),
    ]
    if "step" in inspect.signature(po.methods()[method].func).parameters:
        cases += [(dict(step=-1.0), ValueError, "step"), (dict(step=0.0), ValueError, "step")]
    for opts, exc, name in cases:
        with pytest.raises(exc, match=name):
            po.solve(p, method, steps=opts.pop("steps", 5), **opts)


@pytest.mark.parametrize("method,kind", PAIRS)
def test_non_contiguous_and_read_only_x0_are_copied(method, kind, problem_of_kind):
    p = problem_of_kind(kind)
    base = np.repeat(p.x0, 2)
    x0 = base[::2]
    assert not x0.flags.c_contiguous
    ro = p.x0.copy()
    ro.setflags(write=False)
    a = po.solve(p, method, steps=10, x0=x0, seed=1)
    b = po.solve(p, method, steps=10, x0=ro, seed=1)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(x0, p.x0)


def test_unknown_method_lists_the_valid_ones(problem_of_kind):
    with pytest.raises(ValueError, match="valid: .*gd"):
        po.solve(problem_of_kind("smooth"), "newton_raphson_magic")


def test_method_refuses_a_kind_it_does_not_accept(problem_of_kind):
    with pytest.raises(ValueError, match="accepts problems of kind"):
        po.solve(problem_of_kind("composite"), "gd")


def test_methods_lists_kinds_and_backends():
    ms = po.methods()
    assert {"gd", "gd_armijo", "projected_gd", "proximal_gd", "subgradient", "sgd", "projected_sgd",
            "proximal_sgd"} <= set(ms)
    for spec in ms.values():  # every method has its NumPy reference and a compiled backend
        assert spec.accepts and "numpy" in spec.backends and set(spec.backends) & {"numba", "cpp"}
        assert set(spec.backends) <= {"numpy", "numba", "cpp"}


@pytest.mark.parametrize("method,kind", PAIRS)
@pytest.mark.parametrize("backend", ["numpy", "numba", "cpp", "gpu", 3])
def test_every_backend_name_is_run_or_refused_by_name(method, kind, backend, problem_of_kind):
    """A backend the method does not declare is refused with the method, the backend and the ones available:
    never silently another method (the Numba kernel once ran gradient steps for the gradient-free methods)."""
    spec = po.methods()[method]
    p = problem_of_kind(kind)
    if backend not in spec.backends:
        err = TypeError if not isinstance(backend, str) else ValueError
        with pytest.raises(err, match="backend") as info:
            po.solve(p, method, steps=3, seed=0, backend=backend)
        if isinstance(backend, str):
            assert method in str(info.value) and all(b in str(info.value) for b in spec.backends)
        return
    try:
        res = po.solve(p, method, steps=3, seed=0, backend=backend)
    except ValueError as exc:  # a Python problem runs on the NumPy path only, and says so
        assert "backend" in str(exc) and p.spec is None
        return
    assert res.backend == backend


def test_kernels_refuse_an_unknown_method_code():
    from pyoptheory.kernels import layout as K
    from pyoptheory.methods._reference import Reference

    p = po.problems.quadratic(3, seed=0)
    x = np.ones(3)
    args = (x, x.copy(), None, np.zeros(3), np.zeros(K.S_SIZE), np.array([0.1]), None, 2.0, 0, 1, 1,
            np.zeros((0, 1), dtype=np.int64), np.zeros((0, 3)))
    with pytest.raises(ValueError, match="method"):
        Reference.advance(p, 99, *args)
    from pyoptheory.kernels import get as get_kernel

    for name, code in (("cpp", 99), ("numba", K.ZO_GAUSS), ("numba", 99)):
        kern = get_kernel(name)
        with pytest.raises(ValueError, match="method"):
            kern.advance(kern.prepare(p.spec), code, *args)
