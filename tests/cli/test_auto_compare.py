"""How ``auto`` is compared with every other method: each runs the whole sequence unless its
first steps show it far slower than the fastest fixed configuration, whatever the order."""

import numpy as np
import pytest

from cli.auto_compare import AUTO, HeatSequence, compare


def _compare(cut, progress=None):
    return compare(HeatSequence(8, 12), rounds=2, probe=3, cut=cut, progress=progress)


def test_a_method_far_slower_on_its_first_steps_is_estimated_from_them():
    c = _compare(cut=0.0)              # every method is "slower" than 0 x the fastest
    assert AUTO not in c.estimated     # auto always runs the whole sequence
    assert c.estimated == set(c.totals) - {AUTO}
    assert all(np.isfinite(v) and v > 0 for v in c.totals.values())


def test_no_method_is_estimated_when_none_is_far_slower():
    c = _compare(cut=1e9)
    assert c.estimated == set()
    assert len(c.autos) == 2 and all(len(run.configs) == 12 for run in c.autos)


@pytest.mark.parametrize("cut", [0.0, 1.5, 1e9])
def test_progress_counts_every_step_of_every_method_once(cut):
    counted = []
    c = _compare(cut, progress=counted.append)
    assert sum(counted) == 12 * len(c.totals) * 2
