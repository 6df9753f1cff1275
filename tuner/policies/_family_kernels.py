"""Numba kernel of FamilyLCB's choice among families, from a table of each family's
summaries at one context (filled by :func:`._robust_kernels.summaries`)."""

import math

from numba import njit

ESTIMATE, PLAYS, ARM, LEVEL = range(4)


@njit(cache=True)
def family_probabilities(table, deciding, allowed, told, explore, competitive, refine,
                         found, p):
    """Fill ``p[f]``, the probability of choosing family ``f``, and ``found[f]``, its
    ``(estimate, plays, arm, deciding level)`` as compared; return the leading family.

    ``table[f, level]`` holds family ``f``'s ``(estimate, plays, arm)`` in the bin of each
    level down to ``deciding[f]``; ``allowed[f]`` is False for an excluded family. The
    competitive families (within ``competitive`` of the best, each in its own deciding bin)
    are compared in the bins of the coarsest of their deciding levels; those deciding there
    while another decides finer get the exploration weight of the leader and a share of at
    least ``refine``. The others are weighted by their cheapness ``exp(best - estimate)``;
    the exploration share is ``explore * sqrt(F / (told + F))`` (at most 1/2)."""
    families = deciding.size
    top = math.inf
    for f in range(families):
        p[f] = 0.0
        if allowed[f]:
            d = deciding[f]
            found[f, ESTIMATE] = table[f, d, 0]
            found[f, PLAYS] = table[f, d, 1]
            found[f, ARM] = table[f, d, 2]
            found[f, LEVEL] = d
            top = min(top, table[f, d, 0])
    if not math.isfinite(top):                       # outstanding trials only: spread
        count = 0
        for f in range(families):
            count += allowed[f]
        for f in range(families):
            if allowed[f]:
                p[f] = 1.0 / count
        return -1
    own = top                                        # the best, each in its deciding bin
    level = 1 << 30
    deepest = -1
    for f in range(families):
        if allowed[f] and found[f, ESTIMATE] - top <= competitive:
            level = min(level, deciding[f])
            deepest = max(deepest, deciding[f])
    if deepest > level:
        for f in range(families):
            if allowed[f] and found[f, ESTIMATE] - top <= competitive and deciding[f] > level:
                found[f, ESTIMATE] = table[f, level, 0]
                found[f, PLAYS] = table[f, level, 1]
                found[f, ARM] = table[f, level, 2]
    best = -1
    for f in range(families):
        if allowed[f] and (best < 0 or found[f, ESTIMATE] < found[best, ESTIMATE]):
            best = f
    top = found[best, ESTIMATE]
    total = 0.0
    refining = False
    for f in range(families):
        if allowed[f] and f != best:
            e = found[f, ESTIMATE]
            coarse = (deepest > level and deciding[f] == level
                      and table[f, level, 0] - own <= competitive)
            refining = refining or coarse
            w = 1.0 if coarse or not math.isfinite(e) else math.exp(min(top - e, 0.0))
            p[f] = w
            total += w
    share = min(explore * math.sqrt(families / (told + families)), 0.5)
    if refining:
        share = max(share, refine)
    if total > 0.0:
        for f in range(families):
            p[f] *= share / total
        p[best] = 1.0 - share
    else:
        p[best] = 1.0
    return best

