"""The command line and the figure contract."""
import json
import subprocess
import sys

import pandas as pd
import pytest

from pyoptheory.cli import main
from pyoptheory.experiments import sweep
from pyoptheory.experiments.figures import FIGURES, figures, get_figure, reproduce


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "gd.convex.smooth" in out and "gd-tightness" in out and "subgradient" in out


def test_verify_json(capsys):
    assert main(["verify", "gd.convex.smooth", "subgradient.best.constant", "--quick", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in data] == ["gd.convex.smooth", "subgradient.best.constant"]
    for d in data:
        for key in ("id", "passed", "bound_holds", "fitted_rate", "predicted_rate", "rate_kind", "tightness"):
            assert key in d
        assert d["passed"] is True


def test_verify_unknown_id_lists_valid(capsys):
    assert main(["verify", "no.such.theorem"]) == 2
    assert "valid:" in capsys.readouterr().err


def test_console_script_exit_code_is_one_on_failure(tmp_path):
    # A failing theorem through the real entry point: register nothing, run verify on a wrong theorem
    code = ("import sys, pyoptheory as po\n"
            "from pyoptheory.theory.base import Theorem\n"
            "from pyoptheory import theory\n"
            "th = po.theorems('gd.convex.smooth')\n"
            "theory._REGISTRY['bad'] = Theorem(**{**th.__dict__, 'id': 'bad', 'bound': lambda T, c, p: 1e-9})\n"
            "from pyoptheory.cli import main\n"
            "sys.exit(main(['verify', 'bad', '--quick']))\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 1, res.stderr
    assert "1 failed" in res.stdout


@pytest.mark.parametrize("fid", sorted(FIGURES))
def test_figure_contract_and_reproduce(fid, tmp_path):
    mod = get_figure(fid)
    assert mod.__doc__ and callable(mod.compute) and callable(mod.draw)
    paths = reproduce(fid, out=tmp_path, quick=True)
    for ext in ("png", "pdf", "csv", "json"):
        assert paths[ext].exists() and paths[ext].stat().st_size > 100
    frame = pd.read_csv(paths["csv"])
    assert len(frame) > 10
    meta = json.loads(paths["json"].read_text())
    assert meta["figure"] == fid and "pyoptheory" in meta


def test_gd_tightness_data_attains_the_bound_on_huber():
    frame = get_figure("gd-tightness").compute(quick=True)
    hub = frame[frame.problem == "huber_worst_case"]
    assert ((hub.gap / hub.bound - 1).abs() < 1e-9).all()
    quad = frame[frame.problem == "random_quadratic"]
    assert (quad.gap <= quad.bound).all() and (quad.gap / quad.bound).min() < 0.5


def test_unknown_figure():
    with pytest.raises(ValueError, match="valid: .*gd-tightness"):
        get_figure("nope")
    assert "gd-tightness" in figures()


def test_sweep_by_method_name_is_tidy():
    from pyoptheory import problems as P

    p = P.quadratic(5, L=1.0, mu=0.1, seed=0)
    df = sweep("gd", {"problem": [p], "steps": [10, 20], "record": ["all"]}, seeds=[0, 1])
    assert set(df["steps"]) == {10, 20} and set(df["seed"]) == {0, 1}
    assert len(df) == 2 * (11 + 21) and {"iter", "gap"} <= set(df.columns)
    with pytest.raises(ValueError, match="executor"):
        sweep("gd", {"problem": [p]}, executor="mpi")
    with pytest.raises(TypeError, match="grid"):
        sweep("gd", {"problem": p})


def test_last_iterate_schedules_shows_the_log_gap():
    import numpy as np

    frame = get_figure("last-iterate-schedules").compute(quick=True)
    assert (frame.gap <= frame.bound).all()
    inv = frame[frame.schedule == "inv_sqrt"].sort_values("horizon")
    lin = frame[frame.schedule == "linear_decay"].sort_values("horizon")
    s_inv = np.sqrt(inv.horizon) * inv.gap
    s_lin = np.sqrt(lin.horizon) * lin.gap
    assert np.all(np.diff(s_inv) > 0)  # sqrt(T) gap grows like log T for 1/sqrt(t)
    assert s_lin.max() / s_lin.min() < 1.1  # and stays flat for linear decay
    assert (s_inv / np.log(inv.horizon) >= 1 / 32).all()  # the recalled Harvey et al. lower bound


def test_schedule_bound_vs_practice_bounds_hold():
    frame = get_figure("schedule-bound-vs-practice").compute(quick=True)
    left = frame[frame.panel == "base_lr"]
    assert (left.measured <= left.bound).all()
    right = frame[frame.panel == "horizons"]
    assert set(right.horizon) == {200, 300, 400, 500, 600}


def test_accelerated_vs_gd_data_respects_the_bounds():
    frame = get_figure("accelerated-vs-gd").compute(quick=True)
    chain = frame[frame.instance == "chain"]
    assert (chain.gap >= chain.lower * (1 - 1e-12)).all()  # every Krylov method stays above f_k* - f_p*
    for method in ("gd", "agd", "heavy_ball"):
        sub = frame[(frame.method == method) & (frame.k > 0) & frame.bound.notna()]
        floor = 1e-13 * sub.groupby("instance").gap.transform("max")  # floating-point floor
        assert (sub.gap <= sub.bound * (1 + 1e-9) + floor).all()


def test_stochastic_heavy_ball_batch_variance_shrinks_with_the_batch():
    import numpy as np

    frame = get_figure("stochastic-heavy-ball-batch").compute(quick=True)
    last = frame[frame.k == frame.k.max()].set_index(["method", "batch"])["loss"]
    for method in ("sgd", "shb"):
        finals = last[method].sort_index().to_numpy()
        assert np.all(np.diff(finals) < 0)  # larger batches, smaller final loss
    assert last["shb"][4096] < last["sgd"][4096]  # the bias regime: momentum ends lower
