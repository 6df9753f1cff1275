"""solvers/lsq/index_sets.py: sizes against closed forms and brute-force enumeration."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvers import ParameterError
from solvers.lsq import index_set


def _brute(name, d, p):
    rule = {"total": lambda a: sum(a) <= p,
            "hyperbolic": lambda a: math.prod(k + 1 for k in a) <= p + 1,
            "full": lambda a: max(a) <= p}[name]
    return {a for a in itertools.product(range(p + 1), repeat=d) if rule(a)}


@pytest.mark.parametrize("d, p", [(1, 0), (1, 7), (2, 5), (3, 4), (5, 3), (4, 6)])
def test_sizes_closed_forms(d, p):
    assert len(index_set("total", d, p)) == math.comb(p + d, d)
    assert len(index_set("full", d, p)) == (p + 1) ** d


@pytest.mark.parametrize("p", [0, 1, 5, 12])
def test_hyperbolic_cross_in_two_dimensions_counts_divisor_pairs(p):
    # #{(a, b): (a + 1)(b + 1) <= N} = sum_{k=1}^{N} floor(N / k), N = p + 1
    assert len(index_set("hyperbolic", 2, p)) == sum((p + 1) // k for k in range(1, p + 2))


@pytest.mark.parametrize("name", ["total", "hyperbolic", "full"])
@pytest.mark.parametrize("d, p", [(1, 4), (2, 6), (3, 4)])
def test_sets_equal_brute_force_and_are_ordered(name, d, p):
    idx = index_set(name, d, p)
    assert idx.dtype == np.int64 and idx.shape[1] == d
    assert {tuple(r) for r in idx.tolist()} == _brute(name, d, p)
    assert len(np.unique(idx, axis=0)) == len(idx)
    assert idx[0].tolist() == [0] * d
    assert np.all(np.diff(idx.sum(axis=1)) >= 0)


def test_bad_arguments():
    with pytest.raises(ParameterError, match="dim must be an integer >= 1; got 0"):
        index_set("total", 0, 3)
    with pytest.raises(ParameterError, match="degree must be an integer"):
        index_set("total", 2, 2.5)
    with pytest.raises(ParameterError, match="index_set must be one of"):
        index_set("sparse", 2, 2)


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(["total", "hyperbolic", "full"]), d=st.integers(1, 4),
       p=st.integers(0, 6))
def test_sets_are_downward_closed(name, d, p):
    idx = index_set(name, d, p)
    members = {tuple(r) for r in idx.tolist()}
    for alpha in members:
        for k in range(d):
            if alpha[k] > 0:
                assert alpha[:k] + (alpha[k] - 1,) + alpha[k + 1:] in members
