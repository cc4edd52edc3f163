"""numpy's float64 sums reproduced in plain Python: same bits as numpy, which these tests import."""

from __future__ import annotations

import math
import random
from functools import reduce
from operator import add

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crashtui.analysis.pairwise import pairwise_mean, pairwise_sum, segment_sum

floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
# values of wildly different sizes make the order of additions show in the result
spread = st.builds(lambda m, e: m * 10.0**e, st.floats(-1.0, 1.0), st.integers(-12, 12))


def same(a: float, b: float) -> bool:
    """Bit-identical, NaN equal to NaN and -0.0 unequal to 0.0."""
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1.0, a) == math.copysign(1.0, b))


@settings(max_examples=400, deadline=None)
@given(st.lists(spread, max_size=300))
def test_sum_and_mean_match_numpy_bit_for_bit(values: list[float]) -> None:
    arr = np.array(values, dtype=np.float64)
    assert same(pairwise_sum(values), float(arr.sum()))
    assert same(pairwise_sum(values), float(np.add.reduce(arr)))
    if values:
        assert same(pairwise_mean(values), float(arr.mean()))


@settings(max_examples=200, deadline=None)
@given(st.lists(floats, max_size=140))
def test_special_values_match_numpy(values: list[float]) -> None:
    with np.errstate(all="ignore"):
        want = float(np.array(values, dtype=np.float64).sum())
    assert same(pairwise_sum(values), want)


SIZES = [0, 1, 7, 8, 9, 15, 16, 127, 128, 129, 136, 255, 256, 1000, 8191, 8192, 8760, 20_001]


@pytest.mark.parametrize("n", SIZES)
def test_block_and_split_boundaries_match_numpy(n: int) -> None:
    rng = random.Random(n)
    values = [rng.uniform(-1.0, 1.0) * 10.0 ** rng.randint(-8, 8) for _ in range(n)]
    assert same(pairwise_sum(values), float(np.array(values).sum()))


def test_differs_from_left_to_right_so_the_order_is_really_numpys() -> None:
    rng = random.Random(1)
    values = [rng.uniform(-1.0, 1.0) * 10.0 ** rng.randint(-8, 8) for _ in range(1000)]
    assert pairwise_sum(values) != reduce(add, values, 0.0)  # this data tells the orders apart


def test_negative_zero_sums_like_numpy() -> None:
    assert same(pairwise_sum([-0.0]), float(np.array([-0.0]).sum()))  # 0.0: the identity comes first
    assert same(pairwise_sum([]), 0.0)


@settings(max_examples=300, deadline=None)
@given(st.lists(spread, min_size=1, max_size=200), st.data())
def test_segments_match_add_reduceat(values: list[float], data: st.DataObject) -> None:
    cuts = data.draw(st.lists(st.integers(1, len(values) - 1), max_size=8)) if len(values) > 1 else []
    starts = sorted({0, *cuts})
    want = np.add.reduceat(np.array(values), starts).tolist()
    stops = [*starts[1:], len(values)]
    got = [segment_sum(values, a, b) for a, b in zip(starts, stops, strict=True)]
    assert all(same(g, w) for g, w in zip(got, want, strict=True))
