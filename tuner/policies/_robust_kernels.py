"""Numba kernels of RobustLCB: the choice, the update and the restart after a change.

The statistics live on the dyadic context tree of :mod:`._unimodal_kernels` (memories that
forget lazily) and are kept for the logarithm of the cost. Packed layout (one Python-to-Numba
call costs about 0.2 us per argument):

* ``stats[field, memory, cell, arm]`` with the fields ``CLEAN``, ``CLEAN_SUM``,
  ``CLEAN_SQUARES`` (count, sum and sum of squares of the logs of the uncensored costs) and
  ``CENSORED``, ``CENSORED_SUM`` (count and sum of the logs of the censored costs, the caps
  they are): mostly zeros, so the saved state stays small;
* ``stamp[memory, cell]``: the step at which a cell of a memory was last discounted;
* ``vector``: the scalars named ``V_*`` below, then one prediction error per memory, then one
  per level of the context tree;
* ``params``: the constants named ``P_*`` below, then one discount factor per memory;
* ``pending[arm]``: trials asked for and not yet told.

Arms are in increasing order of value. An arm's cost in a cell is estimated on the log scale as
``mu + var / 2`` (``mu`` the mean log-cost, ``var`` the variance of its uncensored log-costs,
shrunk towards the pooled variance): the logarithm of the arithmetic mean for log-normal costs,
which is what a run's total depends on, while a censored outlier moves it by its logarithm only.
"""

import math

import numpy as np
from numba import njit

from ._unimodal_kernels import _decay, _row, needed_count

CLEAN, CLEAN_SUM, CLEAN_SQUARES, CENSORED, CENSORED_SUM = range(5)
FIELDS = 5

(V_SS, V_DOF, V_STEP, V_SINCE, V_UP, V_DOWN, V_UP_RUN, V_DOWN_RUN, V_UP_SUM, V_DOWN_SUM,
 V_RVAR, V_RN, V_RESETS, V_START, V_ERR) = range(15)
(P_LEVELS, P_MIN_COUNT, P_CONFIDENCE, P_PRIOR_SD, P_REFERENCE_SD, P_EXPLORE, P_FLOOR, P_TAU,
 P_DRIFT, P_THRESHOLD, P_KEEP, P_INHERIT, P_FORGET) = range(13)

VARIANCE_PRIOR = 4.0
"""Degrees of freedom of the pooled variance in an arm's own variance estimate."""
OUTLIER = 3.0
"""Standard deviations above an arm's mean at which a censored outlier enters it."""
MARGIN = 1e-9
"""Relative margin by which a memory or a level must predict better to be preferred."""
TINY = 1e-300
"""Absolute margin of the same comparison (errors that are both zero tie)."""
FORGOTTEN = 1e-9
"""Weight below which a forgetting memory's record of an arm is dropped (before its numbers
decay into subnormals, which stop decaying and would make meaningless means)."""
WARMUP = 10
"""Predictions a change detector sees before it may raise an alarm."""
RESIDUAL_WINDOW = 50.0
"""Effective number of recent residuals in the detector's scale."""
CLIP = 5.0
"""Standardised residuals are clipped to this size before they enter the detector."""
SD_FLOOR = 1e-3
"""Smallest noise level the detector assumes (iteration counts are integers)."""


@njit(cache=True)
def pooled_sd(vector, prior_sd):
    """Pooled within-bin deviation of the uncensored log-costs, shrunk towards ``prior_sd`` by
    two degrees of freedom."""
    return math.sqrt((vector[V_SS] + 2.0 * prior_sd * prior_sd) / (vector[V_DOF] + 2.0))


@njit(cache=True)
def exploration_rate(vector, params, k):
    """The share of choices spent on exploration: ``explore sqrt(K / (t + K))``, ``t`` the
    costs since the last restart (at most one half)."""
    return min(0.5, params[P_EXPLORE] * math.sqrt(k / (vector[V_SINCE] + k)))


@njit(cache=True)
def _deviation(n, s, ss):
    """``(sum of squared deviations, degrees of freedom)`` of ``n`` values with sum ``s`` and
    sum of squares ``ss`` (zeros below two)."""
    if n < 2.0:
        return 0.0, 0.0
    return max(ss - s * s / n, 0.0), n - 1.0


@njit(cache=True)
def _weight(cell, j):
    """Costs of arm ``j`` in ``cell`` (a ``stats[:, memory, row]`` slice)."""
    return cell[CLEAN, j] + cell[CENSORED, j]


@njit(cache=True)
def _mean(cell, j):
    """Mean log-cost of arm ``j`` in ``cell`` (which has costs of it)."""
    return (cell[CLEAN_SUM, j] + cell[CENSORED_SUM, j]) / (cell[CLEAN, j] + cell[CENSORED, j])


@njit(cache=True)
def _decision_row(stats, stamp, forget, step, levels, x, needed, g):
    """Row of the finest cell at ``x`` (of at most ``levels`` levels) whose discounted costs
    in memory ``g`` number ``needed`` (else the root)."""
    for level in range(levels - 1, 0, -1):
        r = _row(level, x)
        seen = 0.0
        for j in range(stats.shape[3]):
            seen += stats[CLEAN, g, r, j] + stats[CENSORED, g, r, j]
        if seen * _decay(forget, step, stamp[g, r]) >= needed:
            return r
    return 0


@njit(cache=True)
def censoring_rate(stats):
    """The share of censored costs over all arms and contexts (the root of memory 0)."""
    censored = 0.0
    total = 0.0
    for j in range(stats.shape[3]):
        censored += stats[CENSORED, 0, 0, j]
        total += stats[CLEAN, 0, 0, j] + stats[CENSORED, 0, 0, j]
    return censored / total if total > 0.0 else 0.0


@njit(cache=True)
def _estimate(cell, j, variance, rate):
    """The log of arm ``j``'s mean cost in ``cell`` (a ``stats[:, g, r]`` slice with costs of
    it): ``mu + var / 2``, ``mu`` the mean log of its costs and ``var`` the variance of its
    uncensored log-costs, shrunk towards ``variance``.

    Censored costs (caps, lower bounds) enter ``mu`` at their caps when the arm is capped
    more often than the share ``rate`` of all costs can explain (its failures are its own);
    otherwise they are outliers of hard instances that cap every arm alike and enter at most
    ``OUTLIER`` standard deviations above the arm's uncensored mean. An arm with censored
    costs only is estimated by its caps."""
    clean = cell[CLEAN, j]
    censored = cell[CENSORED, j]
    if clean <= 0.0:
        return cell[CENSORED_SUM, j] / censored
    q, d = _deviation(clean, cell[CLEAN_SUM, j], cell[CLEAN_SQUARES, j])
    own = (q + VARIANCE_PRIOR * variance) / (d + VARIANCE_PRIOR)
    total = cell[CLEAN_SUM, j]
    if censored > 0.0:
        caps = cell[CENSORED_SUM, j]
        n = clean + censored
        if censored <= n * rate + 3.0 * math.sqrt(n * rate) + 1.0:
            caps = min(caps, censored * (total / clean + OUTLIER * math.sqrt(own)))
        total += caps
        clean += censored
    return total / clean + 0.5 * own


@njit(cache=True)
def _first_best(errors):
    """Index of the smallest error, the first one unless another is smaller by a margin (so
    that predictions equal but for rounding, which depends on the unit of the costs, never
    decide)."""
    best = 0
    for i in range(1, errors.size):
        if errors[i] < errors[best] * (1.0 - MARGIN) - TINY:
            best = i
    return best


@njit(cache=True)
def memory(vector, params):
    """The memory whose predictions of the costs have been best so far (the one that forgets
    nothing unless another is better by a margin)."""
    return _first_best(vector[V_ERR:V_ERR + params.size - P_FORGET])


@njit(cache=True)
def depth(vector, params):
    """Levels of the context tree decisions may use: up to the level whose cells have
    predicted the costs best so far (the coarsest, unless a finer one is better by a margin),
    so that a context that says nothing about the cost is not split into bins that each learn
    alone."""
    return _first_best(vector[V_ERR + params.size - P_FORGET:]) + 1


@njit(cache=True)
def _cell(stats, stamp, vector, params, x, g):
    """The deciding row of memory ``g`` at unit context ``x``, its discount factor and the
    pooled noise."""
    forget = params[P_FORGET:]
    sd = pooled_sd(vector, params[P_PRIOR_SD])
    needed = needed_count(sd, params[P_MIN_COUNT], params[P_REFERENCE_SD])
    row = _decision_row(stats, stamp, forget[g], vector[V_STEP], depth(vector, params), x,
                        needed, g)
    return row, _decay(forget[g], vector[V_STEP], stamp[g, row]), sd


@njit(cache=True)
def _level(row):
    level = 0
    while (1 << (level + 1)) - 1 <= row:
        level += 1
    return level


@njit(cache=True)
def estimates(stats, stamp, vector, params, g, row, x, pending, means, plays, rate):
    """Each arm's estimate (:func:`_estimate`) and plays in ``row`` of memory ``g``, shrunk
    towards the estimate of the finest coarser bin at ``x`` that has costs of the arm, with the
    weight of up to ``inherit`` of them: a bin inherits what its ancestors know and overrules
    it with costs of its own. Outstanding trials count as plays. An arm without costs here or
    in an ancestor gets ``plays = pending`` and the estimate inf. ``rate`` is the
    :func:`censoring_rate`."""
    forget = params[P_FORGET + g]
    step = vector[V_STEP]
    variance = pooled_sd(vector, params[P_PRIOR_SD]) ** 2
    factor = _decay(forget, step, stamp[g, row])
    level = _level(row)
    for j in range(means.size):
        n = _weight(stats[:, g, row], j) * factor
        if n < FORGOTTEN:
            n = 0.0
        total = n * _estimate(stats[:, g, row], j, variance, rate) if n > 0.0 else 0.0
        for coarser in range(level - 1, -1, -1):
            r = _row(coarser, x)
            if _weight(stats[:, g, r], j) * _decay(forget, step, stamp[g, r]) >= FORGOTTEN:
                weight = min(_weight(stats[:, g, r], j) * _decay(forget, step, stamp[g, r]),
                             params[P_INHERIT])
                total += weight * _estimate(stats[:, g, r], j, variance, rate)
                n += weight
                break
        means[j] = total / n if n > 0.0 else math.inf
        plays[j] = n + pending[j]


@njit(cache=True)
def cell_estimates(stats, stamp, vector, params, x, g):
    """The :func:`estimates` ``(means, plays)`` of memory ``g`` in its deciding bin at unit
    context ``x``, outstanding trials left out (mean inf for an arm without costs)."""
    k = stats.shape[3]
    row, _, _ = _cell(stats, stamp, vector, params, x, g)
    means = np.empty(k)
    plays = np.empty(k)
    estimates(stats, stamp, vector, params, g, row, x, np.zeros(k), means, plays,
              censoring_rate(stats))
    return means, plays


@njit(cache=True)
def _improvement(stats, vector, params, pending, sd, weights, cheapness, rate):
    """Fill ``weights`` with each arm's probability of improving on the leader's estimate at
    the root of the memory that forgets nothing (what is known of an arm over all contexts and
    times, so that far arms known to be costly stay unlikely), and ``cheapness`` with the
    leader's estimated cost over the arm's; the leader's weight is zero. Returns the sum of
    the weights (-1 before any cost).

    An untried arm's estimate is interpolated between its nearest tried neighbours, with a
    spread that grows with the distance to them: the exploration goes coarse to fine."""
    k = weights.size
    root = stats[:, 0, 0]
    variance = sd * sd
    leader = -1
    best = math.inf
    for j in range(k):
        if _weight(root, j) > 0.0:
            value = _estimate(root, j, variance, rate)
            if value < best:
                best = value
                leader = j
    if leader < 0:
        return -1.0
    tau = params[P_TAU]
    left = -1
    for j in range(k):
        if _weight(root, j) > 0.0:
            left = j
        weights[j] = left          # nearest tried arm at or below j, for the pass below
    right = -1
    norm = 0.0
    for j in range(k - 1, -1, -1):
        if _weight(root, j) > 0.0:
            right = j
        lo = int(weights[j])
        if j == leader:
            weights[j] = 0.0
            cheapness[j] = 0.0
            continue
        if _weight(root, j) > 0.0:
            mean = _estimate(root, j, variance, rate)
            dev = sd / math.sqrt(_weight(root, j) + pending[j])
        else:
            if lo >= 0 and right >= 0:
                m_lo = _estimate(root, lo, variance, rate)
                m_hi = _estimate(root, right, variance, rate)
                mean = m_lo + (m_hi - m_lo) * (j - lo) / (right - lo)
                d = min(j - lo, right - j)
            elif lo >= 0:
                mean = _estimate(root, lo, variance, rate)
                d = j - lo
            else:
                mean = _estimate(root, right, variance, rate)
                d = right - j
            dev = math.sqrt(variance + (tau * d) ** 2) / math.sqrt(1.0 + pending[j])
        weights[j] = 0.5 * math.erfc((mean - best) / (dev * math.sqrt(2.0)))
        cheapness[j] = math.exp(max(min(best - mean, 0.0), -700.0))
        norm += weights[j]
    return norm


@njit(cache=True)
def decide(stats, stamp, vector, params, pending, x, scratch):
    """The choice rule at unit context ``x``: returns ``(local, eps)`` and fills ``weights``
    (``scratch[0]``; the other rows of the ``(4, K)`` scratch array are work space).

    ``local`` is the arm the local search plays in the memory in use: the leader (the arm of
    smallest :func:`estimates`) or a neighbour, an untried one first, else the one of smallest
    lower confidence bound ``estimate - confidence sd sqrt(2 log N / n)``. ``eps`` is the
    probability of exploring instead, with the arm drawn from ``weights``: the
    :func:`exploration_rate` times the arms' summed probability of improvement (at most one,
    see :func:`_improvement`) plus a floor spread over the arms in proportion to their
    cheapness (so that its expected cost is bounded), the weights in proportion; it is one while
    the leader's costs are mostly censored (they are only a bound). Before any cost the arms
    are handed out from the start outwards, the least pending first (``eps = 0``).
    """
    k = stats.shape[3]
    g = memory(vector, params)
    row, _, sd = _cell(stats, stamp, vector, params, x, g)
    weights, means, plays, cheapness = scratch[0], scratch[1], scratch[2], scratch[3]
    rate = censoring_rate(stats)
    estimates(stats, stamp, vector, params, g, row, x, pending, means, plays, rate)
    leader = -1
    best = math.inf
    total = 0.0
    for j in range(k):
        total += plays[j]
        if means[j] < best:
            best = means[j]
            leader = j
    if leader < 0:
        start = int(vector[V_START])
        choice = start
        for j in range(k):
            if pending[j] < pending[choice] or (pending[j] == pending[choice]
                                                and abs(j - start) < abs(choice - start)):
                choice = j
        weights[:] = 0.0
        weights[choice] = 1.0
        return choice, 0.0
    spread = params[P_CONFIDENCE] * sd * math.sqrt(2.0 * math.log(max(total, 2.0)))
    local = -1
    lowest = math.inf
    for j in range(max(leader - 1, 0), min(leader + 1, k - 1) + 1):
        if plays[j] <= 0.0:
            local = j             # untried (and not in flight): try it
            break
        bound = (means[j] if means[j] < math.inf else best) - spread / math.sqrt(plays[j])
        if bound < lowest:
            lowest = bound
            local = j
    plausible = _improvement(stats, vector, params, pending, sd, weights, cheapness, rate)
    if plausible < 0.0 or k < 2:
        weights[:] = 0.0
        return local, 0.0
    # The floor weighs each arm by its cheapness, so that its expected cost stays bounded
    # however costly the far arms are.
    floor = params[P_FLOOR] / (k - 1)
    scale = 1.0 / max(plausible, 1.0)
    norm = 0.0
    for j in range(k):
        weights[j] = weights[j] * scale + floor * cheapness[j]
        norm += weights[j]
    if not norm > 0.0:           # nothing to explore (a floor of zero)
        weights[:] = 0.0
        return local, 0.0
    for j in range(k):
        weights[j] /= norm
    if stats[CENSORED, g, row, leader] > stats[CLEAN, g, row, leader]:
        return local, 1.0
    return local, exploration_rate(vector, params, k) * min(norm, 1.0)


@njit(cache=True)
def choose_packed(stats, stamp, vector, params, pending, x, u, scratch):
    """Draw an arm (increasing order) with the uniform ``u`` and count it as pending; returns
    ``(arm, probability)``."""
    local, eps = decide(stats, stamp, vector, params, pending, x, scratch)
    weights = scratch[0]
    arm = local
    if u < eps:
        target = u / eps
        cdf = 0.0
        for j in range(weights.size):
            if weights[j] > 0.0:
                arm = j
                cdf += weights[j]
                if target < cdf:
                    break
    probability = eps * weights[arm]
    if arm == local:
        probability += 1.0 - eps
    pending[arm] += 1.0
    return arm, probability


@njit(cache=True)
def probabilities_packed(stats, stamp, vector, params, pending, x, scratch):
    """The distribution :func:`choose_packed` draws from, written into ``scratch[0]``."""
    local, eps = decide(stats, stamp, vector, params, pending, x, scratch)
    weights = scratch[0]
    for j in range(weights.size):
        weights[j] *= eps
    weights[local] += 1.0 - eps


@njit(cache=True)
def _watch(vector, params, residual):
    """Feed one prediction residual (log scale) to the two-sided CUSUM change detector.

    Returns the estimated shift of the log-cost when a side raises an alarm (positive: costs
    went up): the mean residual since that side's statistic last left zero; else 0. The side
    that raised it is cleared, so a shift that does not matter (see :func:`update_packed`) is
    not reported again at once."""
    seen = vector[V_RN]
    shift = 0.0
    if seen >= WARMUP:
        scale = math.sqrt(max(vector[V_RVAR], SD_FLOOR * SD_FLOOR))
        z = min(max(residual / scale, -CLIP), CLIP)
        drift = params[P_DRIFT]
        for side, sign in ((V_UP, 1.0), (V_DOWN, -1.0)):
            run, total = side + (V_UP_RUN - V_UP), side + (V_UP_SUM - V_UP)
            vector[side] = max(0.0, vector[side] + sign * z - drift)
            if vector[side] > 0.0:
                vector[run] += 1.0
                vector[total] += residual
            else:
                vector[run] = 0.0
                vector[total] = 0.0
            if shift == 0.0 and vector[side] > params[P_THRESHOLD]:
                shift = vector[total] / vector[run]     # the mean residual since the change
                vector[side] = 0.0
                vector[run] = 0.0
                vector[total] = 0.0
    vector[V_RVAR] += (residual * residual - vector[V_RVAR]) / min(seen + 1.0, RESIDUAL_WINDOW)
    vector[V_RN] = seen + 1.0
    return shift


@njit(cache=True)
def _matters(stats, stamp, vector, params, x, g, arm, shift):
    """Whether a shift of the log-costs by ``shift`` would change the choice at ``x``: a rise
    that would cost the leader its place (the costs of the arms played went up, and the
    leader is played most), or a fall of ``arm``'s cost below the leader's."""
    k = stats.shape[3]
    means, _ = cell_estimates(stats, stamp, vector, params, x, g)
    leader = np.argmin(means)
    if shift > 0.0:
        second = math.inf
        for j in range(k):
            if j != leader and means[j] < second:
                second = means[j]
        return means[leader] + shift > second
    return arm != leader and means[arm] + shift < means[leader]


@njit(cache=True)
def update_packed(stats, stamp, vector, params, pending, x, arm, cost, censored):
    """Record ``cost`` of arm ``arm`` (increasing order) at unit context ``x``: score each
    memory's prediction of it, watch for a change, add it on every level of every memory, and
    :func:`restart` when the detector raises an alarm about a shift that would change the
    choice (a false alarm on a shift that does not matter costs nothing)."""
    y = math.log(cost)
    pending[arm] = max(pending[arm] - 1.0, 0.0)
    forget = params[P_FORGET:]
    levels = int(params[P_LEVELS])
    step = vector[V_STEP]
    memories = forget.size
    needed = needed_count(pooled_sd(vector, params[P_PRIOR_SD]), params[P_MIN_COUNT],
                          params[P_REFERENCE_SD])
    in_use = memory(vector, params)
    misses = np.empty(memories)
    scored = True
    alarm = False
    for g in range(memories):
        r = _decision_row(stats, stamp, forget[g], step, levels, x, needed, g)
        n = _weight(stats[:, g, r], arm)
        if n > 0.0:
            residual = y - _mean(stats[:, g, r], arm)
            misses[g] = residual * residual
            if g == 0 and n >= 2.0:       # the memory that forgets nothing watches
                shift = _watch(vector, params, residual)
                alarm = shift != 0.0 and _matters(stats, stamp, vector, params, x, g, arm,
                                                  shift)
        else:
            scored = False
    if scored:
        for g in range(memories):
            vector[V_ERR + g] += misses[g]
    # Score each level's prediction (its cell's mean, or the nearest coarser one's).
    prediction = math.nan
    for level in range(levels):
        r = _row(level, x)
        if _weight(stats[:, in_use, r], arm) > 0.0:
            prediction = _mean(stats[:, in_use, r], arm)
        if prediction == prediction:
            vector[V_ERR + memories + level] += (y - prediction) ** 2
    for g in range(memories):
        for level in range(levels):
            r = _row(level, x)
            factor = _decay(forget[g], step, stamp[g, r])
            if factor != 1.0:
                for j in range(stats.shape[3]):
                    if (stats[CLEAN, g, r, j] + stats[CENSORED, g, r, j]) * factor < FORGOTTEN:
                        for i in range(FIELDS):
                            stats[i, g, r, j] = 0.0
                    else:
                        for i in range(FIELDS):
                            stats[i, g, r, j] *= factor
            stamp[g, r] = step
            pooled = g == 0 and level == levels - 1 and not censored
            if pooled:
                q0, d0 = _deviation(stats[CLEAN, g, r, arm], stats[CLEAN_SUM, g, r, arm],
                                    stats[CLEAN_SQUARES, g, r, arm])
            if censored:
                stats[CENSORED, g, r, arm] += 1.0
                stats[CENSORED_SUM, g, r, arm] += y
            else:
                stats[CLEAN, g, r, arm] += 1.0
                stats[CLEAN_SUM, g, r, arm] += y
                stats[CLEAN_SQUARES, g, r, arm] += y * y
            if pooled:
                q1, d1 = _deviation(stats[CLEAN, g, r, arm], stats[CLEAN_SUM, g, r, arm],
                                    stats[CLEAN_SQUARES, g, r, arm])
                vector[V_SS] += q1 - q0
                vector[V_DOF] += d1 - d0
    vector[V_STEP] = step + 1.0
    vector[V_SINCE] += 1.0
    if alarm:
        restart(stats, stamp, vector, params, x)


@njit(cache=True)
def restart(stats, stamp, vector, params, x):
    """Forget the past after a detected change at unit context ``x``: the search starts afresh
    from the arm that led there (every statistic cleared), the noise estimate keeps at most
    ``keep`` degrees of freedom as a prior, the memories' scores and the detector are cleared,
    and the exploration rate starts again from its initial value."""
    means, _ = cell_estimates(stats, stamp, vector, params, x, memory(vector, params))
    if np.isfinite(means.min()):
        vector[V_START] = np.argmin(means)
    stats[:] = 0.0
    keep = params[P_KEEP]
    if vector[V_DOF] > keep:
        vector[V_SS] *= keep / vector[V_DOF]
        vector[V_DOF] = keep
    vector[V_SINCE] = 0.0
    vector[V_UP:V_DOWN_SUM + 1] = 0.0
    vector[V_RN] = 0.0
    vector[V_RESETS] += 1.0
    vector[V_ERR:] = 0.0


@njit(cache=True)
def summaries(stats, stamp, vector, params, x, out):
    """Fill ``out[level]`` with ``(estimate, plays, arm)`` for each level from the root down
    to the deciding one at unit context ``x``: the smallest estimate of the memory in use in
    that level's bin, its arm's plays (outstanding trials left out). Returns the deciding
    level. A policy over several families compares them with these at a common resolution;
    one call gives every level it may need."""
    k = stats.shape[3]
    g = memory(vector, params)
    row, _, _ = _cell(stats, stamp, vector, params, x, g)
    deciding = _level(row)
    means = np.empty(k)
    plays = np.empty(k)
    rate = censoring_rate(stats)
    pending = np.zeros(k)
    for level in range(deciding + 1):
        estimates(stats, stamp, vector, params, g, _row(level, x), x, pending, means, plays,
                  rate)
        j = int(np.argmin(means))
        out[level, 0] = means[j]
        out[level, 1] = plays[j]
        out[level, 2] = j
    return deciding
