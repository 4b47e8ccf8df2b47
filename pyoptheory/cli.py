"""The ``pyoptheory`` command: list, verify theorems, reproduce figures."""
from __future__ import annotations

import argparse
import json
import sys


def _sweep_options(args):
    return dict(executor=args.executor, address=args.address, n_jobs=args.n_jobs,
                cache=(args.cache_dir or True) if args.cache else None)


def _add_sweep_flags(p):
    p.add_argument("--executor", choices=("serial", "loky", "dask"), default="serial",
                   help="where runs go: this process, local worker processes, or a Dask cluster")
    p.add_argument("--address", default=None, help="Dask scheduler address (default: a local cluster)")
    p.add_argument("--n-jobs", type=int, default=-1, help="worker processes (-1: all cores)")
    p.add_argument("--cache", action="store_true", help="reuse and store results in the disk cache")
    p.add_argument("--cache-dir", default=None, help="cache folder (default: $PYOPTHEORY_CACHE_DIR or ~/.cache/pyoptheory)")


def _list(args):
    import pyoptheory as po
    from pyoptheory.experiments.figures import figures

    print("Methods:")
    for name, spec in po.methods().items():
        print(f"  {name:<14} accepts {', '.join(spec.accepts):<40} backends {', '.join(spec.backends)}")
    print("Theorems:")
    for tid, th in po.theorems().items():
        print(f"  {tid:<30} [{th.confirmed}] {th.statement}")
    print("Figures:")
    for fid, doc in figures().items():
        print(f"  {fid:<20} {doc}")
    return 0


def _verify(args):
    import pyoptheory as po

    ids = list(po.theorems()) if args.all else args.ids
    if not ids:
        print("pyoptheory verify: name theorem IDs or --all", file=sys.stderr)
        return 2
    try:
        ths = [po.theorems(i) for i in ids]
    except ValueError as exc:
        print(f"pyoptheory verify: {exc}", file=sys.stderr)
        return 2
    method = None
    if args.method:
        try:
            method = _load_callable(args.method)
        except (ValueError, ImportError, AttributeError) as exc:
            print(f"pyoptheory verify: --method: {exc}", file=sys.stderr)
            return 2
    reports = []
    for th in ths:
        try:
            rep = po.verify(th, quick=args.quick, method=method, **_sweep_options(args))
        except (ValueError, TypeError) as exc:
            print(f"pyoptheory verify: {exc}", file=sys.stderr)
            return 2
        reports.append(rep)
        if not args.json:
            print(rep, flush=True)
    from pyoptheory.verify.core import record_verdicts

    if method is None:
        record_verdicts(reports)  # the documentation's theorem page shows the last verdicts of the library's methods
    if args.json:
        out = []
        for rep in reports:
            d = rep.to_dict()
            if not args.full_json:
                for case in d["cases"]:
                    for key in ("horizons", "measured", "bound"):
                        case.pop(key)
            out.append(d)
        print(json.dumps(out, indent=2, default=float))
    else:
        failed = [r.theorem.id for r in reports if not r.passed]
        print(f"\n{len(reports) - len(failed)} passed, {len(failed)} failed" + (f": {', '.join(failed)}" if failed else ""))
    return 1 if any(not r.passed for r in reports) else 0


def _load_callable(spec):
    """``package.module:function`` (or ``path/to/file.py:function``) -> the function."""
    import importlib
    import importlib.util
    import os

    module_name, sep, attr = spec.rpartition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"expected package.module:function or file.py:function, got {spec!r}")
    if module_name.endswith(".py") or os.sep in module_name:
        if not os.path.exists(module_name):
            raise ValueError(f"no file {module_name!r}")
        loaded = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(module_name))[0],
                                                        module_name)
        module = importlib.util.module_from_spec(loaded)
        loaded.loader.exec_module(module)
    else:
        sys.path.insert(0, os.getcwd())
        module = importlib.import_module(module_name)
    fn = module
    for part in attr.split("."):
        fn = getattr(fn, part)
    if not callable(fn):
        raise ValueError(f"{spec!r} is not callable")
    return fn


def _reproduce(args):
    from pyoptheory.experiments.figures import FIGURES, reproduce

    ids = sorted(FIGURES) if args.all else args.ids
    if not ids:
        print("pyoptheory reproduce: name figure IDs or --all", file=sys.stderr)
        return 2
    from pyoptheory.experiments.figures import get_figure

    try:
        for fid in ids:
            get_figure(fid)
    except ValueError as exc:
        print(f"pyoptheory reproduce: {exc}", file=sys.stderr)
        return 2
    for fid in ids:
        paths = reproduce(fid, out=args.out, quick=args.quick, **_sweep_options(args))
        print(f"{fid}: " + ", ".join(str(p) for p in paths.values()), flush=True)
    return 0


def _mutants(args):
    from pyoptheory.verify import mutants as M

    try:
        chosen = ([M.get_mutation(n) for n in args.names] if args.names else
                  M.mutations() if args.all else M.mutations(core=True, pitfalls=True))
    except ValueError as exc:
        print(f"pyoptheory mutants: {exc}", file=sys.stderr)
        return 2
    results = []
    for m in chosen:
        r = M.run_mutation(m, quick=True, first_failure=not args.full, **_sweep_options(args))
        results.append(r)
        if not args.json:
            what = ", ".join(r.caught_by) if r.status == "killed" else (r.detail if r.status == "equivalent" else "")
            print(f"{r.status:<10} {r.name:<48} {r.theorem:<34} {what}"
                  + (f" [{r.instance}]" if r.instance else "") + (" (core)" if r.core else ""), flush=True)
    summary = M.summary(results)
    if args.json:
        print(json.dumps(dict(mutations=[r.to_dict() for r in results], summary=summary), indent=2, default=float))
    else:
        print(f"\n{summary['killed']} killed, {summary['survived']} survived, {summary['equivalent']} equivalent "
              f"(killed share of the non-equivalent: {summary['killed_share']:.1%})")
    core_alive = [r.name for r in results if r.core and r.status != "killed"]
    return 1 if core_alive else 0


def _power(args):
    from pyoptheory.verify.power import ATTAIN_TARGET, power

    out = power(quick=True, mutations=args.mutants, **_sweep_options(args))
    if args.json:
        print(json.dumps(out, indent=2, default=float))
        return 0
    print(f"{'theorem':<46} {'attain':>7} {'power':>7}  instance")
    for r in out["theorems"]:
        flag = "" if r["attainment"] >= ATTAIN_TARGET else ("  exception: " + r["exception"] if r["exception"]
                                                            else "  BELOW TARGET")
        print(f"{r['id']:<46} {r['attainment']:>7.3f} {r['power']:>7.3f}  {r['instance']}{flag}")
    s = out["theorem_summary"]
    print(f"\n{s['asserted']} asserted theorems: {s['reached_half']} have an instance at >= {ATTAIN_TARGET} of "
          f"min(bound, PEPit), {s['exceptions']} exceptions; halved bound fails on {s['share_halved_bound_fails']:.1%}, "
          f"bound x 0.9 fails on {s['share_0_9_bound_fails']:.1%}")
    if "mutation_summary" in out:
        m = out["mutation_summary"]
        print(f"mutations ({args.mutants}): {m['killed']} killed, {m['survived']} survived, {m['equivalent']} "
              f"equivalent; killed share {m['killed_share']:.1%}")
    if out["failed"]:
        print("theorems failing their own check: " + ", ".join(out["failed"]))
    return 0


def _cache(args):
    from pyoptheory.experiments import Cache

    cache = Cache(args.dir)
    if args.action == "info":
        info = cache.info()
        print(f"directory: {info['directory']}\nentries: {info['entries']}\nbytes: {info['bytes']}")
    else:
        print(f"removed {cache.clear()} entries from {cache.dir}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="pyoptheory", description="Optimization theory that runs.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="methods, theorems and figures").set_defaults(run=_list)
    v = sub.add_parser("verify", help="check theorems' bounds and rates (exit code 1 when any fails)")
    v.add_argument("ids", nargs="*")
    v.add_argument("--all", action="store_true")
    v.add_argument("--quick", action="store_true", help="horizons up to 1e4, about 15 s per theorem")
    v.add_argument("--json", action="store_true", help="a JSON list, one object per theorem")
    v.add_argument("--full-json", action="store_true", help="with --json: include per-horizon values")
    v.add_argument("--method", default=None, metavar="MODULE:FUNCTION",
                   help="check your own optimizer fn(oracle, params) against the theorems (package.module:function "
                        "or file.py:function; see pyoptheory.verify.user for the contract)")
    _add_sweep_flags(v)
    v.set_defaults(run=_verify)
    r = sub.add_parser("reproduce", help="regenerate paper figures (PNG, PDF, CSV, JSON)")
    r.add_argument("ids", nargs="*")
    r.add_argument("--all", action="store_true")
    r.add_argument("--out", default="figures")
    r.add_argument("--quick", action="store_true")
    _add_sweep_flags(r)
    r.set_defaults(run=_reproduce)
    m = sub.add_parser("mutants", help="the mutation suite: deliberate mistakes and what catches them (exit code 1 "
                                       "when a mutation of the required core survives)")
    m.add_argument("names", nargs="*", help="mutations to run (default: the required core and the catalogue's pitfalls)")
    m.add_argument("--all", action="store_true", help="every mutation")
    m.add_argument("--full", action="store_true", help="every instance (default: stop at the first refutation)")
    m.add_argument("--json", action="store_true")
    _add_sweep_flags(m)
    m.set_defaults(run=_mutants)
    pw = sub.add_parser("power", help="the checks' power: attainment of every asserted bound, the share of halved "
                                      "and 0.9-scaled bounds that fail, and the mutation suite's kills")
    pw.add_argument("--mutants", choices=("core", "all", "none"), default="core")
    pw.add_argument("--json", action="store_true")
    _add_sweep_flags(pw)
    pw.set_defaults(run=_power)
    c = sub.add_parser("cache", help="the disk cache of sweep results")
    c.add_argument("action", choices=("info", "clear"))
    c.add_argument("--dir", default=None, help="cache folder (default: $PYOPTHEORY_CACHE_DIR or ~/.cache/pyoptheory)")
    c.set_defaults(run=_cache)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # the output went to a closed pipe (`pyoptheory list | head`)
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
