"""Thin adapter onto the C++ extension ``pyoptheory._core``."""
from __future__ import annotations

name = "cpp"


def _core():
    try:
        from .. import _core
    except ImportError as exc:  # pragma: no cover - only without a build
        raise ImportError("backend 'cpp': the compiled extension pyoptheory._core is not built "
                          "(reinstall with `pip install -e .`)") from exc
    return _core


def prepare(spec):
    core = _core()
    return core.LinearModel(spec.dense, spec.data, spec.indices, spec.indptr, spec.b, spec.n, spec.d, spec.loss,
                            spec.loss_param, spec.reduce, spec.weight, spec.l2, spec.cst, spec.reg, spec.reg_scalar,
                            spec.reg_lo, spec.reg_hi, spec.reg_param, spec.penalty, spec.pen_lam, spec.pen_param)


def advance(model, method, x, xbest, xsum, grad, scal, steps, avg_w, eta, k0, k1, n_threads, idx, noise):
    return _core().advance(model, method, x, xbest, xsum, grad, scal, steps, avg_w, eta, k0, k1, n_threads, idx,
                           noise)


def evaluate(model, x, grad, n_threads):
    return _core().evaluate(model, x, grad, n_threads)
