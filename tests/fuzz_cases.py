"""The fuzz suite's cases, run one by one in worker processes (so that a crash of a compiled kernel is seen as a
crash, not as the end of the test run).

A case is ``(target, argument, variant)``: call ``target`` with its argument ``argument`` replaced by the bad or edge
value ``variant`` (everything else valid).  :func:`run_case` returns ``("ok", detail)`` when the call returned a
sane result (a finite answer, or ``success=False`` with a message), ``("rejected", type name, message)`` when it
raised, and ``("bad", detail)`` when it returned something insane (a non-finite answer reported as a success).
"""
from __future__ import annotations

import os
import sys

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(__file__))

# ---------------------------------------------------------------------------------------------------- values
#: Variants of an array argument (``base``: the valid value).
ARRAY_VARIANTS = ("empty", "scalar", "wrong_length", "extra_dim", "nan", "inf", "int", "bool", "float32", "complex",
                  "object", "strings", "non_contiguous", "fortran", "read_only", "memmap", "list", "none", "csr",
                  "csc", "coo")
#: Variants of a scalar argument.
SCALAR_VARIANTS = ("zero", "negative", "nan", "inf", "huge", "tiny", "non_integer", "bool", "string", "none",
                   "complex", "array", "int64_max")
#: Variants of a seed.
SEED_VARIANTS = ("negative", "2**64", "2**70", "generator", "float", "string", "numpy_int", "bool")


def array_variant(base, variant, tmpdir=None):
    base = np.asarray(base)
    if variant == "empty":
        return np.zeros((0,) + base.shape[1:])
    if variant == "scalar":
        return np.float64(1.0)
    if variant == "wrong_length":
        return np.concatenate([base, base[:1]]) if base.size else np.ones(1)
    if variant == "extra_dim":
        return base[None, ...]
    if variant == "nan":
        out = base.astype(float).copy()
        out.flat[0] = np.nan
        return out
    if variant == "inf":
        out = base.astype(float).copy()
        out.flat[-1] = np.inf
        return out
    if variant == "int":
        return np.round(base).astype(np.int64)
    if variant == "bool":
        return base != 0
    if variant == "float32":
        return base.astype(np.float32)
    if variant == "complex":
        return base.astype(complex) + 1j
    if variant == "object":
        return base.astype(object)
    if variant == "strings":
        return base.astype(str)
    if variant == "non_contiguous":
        big = np.repeat(base.astype(float), 2, axis=0)
        return big[::2]
    if variant == "fortran":
        return np.asfortranarray(base.astype(float))
    if variant == "read_only":
        out = base.astype(float).copy()
        out.setflags(write=False)
        return out
    if variant == "memmap":
        import tempfile

        path = os.path.join(tmpdir or tempfile.mkdtemp(), "fuzz.dat")
        mm = np.memmap(path, dtype=float, mode="w+", shape=base.shape)
        mm[...] = base
        return mm
    if variant == "list":
        return base.tolist()
    if variant == "none":
        return None
    if variant in ("csr", "csc", "coo"):
        mat = np.atleast_2d(base.astype(float))
        return {"csr": sp.csr_matrix, "csc": sp.csc_matrix, "coo": sp.coo_matrix}[variant](mat)
    raise ValueError(variant)


def scalar_variant(base, variant):
    return {"zero": 0, "negative": -abs(base) - 1, "nan": float("nan"), "inf": float("inf"), "huge": 1e300,
            "tiny": 1e-300, "non_integer": base + 0.5, "bool": True, "string": "1", "none": None,
            "complex": 1 + 1j, "array": np.array([base, base]), "int64_max": 2**63 - 1}[variant]


def seed_variant(variant):
    return {"negative": -1, "2**64": 2**64, "2**70": 2**70, "generator": np.random.default_rng(0), "float": 1.5,
            "string": "0", "numpy_int": np.int64(3), "bool": True}[variant]


# ---------------------------------------------------------------------------------------------------- targets
def _problem(kind):
    from conftest import KIND_FACTORIES

    return KIND_FACTORIES[kind]()


def _solve_case(method, kind, backend, argument, variant):
    import pyoptheory as po

    p = _problem(kind)
    options = dict(steps=5, seed=0, max_time=2.0)  # a huge step budget ends by time, with success=False
    if backend is not None:
        options["backend"] = backend
    x0 = p.x0
    if argument == "x0":
        options["x0"] = array_variant(x0, variant)
    elif argument == "steps":
        options["steps"] = scalar_variant(5, variant)
    elif argument == "seed":
        options["seed"] = seed_variant(variant)
    elif argument in ("step", "max_time", "grad_tol", "gap_tol", "n_threads"):  # (max_time: replaces the 2 s above)
        options[argument] = scalar_variant(0.01 if argument == "step" else 1, variant)
    elif argument == "record":
        options["record"] = {"zero": 0, "negative": -3, "nan": float("nan"), "string": "some", "array":
                             np.array([1, 9]), "bool": True}.get(variant, np.array([0.5]))
    elif argument == "callback":
        options["callback"] = {"string": "cb", "none": None}.get(variant, 3)
    elif argument == "output":
        options["output"] = {"string": "middle", "none": None}.get(variant, 7)
    elif argument == "unknown_option":
        options["frobnicate"] = 1
    elif argument == "problem":
        p = {"none": None, "string": "least_squares", "array": np.ones(3)}.get(variant, 3)
    elif argument == "method":
        method = {"string": "no_such_method", "none": None}.get(variant, 3)
    return po.solve(p, method, **options)


def _least_squares_case(argument, variant, tmpdir):
    import pyoptheory as po

    rng = np.random.default_rng(0)
    A, b = rng.standard_normal((12, 4)), rng.standard_normal(12)
    if argument == "A":
        A = array_variant(A, variant, tmpdir)
    else:
        b = array_variant(b, variant, tmpdir)
    p = po.problems.least_squares(A, b)
    return po.solve(p, "gd", steps=5, seed=0)


def _lasso_case(argument, variant):
    import pyoptheory as po

    rng = np.random.default_rng(1)
    A, b = rng.standard_normal((15, 6)), rng.standard_normal(15)
    lam = scalar_variant(0.1, variant)
    p = po.problems.lasso(A, b, lam)
    return po.solve(p, "proximal_gd", steps=5, seed=0)


def _quadratic_case(argument, variant):
    import pyoptheory as po

    args = dict(dim=4, L=1.0, mu=0.1)
    args[argument] = scalar_variant(args[argument], variant)
    p = po.problems.quadratic(args.pop("dim"), **args)
    return po.solve(p, "gd", steps=5, seed=0)


def _finite_sum_case(argument, variant):
    import pyoptheory as po

    rng = np.random.default_rng(2)
    A = rng.standard_normal((10, 3))
    base = po.problems.least_squares(A, A @ np.ones(3))
    if argument == "batch_size":
        p = po.problems.finite_sum(base, scalar_variant(2, variant))
    else:
        p = po.problems.additive_noise(base, noise_std=scalar_variant(0.1, variant))
    return po.solve(p, "sgd", steps=5, step=0.01, seed=0)


def _sinkhorn_case(argument, variant, tmpdir):
    import pyoptheory as po

    rng = np.random.default_rng(3)
    a, b = np.full(5, 0.2), np.full(4, 0.25)
    C = rng.random((5, 4))
    reg = 0.5
    if argument == "a":
        a = array_variant(a, variant, tmpdir)
    elif argument == "b":
        b = array_variant(b, variant, tmpdir)
    elif argument == "C":
        C = array_variant(C, variant, tmpdir)
    else:
        reg = scalar_variant(reg, variant)
    return po.ot.sinkhorn(a, b, C, reg, steps=20)


def _black_box_case(argument, variant):
    import pyoptheory as po

    fun = {"nan": lambda x: float("nan"), "inf": lambda x: float("inf"), "string": lambda x: "f",
           "array": lambda x: np.ones(3), "raise": lambda x: 1 / 0, "complex": lambda x: 1j}.get(
        variant, lambda x: float(np.sum(x**2)))
    dim = scalar_variant(3, variant) if argument == "dim" else 3
    p = po.problems.black_box(fun, dim, x0=np.ones(3) if argument != "dim" else None)
    return po.solve(p, "zo_rgf", steps=5, step=0.01, seed=0)


def _verify_case(argument, variant):
    import pyoptheory as po

    kw = dict(horizons=[1], seeds=1)
    theorem = "gd.convex.smooth"
    if argument == "theorem":
        theorem = {"string": "no.such.theorem", "none": None}.get(variant, 3)
    elif argument == "horizons":
        kw["horizons"] = {"empty": [], "negative": [-1], "non_integer": [1.5], "string": "10", "nan": [np.nan],
                          "none": None}.get(variant, [1])
        if kw["horizons"] is None:
            kw["horizons"] = "x"
    elif argument == "seeds":
        kw["seeds"] = {"negative": -1, "zero": 0, "string": "3", "non_integer": 1.5, "nan": np.nan}.get(variant, -1)
    elif argument == "problem":
        kw["problem"] = {"string": "no_such_instance"}.get(variant, 3)
    elif argument == "executor":
        kw["executor"] = {"string": "cloud"}.get(variant, 3)
    return po.verify(theorem, **kw)


def _sweep_case(argument, variant):
    from pyoptheory.experiments import sweep

    def f(a, seed):
        return {"y": float(a)}

    grid = {"a": [1, 2]}
    kw = {}
    if argument == "grid":
        grid = {"string": "a", "none": None, "empty": {"a": []}, "unknown": {"b": [1]}}.get(variant, 3)
    elif argument == "seeds":
        kw["seeds"] = {"negative": [-1], "string": "0", "non_integer": [1.5], "nan": [np.nan]}.get(variant, [-1])
    elif argument == "executor":
        kw["executor"] = {"string": "cloud"}.get(variant, 3)
    elif argument == "n_jobs":
        kw["n_jobs"] = {"zero": 0, "non_integer": 1.5, "string": "2"}.get(variant, 0)
    return sweep(f, grid, **kw)


#: target -> {argument: its variants}
_V = ("string", "none", "empty", "negative", "non_integer", "nan", "zero", "other")
TARGETS = {
    "least_squares": {"A": ARRAY_VARIANTS, "b": ARRAY_VARIANTS},
    "lasso": {"lam": SCALAR_VARIANTS},
    "quadratic": {"dim": SCALAR_VARIANTS, "L": SCALAR_VARIANTS, "mu": SCALAR_VARIANTS},
    "finite_sum": {"batch_size": SCALAR_VARIANTS, "noise_std": SCALAR_VARIANTS},
    "sinkhorn": {"a": ARRAY_VARIANTS, "b": ARRAY_VARIANTS, "C": ARRAY_VARIANTS, "reg": SCALAR_VARIANTS},
    # a user's objective that raises has its own exception propagated, as scipy.optimize does: not fuzzed here
    "black_box": {"f": ("nan", "inf", "string", "array", "complex"), "dim": SCALAR_VARIANTS},
    "verify": {"theorem": _V, "horizons": _V, "seeds": _V, "problem": _V, "executor": _V},
    "sweep": {"grid": _V + ("unknown",), "seeds": _V, "executor": _V, "n_jobs": _V},
}
#: Arguments of solve and their variants.
SOLVE_ARGUMENTS = {"x0": ARRAY_VARIANTS, "steps": SCALAR_VARIANTS, "seed": SEED_VARIANTS,
                   "step": SCALAR_VARIANTS, "max_time": SCALAR_VARIANTS, "grad_tol": SCALAR_VARIANTS,
                   "n_threads": SCALAR_VARIANTS, "record": ("zero", "negative", "nan", "string", "array", "bool"),
                   "callback": ("string", "none", "other"), "output": ("string", "none", "other"),
                   "unknown_option": ("other",), "problem": ("none", "string", "array", "other"),
                   "method": ("string", "none", "other")}


def run_case(case):
    """Run one case in this (worker) process; see the module docstring for the outcomes."""
    import tempfile
    import warnings

    warnings.simplefilter("ignore")
    target, args = case[0], case[1:]
    tmpdir = tempfile.mkdtemp()
    try:
        if target == "solve":
            out = _solve_case(*args)
        elif target == "least_squares":
            out = _least_squares_case(*args, tmpdir)
        elif target == "sinkhorn":
            out = _sinkhorn_case(*args, tmpdir)
        else:
            out = {"lasso": _lasso_case, "quadratic": _quadratic_case, "finite_sum": _finite_sum_case,
                   "black_box": _black_box_case, "verify": _verify_case, "sweep": _sweep_case}[target](*args)
    except (ValueError, TypeError) as exc:
        return ("rejected", type(exc).__name__, str(exc))
    except Exception as exc:  # anything else is a defect: reported with its type
        return ("rejected", type(exc).__name__, str(exc))
    return _judge(out)


def _judge(out):
    """A returned value is sane when it is finite or says it failed."""
    success = getattr(out, "success", None)
    if success is None and isinstance(out, dict):
        success = out.get("success")
    if hasattr(out, "x") and getattr(out, "x", None) is not None:
        x = np.asarray(out.x, dtype=float)
        finite = np.all(np.isfinite(x)) and np.all(np.isfinite(np.asarray(getattr(out, "fun", 0.0), dtype=float)))
        if np.all(success) and not finite:
            return ("bad", "success=True with a non-finite answer")
        if not np.all(success) and not getattr(out, "message", ""):
            return ("bad", "success=False without a message")
        return ("ok", "finite" if finite else "failed with a message")
    return ("ok", type(out).__name__)
