"""Registry of paper figures.

A figure is a small module with a docstring naming the paper and figure it
reproduces, ``compute(quick=False) -> pandas.DataFrame`` and
``draw(frame) -> matplotlib.figure.Figure``, registered here by ID.
"""
from __future__ import annotations

import importlib
import json
import platform
import subprocess
from pathlib import Path

FIGURES = {"gd-tightness": ".gd_tightness", "last-iterate-schedules": ".last_iterate_schedules",
           "schedule-bound-vs-practice": ".schedule_bound_vs_practice", "accelerated-vs-gd": ".accelerated_vs_gd",
           "stochastic-heavy-ball-batch": ".stochastic_heavy_ball_batch", "sinkhorn-rate": ".sinkhorn_rate",
           "sns-vs-sinkhorn": ".sns_vs_sinkhorn", "bcd-rules": ".bcd_rules",
           "bcd-message-passing": ".bcd_message_passing", "bcd-active-set": ".bcd_active_set",
           "cbo-decay": ".cbo_decay", "cbo-anisotropic-dimension": ".cbo_anisotropic_dimension",
           "cbo-as-gradient-descent": ".cbo_as_gradient_descent", "oomd-sea": ".oomd_sea",
           "bilevel-penalty-gap": ".bilevel_penalty_gap", "bilevel-toy": ".bilevel_toy",
           "bilevel-complexity": ".bilevel_complexity", "zo-dimension": ".zo_dimension",
           "cge-vs-rge": ".cge_vs_rge", "gfm-vs-gfm-plus": ".gfm_vs_gfm_plus"}


def figures():
    """IDs of the registered figures with the first line of their docstring."""
    return {fid: (get_figure(fid).__doc__ or "").strip().splitlines()[0] for fid in FIGURES}


def get_figure(figure_id):
    from ..._validation import lookup

    return importlib.import_module(lookup(FIGURES, figure_id, "figure", "figure ID"), __name__)


def _git_commit():
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True, text=True,
                             timeout=5)
        return out.stdout.strip() or None
    except Exception:
        return None


def reproduce(figure_id, out="figures", quick=False, **sweep_options):
    """Compute and draw a figure; write PNG, PDF, CSV of the data and JSON of provenance.

    Files go to ``out/<id>/<id>.{png,pdf,csv,json}``; returns the paths.  ``sweep_options``
    (``executor``, ``address``, ``n_jobs``, ``cache``, ``progress``) go to the figure's sweep.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import numpy as np

    from ... import __version__

    mod = get_figure(figure_id)
    frame = mod.compute(quick=quick, **sweep_options)
    fig = mod.draw(frame)
    folder = Path(out) / figure_id
    folder.mkdir(parents=True, exist_ok=True)
    paths = {ext: folder / f"{figure_id}.{ext}" for ext in ("png", "pdf", "csv", "json")}
    fig.savefig(paths["png"], dpi=150)
    fig.savefig(paths["pdf"])
    plt.close(fig)
    frame.to_csv(paths["csv"], index=False)
    meta = dict(figure=figure_id, reproduces=(mod.__doc__ or "").strip().splitlines()[0], quick=quick,
                pyoptheory=__version__, git_commit=_git_commit(), numpy=np.__version__,
                python=platform.python_version(), machine=platform.machine(), node=platform.node(),
                executor=sweep_options.get("executor", "serial"), parameters=getattr(mod, "PARAMETERS", {}),
                seeds=getattr(mod, "SEEDS", []))
    paths["json"].write_text(json.dumps(meta, indent=2, default=str))
    return paths
