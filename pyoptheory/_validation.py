"""Input checks shared by every public function.

Each check raises a ``TypeError`` (wrong kind of object) or ``ValueError``
(right kind, wrong value) whose message starts with the argument's name, so
that users see at once which argument is at fault.
"""
from __future__ import annotations

import math
import numbers

import numpy as np
import scipy.sparse as sp


def as_float_array(value, name, *, ndim=None, shape=None, allow_empty=False, finite=True, copy=True):
    """Return ``value`` as a C-contiguous float64 array, or raise naming ``name``.

    Integer and float32 input is accepted and converted; complex, object, string
    and boolean input is refused.  Non-contiguous and read-only arrays are
    copied, never written to.  ``copy=False`` returns C-contiguous float64 input
    itself (for large read-only data such as a cost matrix).
    """
    if sp.issparse(value):
        raise TypeError(f"{name}: expected a dense array, got a scipy.sparse matrix")
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: expected an array of numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name}: could not be read as an array ({exc})") from None
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name}: expected real numbers, got dtype {arr.dtype}")
    arr = np.array(arr, dtype=np.float64, order="C") if copy else np.ascontiguousarray(arr, dtype=np.float64)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-d array, got shape {arr.shape}")
    if shape is not None:
        for axis, (got, want) in enumerate(zip(arr.shape, shape)):
            if want is not None and got != want:
                raise ValueError(f"{name}: expected shape {tuple(shape)}, got {arr.shape} (axis {axis})")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name}: is empty")
    # the sum screens cheaply (no temporary); only a non-finite sum needs the elementwise check
    if finite and not np.isfinite(arr.sum()) and not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name}: contains {bad} NaN or infinite value(s)")
    return arr


def as_matrix(value, name):
    """Return a 2-d float64 matrix: a C-contiguous ndarray or a canonical CSR matrix."""
    if sp.issparse(value):
        mat = sp.csr_matrix(value, dtype=np.float64)
        mat.sum_duplicates()
        mat.sort_indices()
        if mat.shape[0] == 0 or mat.shape[1] == 0:
            raise ValueError(f"{name}: is empty (shape {mat.shape})")
        if not np.all(np.isfinite(mat.data)):
            raise ValueError(f"{name}: contains NaN or infinite value(s)")
        return mat
    return as_float_array(value, name, ndim=2)


#: The largest iteration budget: the kernels count iterations in signed 64-bit integers.
MAX_STEPS = 2**63 - 1
#: The largest dimension of a problem built from a number (an iterate of 8 GB).
MAX_DIM = 10**9
#: The largest number of per-iteration values a caller may ask to hold in memory (``record='all'``, an averaging
#: weights array); runs themselves produce schedules and weights a chunk at a time.
MAX_MATERIALIZED = 10**8


def materialized(steps, what):
    """Refuse a per-iteration array of ``steps + 1`` values past :data:`MAX_MATERIALIZED` (800 MB), naming
    ``steps``."""
    if steps + 1 > MAX_MATERIALIZED:
        raise ValueError(f"steps: {what} holds one value per iteration in memory; at most {MAX_MATERIALIZED - 1} "
                         f"steps with it, got {steps}")
    return steps


def as_scalar(value, name, *, positive=False, nonnegative=False, integer=False, finite=True, upper=None):
    """Return ``value`` as a float (or int when ``integer``), checking its sign and range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    try:
        as_float = float(value)
    except OverflowError:  # an integer beyond the float range
        raise ValueError(f"{name}: must be finite, got an integer of {int(value).bit_length()} bits") from None
    if finite and not math.isfinite(as_float):
        raise ValueError(f"{name}: must be finite, got {value}")
    if integer:
        if isinstance(value, numbers.Integral):
            value = int(value)
        elif not as_float.is_integer():
            raise TypeError(f"{name}: expected an integer, got {value!r}")
        else:
            value = int(as_float)
    else:
        value = as_float
    if positive and not value > 0:
        raise ValueError(f"{name}: must be positive, got {value}")
    if nonnegative and not value >= 0:
        raise ValueError(f"{name}: must be nonnegative, got {value}")
    if upper is not None and value > upper:
        raise ValueError(f"{name}: must be at most {upper}, got {value}")
    return value


def as_int(value, name, *, minimum=None, maximum=None):
    """Return ``value`` as an int (an integral float such as ``3.0`` is accepted), within the bounds."""
    value = as_scalar(value, name, integer=True)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name}: must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name}: must be at most {maximum}, got {value}")
    return value


def lookup(registry, key, name, what):
    """``registry[key]`` for a string key, or a TypeError/ValueError naming ``name`` and listing the valid keys."""
    if not isinstance(key, str):
        raise TypeError(f"{name}: expected a {what} name, got {type(key).__name__}")
    if key not in registry:
        raise ValueError(f"{name}: unknown {what} {key!r}; valid: {', '.join(sorted(registry))}")
    return registry[key]


def choose(value, name, options):
    """Check that ``value`` is one of ``options`` and say which are valid when it is not."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected one of {sorted(options)}, got {type(value).__name__}")
    if value not in options:
        raise ValueError(f"{name}: unknown value {value!r}; valid: {', '.join(sorted(options))}")
    return value
