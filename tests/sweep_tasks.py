"""Task functions for the sweep tests; importable by worker processes (tests/ is put on PYTHONPATH)."""
import os
import signal
import time
from pathlib import Path


def square(x, seed, log=None, delay=0.0):
    """Append to ``log`` (one line per computation), wait ``delay``, return a row."""
    if log is not None:
        with open(log, "a") as fh:
            fh.write(f"{x},{seed}\n")
    time.sleep(delay)
    return {"x": x, "y": x * x + seed}


def kill_once(x, seed, marker, done_dir, after):
    """Kill the worker process running it, once, after ``after`` tasks have finished anywhere."""
    done = Path(done_dir)
    if Path(marker).exists() and len(list(done.iterdir())) >= after:
        try:
            os.rename(marker, marker + ".claimed")  # atomic: only one task wins
        except OSError:
            pass
        else:
            os.kill(os.getpid(), signal.SIGKILL)
    (done / f"{x}-{seed}").touch()
    return {"x": x, "y": 3 * x + seed}
