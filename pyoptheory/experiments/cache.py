"""A disk cache of sweep results, keyed by what determines them.

The key of one run hashes the function (module and name, with a method's name), the
cell's parameters (problems by :meth:`Problem.fingerprint`, arrays by content), the
seed, and the library's own source files -- an editable install keeps its version
number while its code changes, so the version alone would serve stale results.
Entries are written atomically (a temporary file in the same folder, then
``os.replace``): a sweep killed half-way leaves whole entries or none, and a rerun
recomputes only what is missing.  An unreadable entry is ignored with a warning,
deleted and recomputed.
"""
from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
import warnings
from pathlib import Path

import joblib

ENV_DIR = "PYOPTHEORY_CACHE_DIR"


def default_dir():
    """``$PYOPTHEORY_CACHE_DIR``, else ``~/.cache/pyoptheory``."""
    return Path(os.environ.get(ENV_DIR) or Path.home() / ".cache" / "pyoptheory")


@functools.lru_cache(maxsize=1)
def source_hash():
    """SHA-256 of the library's Python and C++ sources (the package folder and ../cpp)."""
    pkg = Path(__file__).resolve().parents[1]
    files = sorted(p for p in pkg.rglob("*.py"))
    cpp = pkg.parent / "cpp"
    if cpp.is_dir():
        files += sorted(p for p in cpp.rglob("*") if p.suffix in (".hpp", ".cpp", ".h"))
    h = hashlib.sha256()
    for p in files:
        h.update(str(p.relative_to(pkg.parent)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def fingerprint(value):
    """A stable hash of a grid value: problems by their fingerprint, everything else by content."""
    from ..problems.base import Problem
    from ..theory.base import Theorem

    if isinstance(value, Problem):
        return value.fingerprint()
    if isinstance(value, Theorem):
        from ..theory import all_theorems

        if all_theorems().get(value.id) is value:  # registered: its definition is in the source hash
            return "theorem:" + value.id
    return joblib.hash(value)


def function_id(fn):
    """Module and qualified name of a task function (with a partial's arguments)."""
    if isinstance(fn, functools.partial):
        return f"{function_id(fn.func)}|{joblib.hash((fn.args, fn.keywords))}"
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


class Cache:
    """Sweep results on disk: ``get(key)`` / ``put(key, rows)``, ``info()``, ``clear()``."""

    def __init__(self, directory=None):
        self.dir = Path(directory) if directory is not None else default_dir()

    def key(self, fn, cell, seed):
        """The entry name of one run, or None when a parameter cannot be hashed (no caching)."""
        try:
            parts = [function_id(fn), {k: fingerprint(v) for k, v in sorted(cell.items())}, int(seed),
                     source_hash()]
            return joblib.hash(parts)
        except Exception as exc:  # an unpicklable user function or object: run, but do not cache
            warnings.warn(f"cache: a parameter of this sweep cannot be hashed ({exc}); not caching it",
                          RuntimeWarning, stacklevel=3)
            return None

    def _path(self, key):
        return self.dir / key[:2] / f"{key}.pkl"

    def get(self, key):
        if key is None:
            return None
        path = self._path(key)
        if not path.exists():
            return None
        try:
            with open(path, "rb") as fh:
                rows = pickle.load(fh)
            if not isinstance(rows, list):
                raise ValueError("not a list of rows")
            return rows
        except Exception as exc:
            warnings.warn(f"cache: ignoring the corrupted entry {path} ({exc}); recomputing it", RuntimeWarning,
                          stacklevel=3)
            path.unlink(missing_ok=True)
            return None

    def put(self, key, rows):
        if key is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pkl")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(rows, fh, protocol=pickle.HIGHEST_PROTOCOL)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)  # atomic: readers see the whole entry or none
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def entries(self):
        return sorted(self.dir.glob("*/*.pkl")) if self.dir.is_dir() else []

    def info(self):
        files = self.entries()
        return {"directory": str(self.dir), "entries": len(files), "bytes": sum(f.stat().st_size for f in files)}

    def clear(self):
        files = self.entries()
        for f in files:
            f.unlink(missing_ok=True)
        for tmp in (self.dir.glob("*/.tmp-*") if self.dir.is_dir() else []):
            tmp.unlink(missing_ok=True)
        return len(files)


def resolve(cache):
    """``cache=`` of a sweep: None/False (off), True (the default folder), a path, or a Cache."""
    if cache is None or cache is False:
        return None
    if cache is True:
        return Cache()
    if isinstance(cache, Cache):
        return cache
    if isinstance(cache, (str, os.PathLike)):
        return Cache(cache)
    raise TypeError("cache: expected None, True, a folder path or a Cache")
