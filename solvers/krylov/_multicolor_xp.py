"""CG's pieces for an array namespace (NumPy or CuPy): the multicolour SSOR preconditioner.

Blocks as in :mod:`solvers.relaxation._multicolor_xp`: each colour's rows are solved at once
in the two triangular sweeps, whole-array operations only.
"""

from __future__ import annotations


def block_ssor(blocks, d, omega):
    """``psolve(r) = M^{-1} r`` for the SSOR preconditioner of the renumbered matrix,
    ``M = (D/w + L) (D/w)^{-1} (D/w + U) / (2 - w)``, with ``d`` its diagonal."""
    dinv = omega / d
    scale = 2.0 - omega

    def psolve(r):
        y = r.copy()
        for s, e, lower, _ in blocks:
            if lower is not None:
                y[s:e] -= lower @ y[:s]
            y[s:e] *= dinv[s:e]
        y *= d / omega
        for s, e, _, upper in reversed(blocks):
            if upper is not None:
                y[s:e] -= upper @ y[e:]
            y[s:e] *= dinv[s:e]
        y *= scale
        return y

    return psolve
