"""Fixed: one arm, probability one, nothing learned."""

import numpy as np
import pytest

from tuner import Fixed
from tuner.errors import ParameterError, ParameterTypeError


def test_single_value():
    policy = Fixed(1.6)
    np.testing.assert_array_equal(policy.arms, [1.6])
    assert policy.choose() == (0, 1.0) and policy.value == 1.6
    policy.update(0, 1.0, 25.0)
    assert policy.choose() == (0, 1.0)


def test_value_from_a_grid():
    policy = Fixed(np.linspace(1.0, 1.95, 20), value=1.5)
    assert policy.value == 1.5 and policy.index == 10
    p = policy.probabilities()
    assert p[10] == 1.0 and p.sum() == 1.0
    assert {policy.choose(context=0.3) for _ in range(5)} == {(10, 1.0)}


@pytest.mark.parametrize("kwargs, error, match", [
    ({"value_or_arms": [1.0, 1.2]}, ParameterError, "value is required"),
    ({"value_or_arms": [1.0, 1.2], "value": 1.1}, ParameterError, "one of the arms"),
    ({"value_or_arms": [1.0, 1.2], "value": "1.0"}, ParameterError, "one of the arms"),
    ({"value_or_arms": float("nan")}, ParameterError, "finite"),
    ({"value_or_arms": "fast"}, ParameterTypeError, "real"),
])
def test_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        Fixed(**kwargs)
