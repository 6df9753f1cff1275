"""Tsallis-INF-CB: bin centres, nearest-centre assignment, independent learners per bin."""

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from tuner import TsallisINFCB
from tuner.errors import ParameterError, ParameterTypeError


def test_centres_follow_the_reference_formula():
    policy = TsallisINFCB([1.0, 2.0], bounds=(-0.15, 0.65), bins=5)
    # a + (b - a) * linspace(0.5 / m, 1 - 0.5 / m, m) with m = 5: bin width 0.16.
    np.testing.assert_allclose(policy.centres, [-0.07, 0.09, 0.25, 0.41, 0.57], atol=1e-15)
    assert [policy.bin_of(c) for c in (-0.15, 0.1, 0.3, 0.4, 0.6, 0.65)] == [0, 1, 2, 3, 4, 4]
    one = TsallisINFCB([1.0, 2.0], bounds=(0.0, 4.0), bins=1)
    np.testing.assert_array_equal(one.centres, [2.0])


def test_each_bin_learns_only_from_its_contexts():
    policy = TsallisINFCB([1.0, 2.0], bounds=(0.0, 1.0), bins=2)       # centres 0.25, 0.75
    policy.update(0, 0.5, 3.0, context=0.1)       # bin 0: K = [4, 0], s = 2, t = 2
    policy.update(1, 0.5, 9.0, context=0.9)       # bin 1: K = [0, 16], s = 8, t = 2
    policy.update(1, 0.4, 5.0, context=0.6)       # bin 1: K = [0, 26], s = 6, t = 3

    def expected(losses, scale, t):
        z, eta = np.asarray(losses) / scale, 2 / math.sqrt(t)
        x = brentq(lambda x: np.sum(4 / (eta * (z - x)) ** 2) - 1,
                   z.min() - 2 * math.sqrt(2) / eta, z.min() - 2 / eta, xtol=1e-15)
        return 4 / (eta * (z - x)) ** 2

    np.testing.assert_allclose(policy.probabilities(0.3), expected([4, 0], 2, 2), atol=1e-12)
    np.testing.assert_allclose(policy.probabilities(0.7), expected([0, 26], 6, 3), atol=1e-12)


def test_choices_come_from_the_policy_generator():
    a = TsallisINFCB([1.0, 1.5, 2.0], bounds=(0.0, 1.0), bins=3, seed=4)
    b = TsallisINFCB([1.0, 1.5, 2.0], bounds=(0.0, 1.0), bins=3, seed=4)
    contexts = np.linspace(0, 1, 12)
    assert [a.choose(c) for c in contexts] == [b.choose(c) for c in contexts]


@pytest.mark.parametrize("bins, error", [(0, ParameterError), (2.0, ParameterTypeError),
                                         (None, ParameterTypeError)])
def test_bad_bins(bins, error):
    with pytest.raises(error, match="bins"):
        TsallisINFCB([1.0, 2.0], bounds=(0.0, 1.0), bins=bins)


def test_bad_bounds():
    with pytest.raises(ParameterError, match="a < b"):
        TsallisINFCB([1.0, 2.0], bounds=(0.5, 0.5))
