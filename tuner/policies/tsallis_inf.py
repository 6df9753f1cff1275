"""Tsallis-INF: the 1/2-Tsallis-entropy bandit with implicit normalisation."""

from __future__ import annotations

import math

import numpy as np

from ._kernels import newton_gap
from .base import Policy

NEWTON_STEPS = 20


def tsallis_newton(z, eta: float, *, steps: int = NEWTON_STEPS) -> tuple[np.ndarray, float]:
    """Solve Tsallis-INF's normalisation ``sum_i 4 / (eta (z_i - x))^2 = 1`` for ``x < min z``.

    Newton's method in ``x`` from ``x = -1``, ``x <- x - (sum p - 1) / (eta sum p^{3/2})``, run
    for ``steps`` steps, with two safeguards:

    * the iteration works in the gap ``u = min z - x > 0`` and the shifted losses
      ``z - min z >= 0``, so large losses lose no digits to cancellation;
    * ``u`` is kept in a bracket that holds the root, starting from
      ``[2 / eta, 2 sqrt(K) / eta]`` (the best arm alone has ``p <= 1``, and ``K`` arms with
      ``p <= 4 / (eta u)^2`` each must reach 1) and narrowed by the sign of ``sum p - 1`` at every
      step. A start or a Newton step that leaves it (such as an overshoot past the pole at
      ``min z``, which the plain iteration makes once the losses are large) is moved to the
      bracket's end it passed.

    Where no safeguard fires this is the plain iteration. The sum is a convex, decreasing
    function of ``u`` and the bracket's lower end always has ``sum p >= 1``, so from there
    Newton climbs to the root monotonically, growing ``u`` by up to half per step and then
    converging quadratically: 20 steps leave ``sum p`` within rounding of 1 for any realistic
    number of arms (hundreds).

    Parameters
    ----------
    z : array_like, shape (K,)
        Scaled cumulative losses ``K_i / s`` (finite).
    eta : float > 0
        Learning rate.
    steps : int
        Number of Newton steps.

    Returns
    -------
    p : ndarray, shape (K,)
        ``4 / (eta (z - x))^2`` at the final ``x``: not renormalised.
    x : float
        The normaliser.

    Examples
    --------
    Equal losses give the uniform distribution, ``x = min z - sqrt(K)`` at ``eta = 2``:

    >>> p, x = tsallis_newton([0.0, 0.0, 0.0, 0.0], 2.0)
    >>> p.tolist(), x
    ([0.25, 0.25, 0.25, 0.25], -2.0)
    """
    z = np.asarray(z, dtype=np.float64)
    zmin = float(z.min())
    p = np.empty_like(z)
    u = newton_gap(z - zmin, zmin, float(eta), int(steps), p)
    return p, zmin - u


class TsallisCore:
    """The state of one Tsallis-INF learner, without a generator (shared by the binned policy).

    ``losses[i]`` is the importance-weighted cumulative loss ``K_i``; the scale ``s`` is the mean
    cost so far minus one.
    """

    def __init__(self, n_arms: int):
        self.losses = np.zeros(n_arms)
        self.n_costs = 0
        self.cost_sum = 0.0

    @property
    def t(self) -> int:
        """The 1-based round: one more than the number of costs learned from."""
        return self.n_costs + 1

    @property
    def eta(self) -> float:
        """Learning rate ``2 / sqrt(t)``."""
        return 2.0 / math.sqrt(self.t)

    @property
    def scale(self) -> float:
        """``mean(costs) - 1``; 1 before any cost and whenever that mean is <= 1."""
        if self.n_costs == 0:
            return 1.0
        s = self.cost_sum / self.n_costs - 1.0
        return s if s > 0.0 else 1.0

    def probabilities(self) -> np.ndarray:
        p, _ = tsallis_newton(self.losses / self.scale, self.eta)
        return p / p.sum()

    def update(self, arm: int, probability: float, cost: float) -> None:
        self.n_costs += 1
        self.cost_sum += cost
        self.losses[arm] += (cost - 1.0) / probability

    def to_dict(self) -> dict:
        return {"losses": self.losses.tolist(), "n_costs": self.n_costs,
                "cost_sum": self.cost_sum}

    @classmethod
    def from_dict(cls, state: dict, n_arms: int) -> TsallisCore:
        core = cls(n_arms)
        losses = np.array(state["losses"], dtype=np.float64)
        if losses.shape != (n_arms,):
            raise TypeError(f"losses must hold {n_arms} numbers; got shape {losses.shape}")
        core.losses = losses
        core.n_costs = int(state["n_costs"])
        core.cost_sum = float(state["cost_sum"])
        return core


class TsallisINF(Policy):
    """Tsallis-INF (1/2-Tsallis entropy, implicitly normalised) over a grid of arms.

    In round ``t`` (1-based: one more than the number of costs learned from) the learning rate
    is ``eta = 2 / sqrt(t)`` and arm ``i`` has probability ``p_i = 4 / (eta (K_i / s - x))^2``,
    where ``K_i`` is its importance-weighted cumulative loss, ``s`` the scale and ``x`` the
    normaliser found by :func:`tsallis_newton`. After arm ``i``, drawn with probability ``p_i``,
    costs ``c``: ``K_i += (c - 1) / p_i`` and ``s = mean(costs so far) - 1``. The first round is
    uniform.

    Parameters
    ----------
    arms : array_like of float, shape (K,)
        The parameter values to choose from (finite, distinct).
    seed : None, int or numpy.random.Generator
        Seeds the generator :meth:`choose` draws from.

    Notes
    -----
    Guards added to the reference formulas:

    * the Newton iteration is safeguarded (see :func:`tsallis_newton`) and the final
      probabilities are divided by their sum, so they sum to one to rounding;
    * the scale ``s`` is 1 before the first cost and whenever the mean cost is <= 1 (the
      reference's ``mean - 1`` would be zero or negative there).

    Costs are meant to be >= 1 (iteration counts; 1 is the ideal). A cost below 1 is accepted
    and counts as a negative loss, which rewards the arm that paid it.

    With delayed feedback (several choices before their costs arrive), every choice made
    between two updates uses the same round ``t``, and each update uses the probability its arm
    was drawn with.

    Examples
    --------
    >>> import numpy as np
    >>> policy = TsallisINF(np.linspace(1.0, 1.95, 20), seed=0)
    >>> policy.probabilities()[:3]
    array([0.05, 0.05, 0.05])
    >>> arm, p = policy.choose()
    >>> policy.update(arm, p, cost=40.0)
    >>> float(policy.probabilities().sum())
    1.0
    """

    SHIFTED_COSTS = True

    def __init__(self, arms, seed=None):
        super().__init__(arms, seed)
        self._core = TsallisCore(self.n_arms)

    @property
    def t(self) -> int:
        """The 1-based round the next choice belongs to."""
        return self._core.t

    @property
    def eta(self) -> float:
        """The current learning rate ``2 / sqrt(t)``."""
        return self._core.eta

    @property
    def scale(self) -> float:
        """The current loss scale ``s``."""
        return self._core.scale

    @property
    def losses(self) -> np.ndarray:
        """A copy of the importance-weighted cumulative losses ``K_i``."""
        return self._core.losses.copy()

    def _probabilities(self, context):
        return self._core.probabilities()

    def _update(self, arm, probability, cost, context):
        self._core.update(arm, probability, cost)

    def _state(self):
        return self._core.to_dict()

    @classmethod
    def _from_state(cls, state, rng):
        policy = cls(state["arms"], seed=rng)
        policy._core = TsallisCore.from_dict(state, policy.n_arms)
        return policy
