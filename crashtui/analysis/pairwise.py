"""numpy's float64 sums in plain Python: the same pairwise summation, so the same bits.

numpy adds a float64 array (``a.sum()``, ``a.mean()``, ``np.add.reduce``) by pairwise
summation (``pairwise_sum`` in ``numpy/_core/src/umath/loops_utils.h.src``), not left to right:

* fewer than 8 values: a plain loop;
* up to 128: eight interleaved accumulators ``r[j]`` over elements ``j, j+8, j+16, …``,
  combined as ``((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))``, then the leftover elements in order;
* more: split at ``n2 = n//2 − (n//2) % 8`` and add the two halves' sums.

A whole-array reduction starts from the identity 0.0 (``0.0 + pairwise(a)``); one segment of
``np.add.reduceat`` starts from its first element (``a[s] + pairwise(a[s+1:e])``). The zones and
the liquidation map were written with numpy; these keep their results bit for bit without
importing it (16 MiB and ~60 ms). Python's built-in ``sum`` is not a substitute: it adds left to
right, and from Python 3.12 compensates the rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from operator import add

_BLOCK = 128  # numpy's PW_BLOCKSIZE
_UNROLL = 8


def _pairwise(a: Sequence[float], lo: int, n: int) -> float:
    """numpy's ``pairwise_sum`` of ``a[lo:lo+n]``."""
    if n < _UNROLL:
        return float(reduce(add, a[lo : lo + n], -0.0))
    if n <= _BLOCK:
        body = lo + n - n % _UNROLL
        r = [reduce(add, a[lo + j + _UNROLL : body : _UNROLL], a[lo + j]) for j in range(_UNROLL)]
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        return float(reduce(add, a[body : lo + n], res))
    n2 = n // 2
    n2 -= n2 % _UNROLL
    return _pairwise(a, lo, n2) + _pairwise(a, lo + n2, n - n2)


def pairwise_sum(values: Sequence[float]) -> float:
    """The sum numpy gives for ``np.array(values, dtype=np.float64).sum()`` (0.0 when empty)."""
    return 0.0 + _pairwise(values, 0, len(values))


def pairwise_mean(values: Sequence[float]) -> float:
    """The mean numpy gives for ``np.array(values, dtype=np.float64).mean()``; ``values`` non-empty."""
    return pairwise_sum(values) / len(values)


def segment_sum(values: Sequence[float], start: int, stop: int) -> float:
    """One segment of ``np.add.reduceat(values, starts)``: ``values[start:stop]``, ``stop > start``."""
    return values[start] + _pairwise(values, start + 1, stop - start - 1)
