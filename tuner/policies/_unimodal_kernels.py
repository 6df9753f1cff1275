"""Numba kernels of UnimodalLCB: the choice and the update on the dyadic context tree.

Cell ``(level l, bin j)`` of the tree is row ``2**l - 1 + j`` of the ``(memories, cells, K)``
statistics; level ``l`` splits the unit interval into ``2**l`` equal bins. Arms are in
increasing order. Memory ``g`` discounts its statistics by ``forget[g]`` per decision step;
the discount is applied lazily: row ``r`` of memory ``g`` was last brought up to date at step
``stamp[g, r]``, so its statistics now are the stored ones times
``forget[g] ** (step - stamp[g, r])`` (a common factor, which cancels in every mean).
"""

import math

import numpy as np
from numba import njit


@njit(cache=True)
def _row(level, x):
    bins = 1 << level
    return bins - 1 + min(int(x * bins), bins - 1)


@njit(cache=True)
def _decay(forget, step, stamp):
    return forget ** (step - stamp) if forget != 1.0 else 1.0


@njit(cache=True)
def pooled_cv(pooled, prior_cv):
    """Coefficient of variation of the costs within the finest cells, pooled over the cells
    (``pooled = (sum of squared relative deviations, degrees of freedom)``) and shrunk towards
    ``prior_cv`` by two degrees of freedom."""
    return math.sqrt((pooled[0] + 2.0 * prior_cv * prior_cv) / (pooled[1] + 2.0))


@njit(cache=True)
def needed_count(cv, min_count, reference_cv):
    """Costs a bin needs to decide: ``min_count``, more in proportion to the noise variance."""
    return min_count * max(1.0, (cv / reference_cv) ** 2)


@njit(cache=True)
def decision_row(count, stamp, forget, step, levels, x, needed):
    """Row of the finest cell at ``x`` whose (discounted) costs number ``needed`` (else the
    root), for one memory's ``count`` and ``stamp``."""
    for level in range(levels - 1, 0, -1):
        r = _row(level, x)
        seen = 0.0
        for j in range(count.shape[1]):
            seen += count[r, j]
        if seen * _decay(forget, step, stamp[r]) >= needed:
            return r
    return 0


@njit(cache=True)
def memory_in_use(error):
    """The memory with the smallest prediction error so far (the longest on ties)."""
    best = 0
    for g in range(1, error.size):
        if error[g] < error[best]:
            best = g
    return best


@njit(cache=True)
def choose_sorted(count, total, stamp, forget, error, step, levels, x, min_count, confidence,
                  pooled, prior_cv, start, reference_cv):
    """Index (in increasing arm order) of the arm to play at unit context ``x``.

    With the memory of smallest prediction error, the statistics come from the finest level
    whose bin holds ``needed_count(cv, min_count, reference_cv)`` costs (the root otherwise).
    The leader is the arm of smallest mean there; among it and its two neighbours, an untried
    one is played first, else the one of smallest lower confidence bound
    ``mean (1 - confidence cv sqrt(2 log N / n))``, with ``cv`` the :func:`pooled_cv`.
    """
    K = count.shape[2]
    g = memory_in_use(error)
    cv = pooled_cv(pooled, prior_cv)
    row = decision_row(count[g], stamp[g], forget[g], step, levels, x,
                       needed_count(cv, min_count, reference_cv))
    factor = _decay(forget[g], step, stamp[g, row])
    leader = -1
    best = math.inf
    seen = 0.0
    for j in range(K):
        n = count[g, row, j]
        seen += n
        if n > 0 and total[g, row, j] / n < best:
            best = total[g, row, j] / n
            leader = j
    if leader < 0:
        return start
    spread = confidence * cv * math.sqrt(2.0 * math.log(max(seen * factor, 2.0)))
    choice = leader
    lowest = math.inf
    for j in range(max(leader - 1, 0), min(leader + 1, K - 1) + 1):
        n = count[g, row, j]
        if n == 0:
            return j
        mean = total[g, row, j] / n
        bound = mean - spread * mean / math.sqrt(max(n * factor, 1e-300))
        if bound < lowest:
            lowest = bound
            choice = j
    return choice


@njit(cache=True)
def _relative_deviation(n, s, ss):
    """``(sum of squared deviations / mean^2, n - 1)`` of one cell (zeros below two samples)."""
    if n < 2 or s <= 0.0:
        return 0.0, 0.0
    mean = s / n
    return max(ss - s * mean, 0.0) / (mean * mean), n - 1.0


@njit(cache=True)
def update_sorted(count, total, square, stamp, forget, error, step, pooled, levels, x, arm, cost,
                  min_count, prior_cv, reference_cv):
    """Record ``cost`` for arm ``arm`` (increasing order) at unit context ``x`` and decision
    step ``step``: first score each memory's prediction of it (squared log error), then add
    it on every level of every memory. ``pooled`` follows the finest cells of memory 0 (no
    forgetting)."""
    needed = needed_count(pooled_cv(pooled, prior_cv), min_count, reference_cv)
    misses = np.empty(forget.size)
    scored = True
    for g in range(forget.size):
        r = decision_row(count[g], stamp[g], forget[g], step, levels, x, needed)
        if count[g, r, arm] > 0:
            misses[g] = math.log(cost * count[g, r, arm] / total[g, r, arm]) ** 2
        else:
            scored = False
    if scored:   # only predictions every memory could make are compared
        for g in range(forget.size):
            error[g] += misses[g]
    for g in range(forget.size):
        for level in range(levels):
            r = _row(level, x)
            factor = _decay(forget[g], step, stamp[g, r])
            if factor != 1.0:
                for j in range(count.shape[2]):
                    count[g, r, j] *= factor
                    total[g, r, j] *= factor
                    square[g, r, j] *= factor
            stamp[g, r] = step
            last = g == 0 and level == levels - 1
            if last:
                q0, d0 = _relative_deviation(count[g, r, arm], total[g, r, arm],
                                             square[g, r, arm])
            count[g, r, arm] += 1.0
            total[g, r, arm] += cost
            square[g, r, arm] += cost * cost
            if last:
                q1, d1 = _relative_deviation(count[g, r, arm], total[g, r, arm],
                                             square[g, r, arm])
                pooled[0] += q1 - q0
                pooled[1] += d1 - d0


# Packed entry points: one Python-to-Numba call costs about 0.2 us per argument, so the
# per-decision calls take the state as four arrays (see UnimodalLCB for the layout).

@njit(cache=True)
def choose_packed(stats, stamp, vector, params, x):
    """:func:`choose_sorted` on the packed state."""
    return choose_sorted(stats[0], stats[1], stamp, params[6:], vector[3:], vector[2],
                         int(params[0]), x, params[1], params[2], vector[0:2], params[3],
                         int(params[4]), params[5])


@njit(cache=True)
def update_packed(stats, stamp, vector, params, x, arm, cost):
    """:func:`update_sorted` on the packed state; advances the step counter."""
    update_sorted(stats[0], stats[1], stats[2], stamp, params[6:], vector[3:], vector[2],
                  vector[0:2], int(params[0]), x, arm, cost, params[1], params[3], params[5])
    vector[2] += 1.0
