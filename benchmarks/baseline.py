"""Record what the library computes, and compare two records: the guardrail of a refactoring that must change no result.

``record DIR`` writes, for the code as it is now:

- ``verify.json``: the quick verification of every theorem, per instance the measured values and bounds at every
  horizon (``Verification.to_dict``);
- ``conformance.json``: every registered method on the conformance suite's sample problem of every kind it
  accepts (tests/conftest.py), on every backend it declares, 40 steps, seed 7, ``record="all"``: ``x``, ``fun``,
  ``nit``, ``status``, the trace's ``fun`` column and the oracle counts;
- ``figures/<id>.csv``: every figure's data (``reproduce --quick``).

``compare OLD NEW`` prints, case by case, whether the two records are bit-identical, equal to a relative 1e-12, or
different (with the largest relative difference), and whether every verification verdict is unchanged; it exits 1
when a verdict or a conformance status changed.

    python benchmarks/baseline.py record /tmp/before
    python benchmarks/baseline.py compare /tmp/before /tmp/after

Runs are single-threaded (kernels and BLAS), so that the order of reductions does not depend on threads.  Even so,
two processes running the same code can differ in the last bit of a few values, because memory alignment changes
the order of NumPy's vectorized sums, and nonsmooth steps amplify that.  For example, the measured gap of
``subgradient.average.sqrt`` on ``l1_distance_ball`` at its first horizon is 3.9149458763755502 in one process and
...494 in another, and some stochastic last-iterate instances differ by up to 1e-4 relative after thousands of steps.
So record twice before the change: what those two records disagree on is the noise floor.  Columns of a figure that
are timings (``time``, ``wall``) are left out of the comparison.
"""
import os

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")  # before numpy loads BLAS

import json  # noqa: E402
import pathlib  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

TIMING_COLUMNS = ("time", "wall", "seconds", "elapsed")


def _floats(values):
    """Floats as exact hexadecimal strings (so that a bit-identical comparison is possible after JSON)."""
    return [float(v).hex() for v in np.ravel(values)]


def record_verify(out):
    import pyoptheory as po
    from pyoptheory.theory import all_theorems

    rows = {}
    for tid in all_theorems():  # (no cache: every verdict is computed by the code being recorded)
        v = po.verify(tid, quick=True, progress=False)
        d = v.to_dict()
        for case in d["cases"]:
            case["measured"], case["bound"] = _floats(case["measured"]), _floats(case["bound"])
        rows[tid] = d
        print(f"verify {tid}: {'passed' if v.passed else 'FAILED'}", flush=True)
    (out / "verify.json").write_text(json.dumps(rows, indent=1, default=str))


def record_conformance(out):
    import pyoptheory as po

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
    from conftest import KIND_FACTORIES, method_kind_pairs

    problems, rows = {}, {}
    for method, kind in method_kind_pairs():
        if kind not in problems:
            problems[kind] = KIND_FACTORIES[kind]()
            getattr(problems[kind], "f_star", None)
        for backend in po.methods()[method].backends:
            key = f"{method}|{kind}|{backend}"
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res = po.solve(problems[kind], method, steps=40, seed=7, backend=backend, record="all")
            except ValueError as exc:  # a Python problem runs on the NumPy path only
                rows[key] = {"refused": str(exc)}
                continue
            rows[key] = dict(x=_floats(res.x), fun=_floats([res.fun]), nit=int(res.nit), status=int(res.status),
                             trace_fun=_floats(res.trace["fun"]), grad_evals=int(res.grad_evals),
                             fevals=int(res.fevals))
    (out / "conformance.json").write_text(json.dumps(rows, indent=1))
    print(f"conformance: {len(rows)} runs", flush=True)


def record_figures(out):
    from pyoptheory.experiments.figures import FIGURES, get_figure

    folder = out / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    for fid in FIGURES:
        frame = get_figure(fid).compute(quick=True)
        frame.to_csv(folder / f"{fid}.csv", index=False, float_format="%.17g")
        print(f"figure {fid}: {len(frame)} rows", flush=True)


def record(out):
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    record_conformance(out)
    record_verify(out)
    record_figures(out)


def _unhex(values):
    return np.array([float.fromhex(v) for v in values])


def _difference(a, b):
    """'identical', 'equal to 1e-12' or the largest relative difference of two float arrays."""
    if a.shape != b.shape:
        return f"shapes {a.shape} and {b.shape}"
    if np.array_equal(a, b, equal_nan=True):
        return "identical"
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-300)
    both = np.isfinite(a) & np.isfinite(b)
    rel = float(np.max(np.abs(a[both] - b[both]) / scale[both])) if both.any() else np.inf
    if not np.array_equal(np.isfinite(a), np.isfinite(b)):
        return f"finite in one only (max rel. diff {rel:.2e})"
    return "equal to 1e-12" if rel <= 1e-12 else f"max rel. diff {rel:.2e}"


def compare(old, new):
    old, new = pathlib.Path(old), pathlib.Path(new)
    bad = 0
    co, cn = (json.loads((d / "conformance.json").read_text()) for d in (old, new))
    for key in sorted(set(co) | set(cn)):
        a, b = co.get(key), cn.get(key)
        if a is None or b is None or ("refused" in a) != ("refused" in b):
            print(f"conformance {key}: only in {'new' if a is None else 'old'} or refused in one")
            bad += 1
            continue
        if "refused" in a:
            continue
        verdicts = [_difference(_unhex(a[f]), _unhex(b[f])) for f in ("x", "fun", "trace_fun")]
        same_counts = (a["nit"], a["status"], a["grad_evals"], a["fevals"]) == \
            (b["nit"], b["status"], b["grad_evals"], b["fevals"])
        bad += a["status"] != b["status"]
        if set(verdicts) != {"identical"} or not same_counts:
            print(f"conformance {key}: x {verdicts[0]}, fun {verdicts[1]}, trace {verdicts[2]}"
                  f"{'' if same_counts else ', counts or status differ'}")
    vo, vn = (json.loads((d / "verify.json").read_text()) for d in (old, new))
    for tid in sorted(set(vo) | set(vn)):
        a, b = vo.get(tid), vn.get(tid)
        if a is None or b is None or a["passed"] != b["passed"]:
            print(f"verify {tid}: verdict changed ({a and a['passed']} -> {b and b['passed']})")
            bad += 1
            continue
        for ca, cb in zip(a["cases"], b["cases"]):
            diff = _difference(_unhex(ca["measured"]), _unhex(cb["measured"]))
            if diff != "identical" or ca["passed"] != cb["passed"]:
                print(f"verify {tid} / {ca['instance']}: measured {diff}, passed {ca['passed']} -> {cb['passed']}")
                bad += ca["passed"] != cb["passed"]
    import pandas as pd

    for path in sorted((old / "figures").glob("*.csv")):
        other = new / "figures" / path.name
        if not other.exists():
            print(f"figure {path.stem}: missing")
            continue
        fa, fb = pd.read_csv(path), pd.read_csv(other)
        if list(fa.columns) != list(fb.columns) or len(fa) != len(fb):
            print(f"figure {path.stem}: columns or rows differ")
            continue
        for col in fa.columns:
            if col in TIMING_COLUMNS:
                continue
            if fa[col].dtype.kind in "fiu" and fb[col].dtype.kind in "fiu":
                diff = _difference(fa[col].to_numpy(float), fb[col].to_numpy(float))
            else:
                diff = "identical" if fa[col].astype(str).equals(fb[col].astype(str)) else "differs"
            if diff != "identical":
                print(f"figure {path.stem} / {col}: {diff}")
    print("verdicts and statuses unchanged" if not bad else f"{bad} verdicts or statuses changed")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "record":
        record(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        sys.exit(compare(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)
