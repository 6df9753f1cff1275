"""ChebCB: a SquareCB-style contextual bandit with Chebyshev-polynomial cost models."""

from __future__ import annotations

import math

import numpy as np

from .._validate import check_bounds, check_positive_int
from ._chebcb_kernels import accumulate, chebyshev_features, inverse_gap, refit, weights_at
from ._lsq import bounded_refit
from .base import Policy


def inverse_gap_weights(y: np.ndarray, eta: float) -> np.ndarray:
    """Inverse-gap weighting: ``p_i = 1 / (d + eta (y_i - y*))`` for the others, the best the rest.

    ``y*`` is the smallest prediction and the best arm is the first that attains it. Arms tied
    with it get ``1 / d``; so does every arm when ``eta = 0``.

    Examples
    --------
    >>> import numpy as np
    >>> inverse_gap_weights(np.array([0.5, 0.0, 1.0]), eta=2.0).tolist()
    [0.25, 0.55, 0.2]
    """
    return inverse_gap(np.ascontiguousarray(y, dtype=np.float64), float(eta))


class ChebCB(Policy):
    """ChebCB: per-arm Chebyshev regression of the cost on the context, inverse-gap exploration.

    The context ``c`` in ``[a, b]`` is mapped to ``x = 2 (c - a) / (b - a) - 1`` in ``[-1, 1]``
    and described by the Chebyshev polynomials ``T_0(x), ..., T_{m-1}(x)``. Each arm has a
    linear model of the normalised cost ``(cost - 1) / scale``, fitted by least squares to the
    rounds in which it was played (follow the leader). After every cost, with ``K`` the largest
    cost so far, ``L = (max - min cost) / (b - a)`` and ``N = 2 + 4 (b - a) L / K (1 + log m)``:
    ``scale = K N``, and the coefficients are bounded by ``|theta_0| <= 1 / N`` and
    ``|theta_j| <= 2 (b - a) L / (scale j)``. A fit that leaves that box is redone with the
    bounds. The played arm is refitted; when the scale changes, every arm is. An arm never
    played has all-zero coefficients, so it predicts the ideal cost 1 and is favoured until tried.

    Choices use inverse-gap weighting over the predictions ``y_i``: an arm other than the best
    (smallest ``y``) has probability ``1 / (d + eta (y_i - y*))`` (``d`` arms) and the best takes
    the rest. ``eta`` starts at 0 (the first choice is uniform) and after ``t`` costs is
    ``2 t sqrt(d t / (R - resnorm + 2 alpha^2 t))``, with ``R`` the cumulative squared error of
    the predictions made for the played arms, ``resnorm`` the total squared residual of the
    current fits and ``alpha = (pi + (2 / pi) log(2 m + 1)) / (2 scale (m + 1)) (b - a) L``.

    Parameters
    ----------
    arms : array_like of float, shape (d,)
        The parameter values to choose from (finite, distinct).
    bounds : (float, float)
        The context interval ``(a, b)``, ``a < b``. A context outside it is clipped into it with
        a :class:`~tuner.errors.ContextOutOfBoundsWarning`.
    degree : int >= 1
        The number ``m`` of Chebyshev features: the model is ``T_0 ... T_{m-1}``, a polynomial
        of degree ``m - 1`` (``m = 6`` as in the reference).
    seed : None, int or numpy.random.Generator
        Seeds the generator :meth:`choose` draws from.

    Notes
    -----
    Each arm keeps its normal equations (``F^T F``, ``F^T (cost - 1)`` and the sum of
    ``(cost - 1)^2``), so an update costs ``O(d m^3)`` however long the history. The bounded
    refit solves the same problem from them (see :func:`~tuner.policies._lsq.box_fit`); both
    are compiled.
    Directions in which ``F^T F`` is numerically singular (eigenvalues below ``1e-12`` of the
    largest) are left out of the fit, as a minimum-norm solution would.

    Guards added to the reference formulas:

    * ``R`` compares each prediction with ``(cost - 1) / scale``, the quantity the models fit,
      at the current scale (kept as three running sums);
    * ``R - resnorm`` (an estimate of the regression's regret) is floored at 0, and when the
      denominator is still 0 (every cost so far equal and predicted exactly) ``eta`` keeps its
      previous value: no evidence, no change in exploration;
    * contexts are clipped into the bounds (with a warning) before the features are computed.

    With delayed feedback the prediction entering ``R`` is the played arm's prediction under
    the model in force when its cost arrives (the model it was chosen with, unless other costs
    came in between).

    Examples
    --------
    >>> policy = ChebCB([1.0, 1.5, 1.9], bounds=(0.0, 1.0), seed=0)
    >>> policy.probabilities(0.3).tolist()                          # eta = 0: uniform
    [0.3333333333333333, 0.3333333333333333, 0.3333333333333333]
    >>> for c in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):      # as many contexts as features
    ...     for arm, cost in enumerate((10.0, 20.0, 30.0)):
    ...         policy.update(arm, 1 / 3, cost, context=c)
    >>> policy.predict(0.5).round(6).tolist()
    [10.0, 20.0, 30.0]
    >>> int(policy.probabilities(0.5).argmax())
    0
    """

    SHIFTED_COSTS = True

    contextual = True

    def __init__(self, arms, bounds, degree=6, seed=None):
        super().__init__(arms, seed)
        self.bounds = check_bounds(bounds)
        self.degree = check_positive_int(degree, "degree")
        d, m = self.n_arms, self.degree
        self._gram = np.zeros((d, m, m))
        self._moment = np.zeros((d, m))       # F^T (cost - 1), in cost units
        self._square = np.zeros(d)             # sum of (cost - 1)^2
        self._count = np.zeros(d, dtype=np.int64)
        self._theta = np.zeros((d, m))         # coefficients of (cost - 1) / scale
        self._residual = np.zeros(d)           # squared residual of each fit, normalised
        self._t = 0
        self._cost_max = 0.0
        self._cost_min = 0.0
        self._scale = 0.0
        self._eta = 0.0
        self._pred_sq = 0.0                    # sum of prediction^2
        self._pred_cost = 0.0                  # sum of prediction * (cost - 1)
        self._cost_sq = 0.0                    # sum of (cost - 1)^2

    @property
    def eta(self) -> float:
        """The current exploration parameter (0 before the first cost)."""
        return self._eta

    @property
    def scale(self) -> float:
        """The current normalisation ``K N`` of the costs (0 before the first cost)."""
        return self._scale

    @property
    def t(self) -> int:
        """Number of costs learned from."""
        return self._t

    @property
    def theta(self) -> np.ndarray:
        """A copy of the coefficients, shape ``(d, m)``: arm ``i`` predicts
        ``1 + scale * theta[i] @ features(c)``."""
        return self._theta.copy()

    def features(self, context) -> np.ndarray:
        """The Chebyshev features ``T_0(x) ... T_{m-1}(x)`` of a context (clipped into bounds)."""
        return self._features(self.check_context(context))

    def _features(self, context: float) -> np.ndarray:
        return chebyshev_features(self._unit(context), self.degree)

    def _unit(self, context: float) -> float:
        a, b = self.bounds
        return min(max(2.0 * (context - a) / (b - a) - 1.0, -1.0), 1.0)

    def predict(self, context) -> np.ndarray:
        """Predicted cost of every arm at ``context``: ``1 + scale * theta @ features``."""
        return 1.0 + self._scale * (self._theta @ self.features(context))

    def _probabilities(self, context):
        return weights_at(self._theta, self._unit(context), self._eta)

    def _update(self, arm, probability, cost, context):
        loss = cost - 1.0
        prediction = accumulate(self._gram, self._moment, self._square, self._count,
                                self._theta, arm, self._unit(context), loss)
        self._pred_sq += prediction * prediction
        self._pred_cost += prediction * loss
        self._cost_sq += loss * loss
        if self._t == 0:
            self._cost_max = self._cost_min = cost
        else:
            self._cost_max = max(self._cost_max, cost)
            self._cost_min = min(self._cost_min, cost)
        self._t += 1

        a, b = self.bounds
        m = self.degree
        spread = self._cost_max - self._cost_min           # (b - a) L
        big_n = 2.0 + 4.0 * spread / self._cost_max * (1.0 + math.log(m))
        scale = self._cost_max * big_n
        rescaled = scale != self._scale
        self._scale = scale
        upper = np.empty(m)
        upper[0] = 1.0 / big_n
        upper[1:] = 2.0 * spread / (scale * np.arange(1, m))
        unsettled = refit(self._gram, self._moment, self._square, self._count, self._theta,
                          self._residual, arm, rescaled, scale, upper)
        for i in unsettled:
            self._theta[i], self._residual[i] = bounded_refit(
                self._gram[i], self._moment[i] / scale, self._square[i] / scale**2, upper)

        sq_error = (self._pred_sq - 2.0 * self._pred_cost / scale
                    + self._cost_sq / scale**2)
        regret = max(sq_error - float(self._residual.sum()), 0.0)
        alpha = (math.pi + 2.0 / math.pi * math.log(2 * m + 1)) / (2.0 * scale * (m + 1)) * spread
        denominator = regret + 2.0 * alpha**2 * self._t
        if denominator > 0.0:
            eta = 2.0 * self._t * math.sqrt(self.n_arms * self._t / denominator)
            if math.isfinite(eta):
                self._eta = eta

    _ARRAYS = ("gram", "moment", "square", "count", "theta", "residual")
    _SCALARS = ("t", "cost_max", "cost_min", "scale", "eta", "pred_sq", "pred_cost", "cost_sq")

    def _state(self):
        state = {"bounds": list(self.bounds), "degree": self.degree}
        state.update({name: getattr(self, "_" + name).tolist() for name in self._ARRAYS})
        state.update({name: getattr(self, "_" + name) for name in self._SCALARS})
        return state

    @classmethod
    def _from_state(cls, state, rng):
        policy = cls(state["arms"], state["bounds"], state["degree"], seed=rng)
        for name in cls._ARRAYS:
            old = getattr(policy, "_" + name)
            new = np.array(state[name], dtype=old.dtype)
            if new.shape != old.shape:
                raise TypeError(f"{name} must have shape {old.shape}; got {new.shape}")
            setattr(policy, "_" + name, new)
        policy._t = int(state["t"])
        for name in cls._SCALARS[1:]:
            setattr(policy, "_" + name, float(state[name]))
        return policy

    def __repr__(self) -> str:
        return (f"ChebCB(arms={self.arms.tolist()!r}, bounds={self.bounds!r}, "
                f"degree={self.degree})")
