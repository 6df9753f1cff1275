"""FamilyLCB, the default policy over a configuration space: a choice among method families
and, within each, RobustLCB's search over its ordered knobs."""

from __future__ import annotations

import math

import numpy as np

from .._validate import check_bounds, check_positive_int
from ..errors import ParameterError
from ..space import ConfigSpace
from . import _robust_kernels as kernels
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
        self._excluded = [False] * families
        self._last = None                      # (context, estimates) of the last choice
        self._cache: list[dict] = [{} for _ in range(families)]

    # -- what each family is worth at a context -------------------------------------------

    def _family_estimate(self, f: int, context, level: int = -1) -> tuple:
        """Family ``f``'s ``(estimate, plays, arm, deciding level)`` at ``context``: the
        smallest log-cost estimate of its arms in the bin that decides there (or, with
        ``level >= 0``, in the bin of that level if it is coarser), the plays of that arm
        (inf and 0 before any cost); kept until the family's next cost."""
        sub = self._subs[f]
        x = sub._unit(context)
        finest = 1 << (sub.levels - 1)      # the bins of every level at x follow from this one
        key = (level, min(int(x * finest), finest - 1))
        found = self._cache[f].get(key)
        if found is None:
            m, n, j, deciding = kernels.summary(sub._stats, sub._stamp, sub._vector,
                                                sub._params, x, sub._memory(), level)
            found = (float(m), float(n), int(sub._order[j]), int(deciding))
            self._cache[f][key] = found
        return found

    def _estimates(self, context, allowed) -> tuple[dict, list]:
        """Each allowed family's :meth:`_family_estimate`, and the competitive families
        that need costs at a finer resolution.

        The competitive families (within ``COMPETITIVE`` of the best, each in its own
        deciding bin) are compared in the bins of the coarsest of their deciding levels,
        so that one whose costs at this context are few is not judged against another's
        estimate for a finer bin of contexts (costs that change with the context would
        favour whichever was estimated where they are low). Those deciding at that coarsest
        level while another decides finer are returned to be explored there (``REFINE``)
        until they decide as finely."""
        found = {f: self._family_estimate(f, context) for f in allowed}
        top = min(e[0] for e in found.values())
        if not math.isfinite(top):
            return found, []
        near = [f for f, e in found.items() if e[0] - top <= self.COMPETITIVE]
        level = min(found[f][3] for f in near)
        deepest = max(found[f][3] for f in near)
        if deepest > level:
            for f in near:
                if found[f][3] > level:
                    found[f] = self._family_estimate(f, context, level)
        return found, [f for f in near if found[f][3] == level < deepest]

    def _family_probabilities(self, context) -> list[float]:
        """The probability of choosing each family at ``context``."""
        families = len(self._subs)
        allowed = [f for f in range(families) if not self._excluded[f]]
        if not allowed:
            raise ParameterError("every family of the space is excluded: nothing to choose")
        p = [0.0] * families
        if not self._ready:
            for f in allowed:
                if self._plays[f] + self._waiting[f] < self.min_plays:
                    p[f] = 1.0
                    return p
            self._ready = True
        found, coarse = self._estimates(context, allowed)
        self._last = (context, found)
        best = min(allowed, key=lambda f: found[f][0])
        top = found[best][0]
        if not math.isfinite(top):                  # outstanding trials only: spread
            return [1.0 / len(allowed) if f in found else 0.0 for f in range(families)]
        total = 0.0
        for f in allowed:
            if f != best:
                e = found[f][0]
                p[f] = (1.0 if f in coarse or not math.isfinite(e)
                        else math.exp(min(top - e, 0.0)))
                total += p[f]
        share = min(self.explore * math.sqrt(families / (self._told + families)), 0.5)
        if any(f != best for f in coarse):
            share = max(share, self.REFINE)
        if total > 0.0:
            p = [share * w / total for w in p]
        p[best] = 1.0 - (share if total > 0.0 else 0.0)
        return p

    # -- the Policy interface ---------------------------------------------------------------

    def value_of(self, arm: int) -> dict:
        """The configuration of arm ``arm`` (a new dict)."""
        return self.space.config(arm)

    def _probabilities(self, context):
        out = np.zeros(self.n_arms)
        for f, pf in enumerate(self._family_probabilities(context)):
            if pf > 0.0:
                start = self._offsets[f]
                sub = self._subs[f]
                out[start:start + sub.n_arms] = pf * sub._probabilities(context)
        return out

    def _choose(self, context):
        p = self._family_probabilities(context)
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
        self._cache[f].clear()
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
        known = self._last[1] if self._last is not None and self._last[0] == context else {}
        best = None
        for f, name in enumerate(self.space.families):
            if self._excluded[f] or name in exclude:
                continue
            found = known.get(f)
            estimate, plays, j, _ = found if found is not None else self._family_estimate(
                f, context)
            if plays > 0 and math.isfinite(estimate) and (best is None or estimate < best[1]):
                best = (self._offsets[f] + j, estimate)
        return None if best is None else (best[0], math.exp(best[1]))

    def exclude(self, family: str) -> None:
        """Never choose ``family`` again (its costs are kept)."""
        if family not in self.space.families:
            raise ParameterError(f"{family!r} is not a family of this space "
                                 f"({', '.join(self.space.families)})")
        self._excluded[self.space.families.index(family)] = True

    @property
    def excluded(self) -> tuple[str, ...]:
        """The families withdrawn by :meth:`exclude`."""
        return tuple(n for n, e in zip(self.space.families, self._excluded, strict=True) if e)

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
