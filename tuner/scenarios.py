"""Synthetic cost sequences that try to trap a policy, and a player that replays one.

Each scenario is a table: the cost of every arm on every instance of a sequence (and whether it
was censored at a cap), with a context per instance for the contextual ones. A policy is
replayed against it through the ask/tell :class:`~tuner.Tuner`, one trial at a time or in
batches of outstanding trials (parallel workers), and its total is compared with the best
fixed arm in hindsight and with the instance-optimal arm. All randomness comes from the seed,
and every policy sees the same costs.

The cost curves are SOR-like: ``log(tol) / log(rho(omega))`` iterations with ``rho`` from
Young's formula for a Jacobi spectral radius ``mu`` (one minimum at
``omega_opt = 2 / (1 + sqrt(1 - mu^2))``, a gentle slope below it and a steep one above),
capped at ``maxiter``.

Examples
--------
>>> from tuner import default_policy
>>> s = make_scenario("plateau", steps=300, seed=0)
>>> int(s.censored[0].sum()), s.arms.size
(15, 20)
>>> result = play(default_policy(s.arms, seed=0), s)
>>> result.total / s.best_fixed_total < 2.0
True
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ._validate import check_cost, check_positive_int
from .errors import ContextOutOfBoundsWarning
from .tuner import Tuner

ARMS = np.linspace(1.0, 1.95, 20)
MAXITER = 10_000


def omega_opt(mu):
    """SOR's optimal relaxation for a consistently ordered matrix with Jacobi radius ``mu``."""
    return 2.0 / (1.0 + np.sqrt(1.0 - np.asarray(mu, dtype=float) ** 2))


def mu_for(omega):
    """The Jacobi radius whose optimal relaxation is ``omega`` (inverse of :func:`omega_opt`)."""
    omega = np.asarray(omega, dtype=float)
    return np.sqrt(1.0 - ((2.0 - omega) / omega) ** 2)


def sor_iterations(arms, mu, *, tol=1e-8, maxiter=MAXITER):
    """SOR iterations to reduce the error by ``tol`` at each omega in ``arms`` (rows for an
    array of ``mu``), from the asymptotic rate, capped at ``maxiter``; and the censored flags."""
    w = np.asarray(arms, dtype=float)[None, :]
    mu = np.atleast_1d(np.asarray(mu, dtype=float))[:, None]
    disc = np.maximum(w * w * mu * mu - 4.0 * (w - 1.0), 0.0)
    below = ((w * mu + np.sqrt(disc)) / 2.0) ** 2
    rho = np.where(w < omega_opt(mu), below, w - 1.0)
    with np.errstate(divide="ignore"):
        iterations = np.ceil(np.log(tol) / np.log(np.minimum(rho, 1.0 - 1e-15)))
    return np.minimum(iterations, maxiter), iterations >= maxiter


@dataclass
class Scenario:
    """A cost table for a sequence of instances.

    Attributes
    ----------
    name : str
    arms : ndarray, shape (K,)
    costs : ndarray, shape (T, K)
        The cost of each arm on each instance.
    censored : ndarray of bool, shape (T, K)
        Whether the cost is a cap (the solve was stopped).
    contexts : ndarray, shape (T,), or None
        The context of each instance (contextual scenarios).
    bounds : (float, float) or None
        The context bounds a contextual policy is given (they may be wrong on purpose).
    smooth : bool
        Whether the scenario is one of the smooth ones (tighter target).
    change : int or None
        The instance at which the costs change abruptly, if they do.
    """

    name: str
    arms: np.ndarray
    costs: np.ndarray
    censored: np.ndarray
    contexts: np.ndarray | None = None
    bounds: tuple | None = None
    smooth: bool = False
    change: int | None = None
    description: str = field(default="", repr=False)

    @property
    def steps(self) -> int:
        return self.costs.shape[0]

    @property
    def best_fixed_total(self) -> float:
        """Total of the best single arm in hindsight."""
        return float(self.costs.sum(axis=0).min())

    @property
    def optimal_total(self) -> float:
        """Total of the best arm of each instance."""
        return float(self.costs.min(axis=1).sum())

    def best_fixed_over(self, start, stop) -> float:
        """Total of the best single arm over instances ``start:stop``."""
        return float(self.costs[start:stop].sum(axis=0).min())


@dataclass
class Play:
    """A policy's replay of a scenario: the arm it chose and what it paid on each instance."""

    arms: np.ndarray
    costs: np.ndarray

    @property
    def total(self) -> float:
        return float(self.costs.sum())


def play(policy, scenario: Scenario, *, batch: int = 1, scale: float = 1.0) -> Play:
    """Replay ``policy`` against ``scenario`` through a :class:`~tuner.Tuner`.

    ``batch`` trials are asked before any of them is told (``batch`` parallel workers that
    start together); they are then told in the order asked. A contextual policy on a scenario
    without contexts sees the middle of its bounds every time. The policy is told the costs
    times ``scale`` (another unit); the returned costs are the scenario's.
    """
    batch = check_positive_int(batch, "batch")
    scale = check_cost(scale, "scale")
    tuner = Tuner(policy, keep_history=False)
    steps = scenario.steps
    chosen = np.empty(steps, dtype=np.int64)
    arms = np.asarray(policy.arms)
    index = {float(v): i for i, v in enumerate(scenario.arms)}
    columns = np.array([index[float(v)] for v in arms])
    contexts = scenario.contexts
    if policy.contextual and contexts is None:
        contexts = np.full(steps, 0.5 * (policy.bounds[0] + policy.bounds[1]))
    with warnings.catch_warnings():
        # Misdeclared bounds are a scenario: the clipping is expected, not news.
        warnings.simplefilter("ignore", ContextOutOfBoundsWarning)
        _replay(tuner, scenario, batch, columns, contexts if policy.contextual else None,
                chosen, float(scale))
    return Play(chosen, scenario.costs[np.arange(steps), chosen])


def _replay(tuner, scenario, batch, columns, contexts, chosen, scale):
    steps = scenario.steps
    for first in range(0, steps, batch):
        trials = []
        for t in range(first, min(first + batch, steps)):
            context = None if contexts is None else float(contexts[t])
            trials.append((t, tuner.ask(context)))
        for t, trial in trials:
            column = columns[trial.arm]
            chosen[t] = column
            tuner.tell(trial, scale * float(scenario.costs[t, column]),
                       censored=bool(scenario.censored[t, column]))


def _noisy(base, rng, sigma, shape):
    return base * np.exp(rng.normal(0.0, sigma, shape))


def _sor_table(mu, rng, *, sigma=0.05, tol=1e-8, maxiter=MAXITER, arms=ARMS):
    """SOR iterations per instance (a row per ``mu``) with multiplicative instance noise."""
    costs, censored = sor_iterations(arms, mu, tol=tol, maxiter=maxiter)
    steps = costs.shape[0]
    noisy = np.maximum(np.round(_noisy(costs, rng, sigma, (steps, 1))), 1.0)
    censored = censored | (noisy >= maxiter)
    return np.where(censored, float(maxiter), noisy), censored


def _bowls(arms, steps, rng, sigma=0.05):
    """Two basins: a local minimum of 100 at the start arm (1.45), the global one of 80 at
    1.85."""
    w = arms[None, :]
    local = 100.0 * (1.0 + 30.0 * (w - 1.45) ** 2)
    far = 80.0 * (1.0 + 60.0 * (w - 1.85) ** 2)
    base = np.repeat(np.minimum(local, far), steps, axis=0)
    return _noisy(base, rng, sigma, (steps, 1)), np.zeros(base.shape, dtype=bool)


def make_scenario(name: str, *, steps: int = 3000, seed: int = 0) -> Scenario:
    """Build the scenario ``name`` (one of :data:`SCENARIOS`) with ``steps`` instances."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}")
    rng = np.random.default_rng([seed, list(SCENARIOS).index(name)])
    arms = ARMS
    smooth = name in SMOOTH
    contexts = bounds = change = None
    mu = np.full(steps, mu_for(1.75))
    if name in ("smooth", "lognormal noise", "pareto noise", "outliers"):
        costs, censored = _sor_table(mu, rng)
        if name == "lognormal noise":
            costs = costs * np.exp(rng.normal(0.0, 0.5, costs.shape))
        elif name == "pareto noise":
            costs = costs * (1.0 + rng.pareto(1.5, costs.shape)) / 3.0
        elif name == "outliers":
            hard = rng.random(steps) < 0.01
            costs[hard], censored[hard] = MAXITER, True
    elif name == "double minimum":
        costs, censored = _bowls(arms, steps, rng)
    elif name == "plateau":
        costs, censored = _sor_table(np.full(steps, 0.99974), rng, tol=1e-14)
    elif name == "bump":
        costs, censored = _sor_table(np.full(steps, mu_for(1.9)), rng)
        costs[:, 10] = 1.25 * costs[:, 9]
    elif name in ("jump", "jump with context"):
        change = steps - steps // 6
        mu = np.where(np.arange(steps) < change, mu_for(1.55), mu_for(1.9))
        costs, censored = _sor_table(mu, rng)
        if name == "jump with context":
            contexts, bounds = rng.random(steps), (0.0, 1.0)
    elif name == "drift":
        costs, censored = _sor_table(mu_for(np.linspace(1.5, 1.9, steps)), rng)
    elif name == "quadratic":
        base = 100.0 * (1.0 + 4.0 * (arms[None, :] - 1.6) ** 2)
        costs = _noisy(np.repeat(base, steps, axis=0), rng, 0.05, (steps, 1))
        censored = np.zeros(costs.shape, dtype=bool)
    elif name in ("context", "bounds too narrow", "bounds too wide"):
        contexts = rng.random(steps) * 4.0
        costs, censored = _sor_table(mu_for(1.3 + 0.15 * contexts), rng)
        bounds = {"context": (0.0, 4.0), "bounds too narrow": (0.0, 1.0),
                  "bounds too wide": (0.0, 100.0)}[name]
    return Scenario(name, arms, costs, censored, contexts, bounds, smooth, change,
                    SCENARIOS[name])


SCENARIOS = {
    "smooth": "one minimum (omega_opt 1.75), 5% instance noise",
    "double minimum": "a local minimum at the start (1.45), the global one 20% lower at 1.85",
    "plateau": "15 arms capped at 10000 (censored), the best at the far end",
    "bump": "the arm next to the start 25% worse than the start, the minimum beyond it",
    "jump": "omega_opt jumps from 1.55 to 1.9 after 5/6 of the steps",
    "jump with context": "the same jump, with a context that says nothing about the cost",
    "drift": "omega_opt drifts from 1.5 to 1.9 over the run",
    "outliers": "1% of the instances capped at 10000 on every arm",
    "lognormal noise": "smooth, times lognormal noise (sigma 0.5) per instance and arm",
    "pareto noise": "smooth, times Pareto noise (shape 1.5, mean 1) per instance and arm",
    "quadratic": "cost 100 (1 + 4 (omega - 1.6)^2), 5% noise",
    "context": "omega_opt = 1.3 + 0.15 c for contexts c in [0, 4], bounds right",
    "bounds too narrow": "the same, with bounds (0, 1) declared: 3/4 of the contexts clipped",
    "bounds too wide": "the same, with bounds (0, 100) declared",
}
"""The scenarios by name, with what each one is."""
SMOOTH = ("smooth", "double minimum", "drift", "lognormal noise", "pareto noise", "quadratic",
          "context")
"""The smooth scenarios (one or two smooth minima, slow drift, heavy-tailed noise)."""
