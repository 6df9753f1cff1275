"""Numba kernels of UnimodalLCB: the choice and the update on the dyadic context tree.

Cell ``(level l, bin j)`` of the tree is row ``2**l - 1 + j`` of the ``(cells, K)`` statistics;
level ``l`` splits the unit interval into ``2**l`` equal bins. Arms are in increasing order.
"""

import math

from numba import njit


@njit(cache=True)
def _row(level, x):
    bins = 1 << level
    return bins - 1 + min(int(x * bins), bins - 1)


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
def decision_row(count, levels, x, min_count):
    """Row of the finest cell at ``x`` holding ``min_count`` costs (the root otherwise)."""
    for level in range(levels - 1, 0, -1):
        r = _row(level, x)
        seen = 0.0
        for j in range(count.shape[1]):
            seen += count[r, j]
        if seen >= min_count:
            return r
    return 0


@njit(cache=True)
def choose_sorted(count, total, levels, x, min_count, confidence, pooled, prior_cv, start,
                  reference_cv):
    """Index (in increasing arm order) of the arm to play at unit context ``x``.

    The statistics come from the finest level whose bin holds at least
    ``needed_count(cv, min_count, reference_cv)`` costs (the root otherwise). The leader is
    the arm of smallest mean there; among it and its two neighbours, an untried one is played
    first, else the one of smallest lower confidence bound
    ``mean (1 - confidence cv sqrt(2 log N / n))``, with ``cv`` the :func:`pooled_cv`.
    """
    K = count.shape[1]
    cv = pooled_cv(pooled, prior_cv)
    row = decision_row(count, levels, x, needed_count(cv, min_count, reference_cv))
    leader = -1
    best = math.inf
    seen = 0.0
    for j in range(K):
        n = count[row, j]
        seen += n
        if n > 0 and total[row, j] / n < best:
            best = total[row, j] / n
            leader = j
    if leader < 0:
        return start
    spread = confidence * cv * math.sqrt(2.0 * math.log(max(seen, 2.0)))
    choice = leader
    lowest = math.inf
    for j in range(max(leader - 1, 0), min(leader + 1, K - 1) + 1):
        n = count[row, j]
        if n == 0:
            return j
        mean = total[row, j] / n
        bound = mean - spread * mean / math.sqrt(n)
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
def update_sorted(count, total, square, pooled, levels, x, arm, cost):
    """Record ``cost`` for arm ``arm`` (increasing order) at unit context ``x`` on every level."""
    for level in range(levels):
        r = _row(level, x)
        if level == levels - 1:
            q0, d0 = _relative_deviation(count[r, arm], total[r, arm], square[r, arm])
        count[r, arm] += 1.0
        total[r, arm] += cost
        square[r, arm] += cost * cost
        if level == levels - 1:
            q1, d1 = _relative_deviation(count[r, arm], total[r, arm], square[r, arm])
            pooled[0] += q1 - q0
            pooled[1] += d1 - d0
