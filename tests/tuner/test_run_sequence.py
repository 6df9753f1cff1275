"""run_sequence and its report, on deterministic toy problems with hand-computed totals."""

from dataclasses import dataclass

import numpy as np
import pytest

from tuner import ChebCB, Fixed, SequenceReport, TsallisINF, Tuner, run_sequence
from tuner.errors import ContextError, CostError, ParameterTypeError


@dataclass
class Toy:
    """An instance whose best value is its context."""

    context: float


def solve(instance, value):
    """Iterations: 1 + 100 (value - context)^2, capped (and censored) at 50."""
    cost = 1.0 + 100.0 * (value - instance.context) ** 2
    return (50.0, True) if cost > 50.0 else (cost, False)


def test_fixed_tuner_totals_by_hand():
    instances = [Toy(1.0), Toy(1.4), Toy(1.9)]
    report = run_sequence(instances, solve, Tuner(Fixed(1.4)), baselines=[1.0, 1.4],
                          oracle=lambda inst: 1.0)
    assert isinstance(report, SequenceReport)
    # value 1.4: 1 + 16 = 17, 1, 1 + 25 = 26; value 1.0: 1, 17, 50 (capped; 82 uncapped).
    np.testing.assert_allclose(report.costs, [17.0, 1.0, 26.0])
    np.testing.assert_array_equal(report.values, [1.4, 1.4, 1.4])
    np.testing.assert_array_equal(report.contexts, [1.0, 1.4, 1.9])
    np.testing.assert_allclose(report.baseline_costs, [[1.0, 17.0, 50.0], [17.0, 1.0, 26.0]])
    np.testing.assert_array_equal(report.baseline_censored, [[False, False, True], [False] * 3])
    assert report.total == pytest.approx(44.0) and report.mean == pytest.approx(44.0 / 3)
    np.testing.assert_allclose(report.baseline_totals, [68.0, 44.0])
    assert report.best_fixed == (1.4, pytest.approx(44.0))
    assert report.oracle_total == 3.0 and report.regret == pytest.approx(0.0)
    text = report.table()
    for name in ("tuner (Fixed)", "fixed 1", "fixed 1.4", "best fixed (1.4)", "instance-optimal"):
        assert name in text
    assert "68" in text and "44" in text


def test_censored_costs_reach_the_tuner_history():
    tuner = Tuner(Fixed(1.0))
    report = run_sequence([Toy(1.0), Toy(2.0)], solve, tuner)
    np.testing.assert_array_equal(report.censored, [False, True])
    assert [r["censored"] for r in tuner.history] == [False, True]
    assert [r["cost"] for r in tuner.history] == [1.0, 50.0]
    assert report.best_fixed is None and report.oracle_total is None and report.regret is None
    assert len(report.table().splitlines()) == 2          # header and the tuner only


def test_contextual_tuner_gets_each_instance_context_and_learns():
    rng = np.random.default_rng(0)
    instances = [Toy(float(c)) for c in rng.uniform(1.0, 1.8, 400)]
    arms = np.linspace(1.0, 1.8, 5)
    tuner = Tuner(ChebCB(arms, bounds=(1.0, 1.8), seed=0))
    report = run_sequence(instances, solve, tuner, baselines=list(arms))
    np.testing.assert_array_equal(report.contexts, [inst.context for inst in instances])
    assert [r["context"] for r in tuner.history] == list(report.contexts)
    # Contexts vary, so the best fixed value loses to a tuner that follows them.
    assert report.total < report.best_fixed[1]


def test_non_contextual_tuner_asks_without_context_but_the_report_keeps_it():
    tuner = Tuner(TsallisINF([1.0, 1.5], seed=0))
    report = run_sequence([Toy(1.2), Toy(1.3)], solve, tuner)
    assert [r["context"] for r in tuner.history] == [None, None]
    np.testing.assert_array_equal(report.contexts, [1.2, 1.3])


def test_custom_context_and_instances_without_one():
    tuner = Tuner(ChebCB([1.0, 1.5], bounds=(0.0, 10.0), seed=0))
    report = run_sequence(range(1, 4), lambda i, v: float(i) + v, tuner,
                          context=lambda i: 2.0 * i)
    np.testing.assert_array_equal(report.contexts, [2.0, 4.0, 6.0])
    with pytest.raises(ContextError, match="contextual"):
        run_sequence(range(3), lambda i, v: 2.0, Tuner(ChebCB([1.0], bounds=(0.0, 1.0))))
    plain = run_sequence(range(3), lambda i, v: 2.0, Tuner(Fixed(1.0)))
    assert np.isnan(plain.contexts).all()


def test_progress_callback_and_flag(capsys):
    calls = []
    run_sequence([Toy(1.0)] * 4, solve, Tuner(Fixed(1.0)),
                 progress=lambda done, trial, cost: calls.append((done, trial.id, cost)))
    assert calls == [(1, 0, 1.0), (2, 1, 1.0), (3, 2, 1.0), (4, 3, 1.0)]
    run_sequence([Toy(1.0)] * 20, solve, Tuner(Fixed(1.0)), progress=True)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 10 and lines[-1].startswith("run_sequence: 20 instances done")


def test_empty_sequence():
    report = run_sequence([], solve, Tuner(Fixed(1.0)), baselines=[1.0, 2.0])
    assert report.n == 0 and report.total == 0.0 and np.isnan(report.mean)
    assert report.baseline_costs.shape == (2, 0)
    assert "tuner (Fixed)" in report.table()


@pytest.mark.parametrize("returned, error, match", [
    (float("nan"), CostError, "solve"),
    (-1.0, CostError, "solve"),
    ("12", ParameterTypeError, "solve"),
    ((3.0, "no"), ParameterTypeError, "censored"),
    ((3.0, False, 1), ParameterTypeError, "pair"),
])
def test_bad_solve_results(returned, error, match):
    with pytest.raises(error, match=match):
        run_sequence([Toy(1.0)], lambda inst, value: returned, Tuner(Fixed(1.0)))


def test_bad_arguments():
    tuner = Tuner(Fixed(1.0))
    with pytest.raises(ParameterTypeError, match="tuner"):
        run_sequence([], solve, Fixed(1.0))
    with pytest.raises(ParameterTypeError, match="solve"):
        run_sequence([], 3, tuner)
    with pytest.raises(ParameterTypeError, match="baselines"):
        run_sequence([], solve, tuner, baselines=["1.0"])
    with pytest.raises(ParameterTypeError, match="oracle"):
        run_sequence([], solve, tuner, oracle=1.0)
    with pytest.raises(ParameterTypeError, match="progress"):
        run_sequence([], solve, tuner, progress="yes")
