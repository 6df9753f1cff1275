"""FamilyLCB, the default policy over a configuration space: a choice among method families
and, within each, RobustLCB's search over its ordered knobs."""

from __future__ import annotations

import math

import numpy as np

from .._validate import check_bounds, check_positive_int
from ..errors import ParameterError
from ..space import ConfigSpace
from . import _robust_kernels as kernels
from ._family_kernels import family_probabilities
from .base import Policy
from .robust_lcb import RobustLCB, _check_nonnegative


class FamilyLCB(Policy):
    """The default policy for a :class:`~tuner.ConfigSpace`: which family, then which knobs.

    Each family of the space has its own :class:`RobustLCB` over its configurations (the
    values of its knob in order; for several knobs, their product in the space's order; one
    arm for a family without knobs), with the same context bounds. The family is chosen from
    each family's estimated cost at the context: the estimate (on the log scale, ``mu +
    var / 2``) of its best configuration so far, in the bin of contexts that decides there.

    * Every family is tried ``min_plays`` times first, in the order of the space (put the
      cheap, likely families first).
    * Then the family of smallest estimate is chosen, except with probability
      ``explore * sqrt(F / (t + F))`` (``t`` costs told, ``F`` families), an exploration
      share that never dies out, like Tsallis-INF's rate: it draws another family, each
      in proportion to its cheapness ``exp(best - estimate)``, so that the expected cost of
      exploring stays within a small factor of the best family's whatever the far ones
      cost, and a family whose first costs were unlucky is tried again.
    * Within the family its RobustLCB chooses (local search on the knob, its own
      exploration, change detection, censored costs, contexts).

    Like :class:`RobustLCB`, its decisions compare differences of logarithms: they do not
    depend on the unit of the costs (seconds or iterations). A family can be withdrawn for
    good with :meth:`exclude` (for example the CG families once a matrix is found not to be
    positive definite).

    Parameters
    ----------
    space : ConfigSpace or mapping
        The configurations (a mapping is passed to :class:`ConfigSpace`).
    bounds : (float, float), optional
        Context interval; with it the policy is contextual (every ask needs a context).
    min_plays : int >= 1
        Costs of each family before the estimates decide.
    explore : float >= 0
        Scale of the exploration share over families.
    catalog : mapping, optional
        Checks the space at construction (see :class:`ConfigSpace`), e.g.
        ``solvers.METHODS``.
    seed : None, int or numpy.random.Generator
        Seeds every draw (the families' RobustLCBs get generators spawned from it).

    Examples
    --------
    Costs in seconds: plain CG costs 2 ms, SSOR-PCG costs least at omega = 1.4.

    >>> space = ConfigSpace({"cg": {}, "ssor": {"omega": [1.0, 1.2, 1.4, 1.6, 1.8]}})
    >>> policy = FamilyLCB(space, seed=0)
    >>> def cost(config):
    ...     if config["method"] == "cg":
    ...         return 2e-3
    ...     return 1e-3 * (1.0 + 5.0 * (config["omega"] - 1.4) ** 2)
    >>> for _ in range(300):
    ...     arm, p = policy.choose()
    ...     policy.update(arm, p, cost(policy.value_of(arm)))
    >>> policy.value_of(policy.best()[0])
    {'method': 'ssor', 'omega': 1.4}
    """

    COMPETITIVE = math.log(1.5)
    """Log-cost margin within which a family counts as competitive with the best one."""
    REFINE = 0.05
    """Exploration share, at least, while a competitive family has fewer costs at the context
    than another (a coarser deciding bin): it is drawn to get them."""

    def __init__(self, space, bounds=None, *, min_plays=1, explore=0.1, catalog=None,
                 seed=None):
        if catalog is not None or not isinstance(space, ConfigSpace):
            space = ConfigSpace(space, catalog=catalog)
        super().__init__(np.arange(len(space), dtype=float), seed)
        self.space = space
        self.contextual = bounds is not None
        self.bounds = check_bounds(bounds) if self.contextual else None
        self.min_plays = check_positive_int(min_plays, "min_plays")
        self.explore = _check_nonnegative(explore, "explore")
        self._subs = []
        for f, name in enumerate(space.families):
            grids = space.knobs(name)
            arms = (next(iter(grids.values())) if len(grids) == 1
                    else range(len(space.family_range(f))))
            child = np.random.Generator(type(self._rng.bit_generator)(
                self._rng.integers(2**63)))
            self._subs.append(RobustLCB(np.asarray(arms, dtype=float), bounds, seed=child))
        families = len(self._subs)
        self._offsets = [space.family_range(f).start for f in range(families)]
        self._family = np.repeat(np.arange(families), [len(space.family_range(f))
                                                        for f in range(families)])
        self._told = 0
        self._plays = [0] * families           # costs told of each family
        self._waiting = [0] * families         # its choices not yet told
        self._ready = False                    # every family has its min_plays
        self._last = None                      # the context of the last choice
        self._leader = -1                      # the family it led with (-1: none)
        self._allowed = np.ones(families, dtype=np.bool_)    # False: withdrawn by exclude
        self._setup_tables()

    def _setup_tables(self):
        """The summaries of each family in each finest context bin (filled on demand, cleared
        for a family when it is told a cost), and the arrays the choice fills."""
        families = len(self._subs)
        levels = self._subs[0].levels
        self._finest = 1 << (levels - 1)    # the bins of every level at x follow from this one
        self._table = np.zeros((self._finest, families, levels, 3))
        self._deciding = np.full((self._finest, families), -1, dtype=np.int64)
        self._found = np.zeros((families, 4))
        self._p = np.zeros(families)

    # -- what each family is worth at a context -------------------------------------------

    def _unit(self, context) -> float:
        return self._subs[0]._unit(context)

    def _fill(self, x: float) -> int:
        """The finest bin of unit context ``x``, every family's summaries in it filled."""
        key = min(int(x * self._finest), self._finest - 1)
        deciding = self._deciding[key]
        for f, d in enumerate(deciding.tolist()):
            if d < 0:
                sub = self._subs[f]
                deciding[f] = kernels.summaries(sub._stats, sub._stamp, sub._vector,
                                                sub._params, x, self._table[key, f])
        return key

    def _family_probabilities(self, context) -> np.ndarray:
        """The probability of choosing each family at ``context`` (the array is reused)."""
        if not self._allowed.any():
            raise ParameterError("every family of the space is excluded: nothing to choose")
        p = self._p
        if not self._ready:
            for f in np.flatnonzero(self._allowed):
                if self._plays[f] + self._waiting[f] < self.min_plays:
                    p[:] = 0.0
                    p[f] = 1.0
                    return p
            self._ready = True
        key = self._fill(self._unit(context))
        self._leader = family_probabilities(
            self._table[key], self._deciding[key], self._allowed, self._told, self.explore,
            self.COMPETITIVE, self.REFINE, self._found, p)
        self._last = context
        return p

    # -- the Policy interface ---------------------------------------------------------------

    def value_of(self, arm: int) -> dict:
        """The configuration of arm ``arm`` (a new dict)."""
        return self.space.config(arm)

    def _probabilities(self, context):
        out = np.zeros(self.n_arms)
        for f, pf in enumerate(self._family_probabilities(context).tolist()):
            if pf > 0.0:
                start = self._offsets[f]
                sub = self._subs[f]
                out[start:start + sub.n_arms] = pf * sub._probabilities(context)
        return out

    def _choose(self, context):
        p = self._family_probabilities(context).tolist()
        f = p.index(1.0) if 1.0 in p else _draw(p, self._rng.random())
        arm, q = self._subs[f]._choose(context)
        self._waiting[f] += 1
        return self._offsets[f] + arm, float(p[f] * q)

    def _split(self, arm: int) -> tuple[int, int]:
        f = int(self._family[arm])
        return f, arm - self._offsets[f]

    def _update(self, arm, probability, cost, context):
        self._learn(arm, probability, cost, context, False)

    def _learn(self, arm, probability, cost, context, censored):
        f, j = self._split(arm)
        self._subs[f]._learn(j, probability, cost, context, censored)
        self._deciding[:, f] = -1
        self._last = None
        self._told += 1
        self._plays[f] += 1
        self._waiting[f] = max(self._waiting[f] - 1, 0)

    def _cancel(self, arm, context):
        f, j = self._split(arm)
        self._subs[f]._cancel(j, context)
        self._waiting[f] = max(self._waiting[f] - 1, 0)

    # -- for the caller ---------------------------------------------------------------------

    def best(self, context=None, exclude=()) -> tuple[int, float] | None:
        """The arm of smallest estimated cost at ``context`` and that estimate (the mean cost,
        in the unit told), among the families not excluded and not named in ``exclude``;
        None before any cost of them."""
        context = self.check_context(context)
        if not exclude and self._last is not None and self._last == context:
            if self._leader < 0:
                return None
            estimate, plays, j, _ = self._found[self._leader].tolist()
            if plays > 0:
                f = self._leader
                return self._offsets[f] + int(self._subs[f]._order[int(j)]), math.exp(estimate)
        if self._last is not None and self._last == context:
            rows = self._found.tolist()             # as the last choice compared them
        else:
            key = self._fill(self._unit(context))
            rows = [self._table[key, f, d].tolist()
                    for f, d in enumerate(self._deciding[key].tolist())]
        best = None
        for f, name in enumerate(self.space.families):
            if not self._allowed[f] or name in exclude:
                continue
            estimate, plays, j = rows[f][:3]
            if plays > 0 and math.isfinite(estimate) and (best is None or estimate < best[1]):
                best = (self._offsets[f] + int(self._subs[f]._order[int(j)]), estimate)
        return None if best is None else (best[0], math.exp(best[1]))

    def exclude(self, family: str) -> None:
        """Never choose ``family`` again (its costs are kept)."""
        if family not in self.space.families:
            raise ParameterError(f"{family!r} is not a family of this space "
                                 f"({', '.join(self.space.families)})")
        f = self.space.families.index(family)
        self._allowed[f] = False
        self._last = None

    @property
    def excluded(self) -> tuple[str, ...]:
        """The families withdrawn by :meth:`exclude`."""
        return tuple(n for n, ok in zip(self.space.families, self._allowed, strict=True)
                     if not ok)

    def family_policy(self, family: str) -> RobustLCB:
        """The RobustLCB that searches ``family``'s knobs."""
        return self._subs[self.space.families.index(family)]

    def _state(self):
        return {"space": self.space.to_dict(),
                "bounds": None if self.bounds is None else list(self.bounds),
                "min_plays": self.min_plays, "explore": self.explore, "told": self._told,
                "plays": list(self._plays), "waiting": list(self._waiting),
                "excluded": list(self.excluded),
                "families": [sub.state_dict() for sub in self._subs]}

    @classmethod
    def _from_state(cls, state, rng):
        policy = cls(state["space"], state["bounds"], min_plays=state["min_plays"],
                     explore=state["explore"], seed=0)
        policy._rng = rng                   # the saved generator, not advanced by the spawns
        if len(state["families"]) != len(policy._subs):
            raise ValueError("the state holds another number of families than its space")
        policy._subs = [RobustLCB.from_state_dict(s) for s in state["families"]]
        if len({sub.levels for sub in policy._subs}) != 1:
            raise ValueError("the families' policies have different numbers of levels")
        policy._setup_tables()
        for sub, name in zip(policy._subs, policy.space.families, strict=True):
            if sub.n_arms != len(policy.space.family_range(policy.space.families.index(name))):
                raise ValueError(f"family {name!r}: its policy has another number of arms")
        policy._told = int(state["told"])
        policy._plays = [int(v) for v in state["plays"]]
        policy._waiting = [int(v) for v in state["waiting"]]
        if (len(policy._plays) != len(policy._subs) or len(policy._waiting) != len(policy._subs)
                or min(policy._told, *policy._plays, *policy._waiting) < 0):
            raise ValueError("counts of costs told that are negative or not one per family")
        for name in state["excluded"]:
            policy.exclude(name)
        return policy

    def __repr__(self) -> str:
        return (f"FamilyLCB({self.space!r}, bounds={self.bounds!r}, "
                f"min_plays={self.min_plays}, explore={self.explore!r})")


def _draw(p: list, u: float) -> int:
    """The index at which the cumulative sum of ``p`` passes ``u`` (never one of
    probability zero)."""
    acc, last = 0.0, 0
    for f, pf in enumerate(p):
        if pf > 0.0:
            acc += pf
            last = f
            if u < acc:
                return f
    return last
