"""Policies and synthetic bandits shared by the tuner tests.

Kept out of ``conftest.py`` so that test modules can parametrise over ``POLICIES`` at collection
time: a policy added here gets the whole contract suite (``test_policy_contract.py``) for free.
The bandits are plain NumPy; nothing here imports ``solvers`` or ``problems``.
"""

from __future__ import annotations

import numpy as np

from tuner import ChebCB, Fixed, RobustLCB, TsallisINF, TsallisINFCB, UnimodalLCB

ARMS = np.array([1.0, 1.2, 1.4, 1.6, 1.8])
BOUNDS = (0.0, 1.0)

#: (name, factory(seed) -> policy); every policy of the package, on the same grid.
POLICIES = [
    ("TsallisINF", lambda seed: TsallisINF(ARMS, seed=seed)),
    ("TsallisINFCB", lambda seed: TsallisINFCB(ARMS, BOUNDS, bins=3, seed=seed)),
    ("ChebCB", lambda seed: ChebCB(ARMS, BOUNDS, seed=seed)),
    ("Fixed", lambda seed: Fixed(ARMS, value=1.4, seed=seed)),
    # Started at the first arm, away from the best of the bandit below, so it has to learn.
    ("UnimodalLCB", lambda seed: UnimodalLCB(ARMS, start=1.0, seed=seed)),
    ("UnimodalLCB-context", lambda seed: UnimodalLCB(ARMS, BOUNDS, start=1.0, seed=seed)),
    ("RobustLCB", lambda seed: RobustLCB(ARMS, start=1.0, seed=seed)),
    ("RobustLCB-context", lambda seed: RobustLCB(ARMS, BOUNDS, start=1.0, seed=seed)),
]
POLICY_IDS = [name for name, _ in POLICIES]
LEARNERS = [case for case in POLICIES if case[0] != "Fixed"]
LEARNER_IDS = [name for name, _ in LEARNERS]
#: The randomised learners of the reference (their first choice is uniform).
RANDOMISED = [case for case in LEARNERS if not case[0].endswith(("LCB", "LCB-context"))]
RANDOMISED_IDS = [name for name, _ in RANDOMISED]
#: The contextual policies.
CONTEXTUAL = [case for case in POLICIES if case[0] in ("TsallisINFCB", "ChebCB",
                                                        "UnimodalLCB-context",
                                                        "RobustLCB-context")]
CONTEXTUAL_IDS = [name for name, _ in CONTEXTUAL]

#: Mean excess cost of each arm in the stochastic bandit: arm 2 (value 1.4) is best.
EXCESS_MEANS = np.array([8.0, 4.0, 2.0, 5.0, 9.0])


def context_for(policy, rng):
    """A uniform context in ``BOUNDS`` for a contextual policy, None otherwise."""
    return float(rng.uniform(*BOUNDS)) if policy.contextual else None


def play_bandit(policy, rounds, seed):
    """Play ``rounds`` rounds of the bandit with costs ``1 + Exponential(EXCESS_MEANS[i])``.

    Returns the expected cost ``1 + EXCESS_MEANS[i]`` of each arm played (less noisy to compare
    than the drawn costs).
    """
    rng = np.random.default_rng(seed)
    expected = np.empty(rounds)
    for t in range(rounds):
        context = context_for(policy, rng)
        arm, p = policy.choose(context)
        policy.update(arm, p, 1.0 + rng.exponential(EXCESS_MEANS[arm]), context)
        expected[t] = 1.0 + EXCESS_MEANS[arm]
    return expected
