"""Bounded memory: resident memory of SGD with a cosine schedule and uniform averaging, for 1e6, 1e7 and 1e8 steps.

Each run is a fresh process (so its peak resident set is its own): least squares, n = 100, d = 10, batch 1, the
C++ backend, the default log-spaced trace.  Printed per run: peak resident memory (``ru_maxrss``), the same
process's resident memory just before the run (imports, problem, a 100-step warm-up run), their difference, the
wall time, and what the schedule and the weights would occupy if they were held as arrays (16 bytes per step:
the library did this before issue 19).  Nothing is asserted; the test suite checks the allocations with
tracemalloc (tests/test_bounded_memory.py).

    python benchmarks/bench_memory.py            # 1e6, 1e7, 1e8 steps
    python benchmarks/bench_memory.py 1e6 1e7    # chosen horizons
"""
import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
import numpy as np
import pyoptheory as po

steps = int(float(sys.argv[1]))
rng = np.random.default_rng(0)
A = rng.standard_normal((100, 10))
p = po.problems.least_squares(A, A @ rng.standard_normal(10) + 0.1 * rng.standard_normal(100))
opts = dict(schedule="cosine", output="uniform", seed=0, backend="cpp", n_threads=1, progress=False)
po.solve(p, "sgd", steps=100, **opts)
before = int(open("/proc/self/statm").read().split()[1]) * resource.getpagesize()
t = time.perf_counter()
res = po.solve(p, "sgd", steps=steps, **opts)
wall = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(dict(steps=steps, before=before, peak=peak, wall=wall, success=bool(res.success),
                      gap_avg=float(res.trace["gap_avg"][-1]))))
"""


def main(horizons):
    print(f"{'steps':>10} {'RSS before':>11} {'peak RSS':>9} {'growth':>8} {'wall s':>7} {'as arrays':>10}  gap of the average")
    for steps in horizons:
        out = subprocess.run([sys.executable, "-c", CHILD, str(steps)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        mb = 1e6
        print(f"{r['steps']:>10.0e} {r['before'] / mb:>9.1f}MB {r['peak'] / mb:>7.1f}MB {(r['peak'] - r['before']) / mb:>6.1f}MB "
              f"{r['wall']:>7.1f} {16 * r['steps'] / mb:>8.0f}MB  {r['gap_avg']:.3e}{'' if r['success'] else ' (failed)'}")


if __name__ == "__main__":
    main([int(float(a)) for a in sys.argv[1:]] or [10**6, 10**7, 10**8])
