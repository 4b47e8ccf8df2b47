"""Sweeps on every executor (a real Dask LocalCluster on loopback, a real killed worker), the
disk cache (a real SIGKILLed subprocess), progress bars and bad input."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pyoptheory as po
from pyoptheory.cli import main
from pyoptheory.experiments import Cache, sweep

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
os.environ["PYTHONPATH"] = os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])
import sweep_tasks  # noqa: E402


def _problem():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((200, 20))
    return po.problems.finite_sum(po.problems.least_squares(A, A @ rng.standard_normal(20) + rng.standard_normal(200)),
                                  2)


def _same(a, b):
    cols = [c for c in a.columns if c != "time"]  # wall time differs, everything else must not
    pd.testing.assert_frame_equal(a[cols].reset_index(drop=True), b[cols].reset_index(drop=True), check_exact=True)


@pytest.fixture(scope="module")
def serial_reference():
    grid = {"problem": [_problem()], "steps": [300], "step": [0.005, 0.01], "backend": ["cpp", "numba"]}
    return grid, sweep("sgd", grid, seeds=range(3), threads_per_worker=1)


def test_loky_equals_serial(serial_reference):
    grid, ref = serial_reference
    got = sweep("sgd", grid, seeds=range(3), executor="loky", n_jobs=2, threads_per_worker=1)
    _same(ref, got)
    assert set(got["step"]) == {0.005, 0.01} and set(got["seed"]) == {0, 1, 2}


def test_dask_local_cluster_equals_serial(serial_reference):
    grid, ref = serial_reference
    got = sweep("sgd", grid, seeds=range(3), executor="dask", n_jobs=2, threads_per_worker=1)
    _same(ref, got)


def test_dask_survives_a_killed_worker(tmp_path):
    marker = tmp_path / "kill"
    marker.touch()
    done = tmp_path / "done"
    done.mkdir()
    grid = {"x": list(range(12)), "marker": [str(marker)], "done_dir": [str(done)], "after": [4]}
    ref = sweep(sweep_tasks.kill_once, {**grid, "marker": [str(tmp_path / "absent")]}, seeds=[0, 1])
    got = sweep(sweep_tasks.kill_once, grid, seeds=[0, 1], executor="dask", n_jobs=2)
    assert (tmp_path / "kill.claimed").exists(), "no worker was killed"
    pd.testing.assert_frame_equal(ref[["x", "y", "seed"]], got[["x", "y", "seed"]])


def test_unreachable_dask_address_fails_fast():
    t = time.perf_counter()
    with pytest.raises(ConnectionError, match="address: no Dask scheduler reachable"):
        sweep(sweep_tasks.square, {"x": [1]}, executor="dask", address="tcp://127.0.0.1:9")
    assert time.perf_counter() - t < 15


def test_verify_runs_on_parallel_executors():
    a = po.verify("sgd.subgradient.convex", problem="l1_ball_noise", horizons=[10, 100, 1000], seeds=8)
    b = po.verify("sgd.subgradient.convex", problem="l1_ball_noise", horizons=[10, 100, 1000], seeds=8,
                  executor="loky", n_jobs=2)
    np.testing.assert_allclose(a.cases[0].measured, b.cases[0].measured, rtol=1e-12)
    assert a.passed == b.passed


def test_cache_reuses_and_recomputes_only_missing(tmp_path):
    log = tmp_path / "log"
    grid = {"x": [1, 2, 3], "log": [str(log)]}
    first = sweep(sweep_tasks.square, grid, seeds=[0, 1], cache=tmp_path / "c")
    assert len(log.read_text().splitlines()) == 6
    again = sweep(sweep_tasks.square, grid, seeds=[0, 1], cache=tmp_path / "c")
    assert len(log.read_text().splitlines()) == 6  # nothing recomputed
    pd.testing.assert_frame_equal(first, again)
    more = sweep(sweep_tasks.square, {"x": [1, 2, 3, 4], "log": [str(log)]}, seeds=[0, 1], cache=tmp_path / "c")
    assert len(log.read_text().splitlines()) == 8 and len(more) == 8
    assert Cache(tmp_path / "c").info()["entries"] == 8


def test_corrupted_cache_entry_is_ignored_and_recomputed(tmp_path):
    grid = {"x": [5]}
    sweep(sweep_tasks.square, grid, cache=tmp_path)
    (entry,) = Cache(tmp_path).entries()
    entry.write_bytes(b"not a pickle")
    with pytest.warns(RuntimeWarning, match="corrupted entry"):
        out = sweep(sweep_tasks.square, grid, cache=tmp_path)
    assert out["y"].tolist() == [25]
    assert Cache(tmp_path).get(entry.stem) is not None


def test_cache_key_changes_with_problem_data_and_parameters(tmp_path):
    c = Cache(tmp_path)
    p, q = _problem(), po.problems.finite_sum(po.problems.quadratic(5, seed=1), 1)
    keys = {c.key(sweep_tasks.square, {"x": 1, "p": p}, 0), c.key(sweep_tasks.square, {"x": 1, "p": q}, 0),
            c.key(sweep_tasks.square, {"x": 2, "p": p}, 0), c.key(sweep_tasks.square, {"x": 1, "p": p}, 1)}
    assert len(keys) == 4
    p.constants  # computing cached quantities does not change the key
    assert c.key(sweep_tasks.square, {"x": 1, "p": p}, 0) in keys


def test_sigkill_half_way_then_resume(tmp_path):
    log = tmp_path / "log"
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(HERE)!r})
        import sweep_tasks
        from pyoptheory.experiments import sweep
        sweep(sweep_tasks.square, {{"x": list(range(10)), "log": [{str(log)!r}], "delay": [0.3]}},
              cache={str(tmp_path / "cache")!r})
        print("finished")
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        if log.exists() and len(log.read_text().splitlines()) >= 4:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    cache = Cache(tmp_path / "cache")
    stored = cache.info()["entries"]
    assert 3 <= stored < 10
    for entry in cache.entries():  # no half-written entry
        assert cache.get(entry.stem) is not None
    computed_before = len(log.read_text().splitlines())
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert "finished" in out.stdout, out.stderr
    assert len(log.read_text().splitlines()) - computed_before == 10 - stored  # only the missing cells
    assert cache.info()["entries"] == 10


def test_grid_with_unknown_parameter_lists_valid_ones():
    with pytest.raises(ValueError, match="grid: unknown parameter.*'stepsize'.*valid:.*step"):
        sweep("sgd", {"problem": [_problem()], "stepsize": [0.1]})
    with pytest.raises(ValueError, match="grid: unknown parameter.*'z'"):
        sweep(sweep_tasks.square, {"z": [1]})
    with pytest.raises(ValueError, match="executor"):
        sweep(sweep_tasks.square, {"x": [1]}, executor="mpi")


def test_progress_bars(capsys):
    sweep(sweep_tasks.square, {"x": [1, 2]}, progress=True)
    err = capsys.readouterr().err
    assert "square" in err and "/2" in err
    sweep(sweep_tasks.square, {"x": [1, 2]}, progress=False)
    assert capsys.readouterr().err == ""
    po.solve(po.problems.quadratic(5, seed=0), "gd", steps=2000, progress=True)
    assert "gd" in capsys.readouterr().err
    with pytest.raises(TypeError, match="progress"):
        po.solve(po.problems.quadratic(5, seed=0), "gd", steps=10, progress="yes")


def test_cache_cli(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PYOPTHEORY_CACHE_DIR", str(tmp_path))
    sweep(sweep_tasks.square, {"x": [1, 2]}, cache=True)
    assert main(["cache", "info"]) == 0
    assert "entries: 2" in capsys.readouterr().out
    assert main(["cache", "clear"]) == 0
    assert "removed 2" in capsys.readouterr().out
    assert Cache().info()["entries"] == 0
