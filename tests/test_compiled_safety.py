"""The C++ extension refuses bad input with ValueError/TypeError and never crashes; Ctrl-C stops a compiled run."""
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from pyoptheory import _core
from pyoptheory import problems as P
from pyoptheory.kernels import cpp
from pyoptheory.kernels.layout import S_SIZE


def _model():
    return cpp.prepare(P.quadratic(4, L=1.0, mu=0.1, seed=0).spec)


def _args(d=4, **over):
    a = dict(model=_model(), method=0, x=np.zeros(d), xbest=np.zeros(d), xsum=None, grad=np.zeros(d),
             scal=np.zeros(S_SIZE), steps=np.ones(1), avg_w=None, eta=2.0, k0=0, k1=3, n_threads=1,
             idx=np.zeros((0, 1), dtype=np.int64), noise=np.zeros((0, d)))
    a.update(over)
    return a


@pytest.mark.parametrize("over,match", [
    (dict(x=np.zeros(5)), "x must"),
    (dict(grad=np.zeros(3)), "grad must"),
    (dict(scal=np.zeros(3)), "scal"),
    (dict(steps=np.ones(2)), "steps"),
    (dict(method=99), "method"),
    (dict(k0=5, k1=2), "k0"),
    (dict(method=4, idx=np.full((3, 1), 7, dtype=np.int64)), "idx: sample index out of range"),
    (dict(method=4, idx=np.zeros((2, 1), dtype=np.int64)), "idx must have shape"),
    (dict(method=4, noise=np.zeros((3, 5))), "noise must have shape"),
])
def test_advance_rejects_bad_buffers(over, match):
    with pytest.raises(ValueError, match=match):
        _core.advance(**_args(**over))


def test_advance_refuses_to_convert_output_buffers():
    with pytest.raises(TypeError):
        _core.advance(**_args(x=np.zeros(4, dtype=np.float32)))
    x = np.zeros(8)[::2]
    with pytest.raises(TypeError):
        _core.advance(**_args(x=x))


def test_model_rejects_inconsistent_csr():
    spec = P.l1_distance(np.zeros(3)).spec
    bad = spec.indices.copy()
    bad[0] = 99
    with pytest.raises(ValueError, match="column index"):
        _core.LinearModel(spec.dense, spec.data, bad, spec.indptr, spec.b, spec.n, spec.d, spec.loss, 0.0,
                          spec.reduce, 1.0, 0.0, 0.0, 0, 0.0, spec.reg_lo, spec.reg_hi)
    with pytest.raises(ValueError, match="indptr"):
        _core.LinearModel(spec.dense, spec.data, spec.indices, spec.indptr[:-1], spec.b, spec.n, spec.d, spec.loss,
                          0.0, spec.reduce, 1.0, 0.0, 0.0, 0, 0.0, spec.reg_lo, spec.reg_hi)


def test_model_rejects_wrong_dense_shape():
    spec = P.quadratic(4, seed=0).spec
    with pytest.raises(ValueError, match="shape"):
        _core.LinearModel(spec.dense, spec.data, spec.indices, spec.indptr, spec.b, spec.n, spec.d + 1, spec.loss,
                          0.0, spec.reduce, 1.0, 0.0, 0.0, 0, 0.0, spec.reg_lo, spec.reg_hi)


def test_ctrl_c_returns_partial_result_from_compiled_run():
    code = textwrap.dedent("""
        import signal, sys, pyoptheory as po
        # Ctrl-C raises KeyboardInterrupt even when started in the background by a shell (which ignores SIGINT)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        p = po.problems.quadratic(300, L=1.0, mu=0.0, seed=0)
        seen = []

        def running(r):  # called at the checkpoints: the compiled loop has started
            if not seen:
                seen.append(1)
                print("ready", flush=True)

        res = po.solve(p, "gd", steps=10**10, backend="cpp", callback=running)
        print("status", res.status, res.success, res.nit > 0, flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()  # never left running (10^10 steps) when the interrupt is not honoured
    assert "status 5 False True" in out, err
