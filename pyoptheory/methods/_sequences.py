"""Per-iteration values of a run -- the steps and the averaging weights -- produced a window at a time.

A run of ``T`` updates uses a step per update and, for an averaged output, a weight per iterate
``x_0 .. x_T``.  Held as arrays they cost 8 bytes per iteration (800 MB for 1e8 steps).  Here they are
rules evaluated on the window of iterations a kernel chunk needs, so a run's memory does not grow with
``steps``: the driver hands each kernel call the chunk's steps (``steps[k - k0]`` is the step of update
``k``) and weights (``avg_w[j - k0]`` is the weight of iterate ``j``, ``j = k0 .. k1``).  The values are
those of the whole array computed at once, bit for bit: every rule is elementwise in the iteration index.
"""
from __future__ import annotations

import math

import numpy as np

from .._validation import as_scalar, materialized


class StepSequence:
    """The steps of updates ``0 .. T-1`` (update ``k`` uses entry ``k``): a constant, an explicit array, or a
    rule ``rule(k0, k1) -> steps of updates k0 .. k1-1`` evaluated window by window.

    Use :meth:`constant`, :meth:`explicit` or :meth:`from_rule`.
    """

    def __init__(self, length, one=None, array=None, rule=None, peak=None):
        self.length = int(length)
        self._one, self._array, self._rule, self._peak = one, array, rule, peak

    @classmethod
    def constant(cls, value, length):
        """The same step at every update (a kernel broadcasts a window of length 1)."""
        return cls(length, one=np.array([float(value)]))

    @classmethod
    def explicit(cls, array):
        """Steps given as an array (the caller's memory; windows are views of it)."""
        array = np.ascontiguousarray(array, dtype=np.float64)
        return cls(array.shape[0], array=array)

    @classmethod
    def from_rule(cls, rule, length, peak):
        """Steps computed on demand by ``rule(k0, k1)`` (a float array of length ``k1 - k0``), none above ``peak``
        (a schedule's base: ``eta_t = base m_t`` with ``m_t <= 1``)."""
        return cls(length, rule=rule, peak=float(peak))

    @property
    def is_constant(self):
        return self._one is not None

    def window(self, k0, k1):
        """The steps of updates ``k0 .. k1-1`` as a contiguous float64 array; a constant gives its one value."""
        if self._one is not None:
            return self._one
        if not 0 <= k0 <= k1 <= self.length:
            raise ValueError(f"steps: updates {k0} .. {k1 - 1} are outside 0 .. {self.length - 1}")
        if self._array is not None:
            return self._array[k0:k1]
        return np.ascontiguousarray(self._rule(k0, k1), dtype=np.float64)

    def values(self, k0, k1):
        """The steps of updates ``k0 .. k1-1``, always ``k1 - k0`` of them (a constant broadcast)."""
        w = self.window(k0, k1)
        return np.broadcast_to(w, (k1 - k0,)) if self._one is not None else w

    def max(self):
        """The largest step of the run (for a rule, its ``peak``: a run of 2^63 steps is never scanned)."""
        if self._one is not None:
            return float(self._one[0])
        if self._array is not None:
            return float(np.max(self._array)) if self.length else -math.inf
        return self._peak


def as_step_sequence(steps, length):
    """A :class:`StepSequence` from one (a plan's ``step_seq``): an array of length 1 is a constant."""
    if isinstance(steps, StepSequence):
        return steps
    steps = np.asarray(steps, dtype=np.float64)
    if steps.shape == (1,):
        return StepSequence.constant(steps[0], length)
    return StepSequence.explicit(steps)


AVERAGED = ("uniform", "suffix", "step_weighted", "t_weighted")


class AveragingWeights:
    """The weights ``w_0 .. w_T`` of the iterates ``x_0 .. x_T`` of an averaged output, a window at a time.

    ``uniform``: 1 on ``x_s .. x_{s+T-1}`` with ``s = average_from`` (0: the average of x_0..x_{T-1},
    catalogue 1.3; 1: of x_1..x_T, catalogue 1.5); ``suffix``: 1 on the last ``ceil(suffix T)`` of x_1..x_T
    (Rakhlin, Shamir & Sridharan 2012); ``step_weighted``: ``gamma_j`` on x_0..x_{T-1} (catalogue 1.1);
    ``t_weighted``: ``j + 1`` on x_0..x_T (Lacoste-Julien, Schmidt & Bach 2012, catalogue 1.2 with x_0 as
    their x_1).  With ``T = 0`` the output is ``x_0`` (weight 1).
    """

    def __init__(self, output, steps, step_seq=None, suffix=0.5, average_from=0):
        if output not in AVERAGED:
            raise ValueError(f"output: {output!r} is not an averaged output ({', '.join(AVERAGED)})")
        self.output, self.T = output, int(steps)
        if output == "uniform" and average_from not in (0, 1):
            raise ValueError(f"average_from: must be 0 or 1, got {average_from!r}")
        self.start = average_from
        if output == "suffix":
            suffix = as_scalar(suffix, "suffix", positive=True, upper=1.0)
            self.first_kept = self.T + 1 - max(1, int(np.ceil(suffix * self.T)))
        if output == "step_weighted":
            if step_seq is None:
                raise ValueError("step_seq: the step-weighted average needs the run's steps")
            self.steps = as_step_sequence(step_seq, self.T)

    def window(self, j0, j1):
        """The weights of iterates ``j0 .. j1-1`` (``0 <= j0 <= j1 <= T + 1``)."""
        T = self.T
        if not 0 <= j0 <= j1 <= T + 1:
            raise ValueError(f"avg_w: iterates {j0} .. {j1 - 1} are outside 0 .. {T}")
        j = np.arange(j0, j1)
        if T == 0:
            return np.ones(j.shape)
        if self.output == "uniform":
            return ((j >= self.start) & (j < self.start + T)).astype(np.float64)
        if self.output == "suffix":
            return (j >= self.first_kept).astype(np.float64)
        if self.output == "t_weighted":
            return (j + 1).astype(np.float64)
        w = np.zeros(j.shape)  # step_weighted: gamma_j on x_0 .. x_{T-1}, nothing on x_T
        end = min(j1, T)
        if end > j0:
            w[:end - j0] = self.steps.values(j0, end)
        return w


def averaging_weights(output, steps, step_seq=None, suffix=0.5, average_from=0):
    """All the weights ``w_0 .. w_T`` of an averaged output as one array (see :class:`AveragingWeights`);
    refused past ``MAX_MATERIALIZED`` values, naming ``steps``.  Runs use the windows instead."""
    T = materialized(steps, f"the {output} average's weights")
    return AveragingWeights(output, T, step_seq, suffix, average_from).window(0, T + 1)
