"""Numba kernel of Tsallis-INF's normalisation: the per-decision hot loop of the tuner."""

import math

from numba import njit


@njit(cache=True)
def newton_gap(shifted, zmin, eta, steps, p):
    """Safeguarded Newton iteration for the gap ``u = min z - x``; fills ``p``, returns ``u``.

    See :func:`tuner.policies.tsallis_inf.tsallis_newton` for the method and its safeguards.
    """
    n = shifted.shape[0]
    lo = 2.0 / eta
    hi = 2.0 * math.sqrt(n) / eta
    u = min(max(zmin + 1.0, lo), hi)  # the reference's start, x = -1, kept in the bracket
    for _ in range(steps):
        total = 0.0
        total32 = 0.0
        for i in range(n):
            d = eta * (shifted[i] + u)
            pi = 4.0 / (d * d)
            total += pi
            total32 += pi * math.sqrt(pi)
        excess = total - 1.0
        if excess > 0.0:
            lo = u
        elif excess < 0.0:
            hi = u
        else:
            break
        u = min(max(u + excess / (eta * total32), lo), hi)
    for i in range(n):
        d = eta * (shifted[i] + u)
        p[i] = 4.0 / (d * d)
    return u
