"""SequenceReport: what a tuner cost over a sequence, beside fixed values and the oracle."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class SequenceReport:
    """Per-instance costs of a tuned run and of its comparators.

    Attributes
    ----------
    policy : str
        Name of the tuner's policy.
    values, arms, probabilities : ndarray, shape (T,)
        The value the tuner chose for each instance, its arm index and the probability it was
        drawn with.
    contexts : ndarray, shape (T,)
        Each instance's context (NaN where it had none).
    costs : ndarray, shape (T,)
        What the tuner's choices cost.
    censored : ndarray of bool, shape (T,)
        Which of those costs are caps (stopped solves).
    baseline_values : ndarray, shape (B,)
        The fixed values also evaluated on every instance.
    baseline_costs, baseline_censored : ndarray, shape (B, T)
        Their costs and censoring flags.
    oracle_costs, oracle_censored : ndarray, shape (T,), or None
        The instance-optimal cost of each instance and its censoring flag, when an oracle was
        given.

    Examples
    --------
    >>> import numpy as np
    >>> report = SequenceReport(
    ...     policy="TsallisINF", values=np.array([1.0, 1.5]), arms=np.array([0, 1]),
    ...     probabilities=np.array([0.5, 0.5]), contexts=np.array([np.nan, np.nan]),
    ...     costs=np.array([30.0, 12.0]), censored=np.array([False, False]),
    ...     baseline_values=np.array([1.0, 1.5]),
    ...     baseline_costs=np.array([[30.0, 28.0], [14.0, 12.0]]),
    ...     baseline_censored=np.zeros((2, 2), dtype=bool))
    >>> report.total, report.best_fixed
    (42.0, (1.5, 26.0))
    """

    policy: str
    values: np.ndarray
    arms: np.ndarray
    probabilities: np.ndarray
    contexts: np.ndarray
    costs: np.ndarray
    censored: np.ndarray
    baseline_values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    baseline_costs: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    baseline_censored: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    oracle_costs: np.ndarray | None = None
    oracle_censored: np.ndarray | None = None

    @property
    def n(self) -> int:
        """Number of instances."""
        return int(self.costs.size)

    @property
    def total(self) -> float:
        """Total cost of the tuner's choices."""
        return float(self.costs.sum())

    @property
    def mean(self) -> float:
        """Mean cost per instance of the tuner's choices (NaN for an empty sequence)."""
        return self.total / self.n if self.n else float("nan")

    @property
    def baseline_totals(self) -> np.ndarray:
        """Total cost of each fixed value, shape (B,)."""
        return self.baseline_costs.sum(axis=1) if self.baseline_costs.size else \
            np.zeros(self.baseline_values.size)

    @property
    def baseline_means(self) -> np.ndarray:
        """Mean cost per instance of each fixed value, shape (B,)."""
        return self.baseline_totals / self.n if self.n else \
            np.full(self.baseline_values.size, np.nan)

    @property
    def best_fixed(self) -> tuple[float, float] | None:
        """``(value, total)`` of the fixed value with the smallest total, in hindsight.

        Chosen among the baselines (the first on a tie); None without baselines.
        """
        if self.baseline_values.size == 0:
            return None
        totals = self.baseline_totals
        best = int(np.argmin(totals))
        return float(self.baseline_values[best]), float(totals[best])

    @property
    def oracle_total(self) -> float | None:
        """Total instance-optimal cost, when an oracle was given."""
        return None if self.oracle_costs is None else float(self.oracle_costs.sum())

    @property
    def regret(self) -> float | None:
        """The tuner's total minus the best fixed value's total (None without baselines)."""
        best = self.best_fixed
        return None if best is None else self.total - best[1]

    def table(self) -> str:
        """A printable table: total, mean, censored count and ratio to the tuner per method."""
        rows = [(f"tuner ({self.policy})", self.total, self.censored)]
        for value, costs, censored in zip(self.baseline_values, self.baseline_costs,
                                          self.baseline_censored, strict=True):
            rows.append((f"fixed {value:g}", float(costs.sum()), censored))
        best = self.best_fixed
        if best is not None:
            index = int(np.argmin(self.baseline_totals))
            rows.append((f"best fixed ({best[0]:g})", best[1], self.baseline_censored[index]))
        if self.oracle_costs is not None:
            censored = (np.zeros(self.n, dtype=bool) if self.oracle_censored is None
                        else self.oracle_censored)
            rows.append(("instance-optimal", self.oracle_total, censored))
        width = max(len(name) for name, _, _ in rows)
        lines = [f"{'method':<{width}}  {'total':>12}  {'mean':>10}  {'censored':>8}  "
                 f"{'/ tuner':>7}"]
        for name, total, censored in rows:
            mean = total / self.n if self.n else float("nan")
            ratio = total / self.total if self.total else float("nan")
            lines.append(f"{name:<{width}}  {total:>12.6g}  {mean:>10.4g}  "
                         f"{int(np.count_nonzero(censored)):>8d}  {ratio:>7.3f}")
        return "\n".join(lines)
