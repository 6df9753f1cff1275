"""Experiment 1 of "Learning to Relax": a stream of randomly shifted 2-D Laplacians.

Instance ``t`` is ``(A + c_t I) x = b_t`` where ``A`` is the unscaled 5-point Laplacian on an
``m x m`` interior grid (4 on the diagonal, -1 off it), the shift is
``c_t = -0.15 + 0.6 * Beta(0.5, 1.5)`` (``variance="high"``) or ``-0.15 + 0.6 * Beta(2, 6)``
(``variance="low"``) and ``b_t ~ N(0, I)`` conditioned on ``||b_t||_2 <= sqrt(n)``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp

from ._rng import as_generator
from .errors import ParameterError, ParameterTypeError
from .gallery import poisson
from .instance import Instance

SHIFT_BOUNDS = (-0.15, 0.65)
"""Context bounds for contextual tuners; every shift ``c_t`` lies in ``[-0.15, 0.45]``."""

_BETA_PARAMETERS = {"high": (0.5, 1.5), "low": (2.0, 6.0)}
_OFFSET, _SCALE = -0.15, 0.6  # c_t = _OFFSET + _SCALE * Beta(a, b)
_MAX_M = 10  # the largest m for which A - 0.15 I is positive definite


def optimal_sor_omega(beta: float) -> float:
    """Asymptotically optimal SOR relaxation factor for a consistently ordered matrix.

    ``omega* = 1 + (beta / (1 + sqrt(1 - beta**2)))**2``, which equals
    ``2 / (1 + sqrt(1 - beta**2))``.

    Parameters
    ----------
    beta : float
        Spectral radius of the Jacobi iteration matrix ``I - D^{-1} A``, in ``[0, 1)``.

    Returns
    -------
    float
        The optimal factor, in ``[1, 2)``.

    Raises
    ------
    ValueError
        If ``beta`` is not in ``[0, 1)``.

    Examples
    --------
    >>> optimal_sor_omega(0.0)
    1.0
    >>> round(optimal_sor_omega(0.8), 12)
    1.25
    """
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real):
        raise ParameterTypeError(f"beta must be a real number in [0, 1); got {beta!r}")
    beta = float(beta)
    if not 0.0 <= beta < 1.0:
        raise ParameterError(f"beta must be in [0, 1) (a Jacobi spectral radius); got {beta!r}")
    return 1.0 + (beta / (1.0 + math.sqrt(1.0 - beta * beta))) ** 2


def jacobi_spectral_radius(m: int, shift: float) -> float:
    """Spectral radius of ``I - D^{-1} (A + shift I)`` for the ``m x m`` 5-point Laplacian.

    Closed form: ``4 cos(pi / (m + 1)) / (4 + shift)``.

    Parameters
    ----------
    m : int
        Interior grid points per dimension.
    shift : float
        The diagonal shift, > -4.

    Returns
    -------
    float

    Examples
    --------
    >>> round(jacobi_spectral_radius(10, 0.0), 6)
    0.959493
    """
    if isinstance(m, bool) or not isinstance(m, numbers.Integral) or m < 1:
        raise ParameterError(f"m must be an integer >= 1; got {m!r}")
    if not shift > -4.0:
        raise ParameterError(
            f"shift must be > -4 (so that the diagonal is positive); got {shift!r}")
    return 4.0 * math.cos(math.pi / (m + 1)) / (4.0 + shift)


class ShiftedLaplacianSequence:
    """The ``T`` instances of the shifted-Laplacian experiment, drawn up front.

    Built by :func:`shifted_laplacian_sequence`. Iterating, or indexing ``seq[t]``, gives
    :class:`~problems.instance.Instance` objects with ``x0=None``, ``context=c_t`` and
    ``meta={"index": t, "shift": c_t, "omega_opt": omega*}``; the same ``t`` always gives
    the same system.

    Attributes
    ----------
    m : int
        Interior grid points per dimension (``n = m**2`` unknowns).
    variance : str
        ``"high"`` or ``"low"``.
    context_bounds : tuple of float
        :data:`SHIFT_BOUNDS`.

    Examples
    --------
    >>> seq = shifted_laplacian_sequence(3, m=4, seed=0)
    >>> len(seq), seq[0].n, bool(seq[0].A[0, 0] == 4 + seq.shifts[0])
    (3, 16, True)
    """

    def __init__(self, shifts: np.ndarray, rhs: np.ndarray, *, m: int, variance: str):
        self.m = m
        self.variance = variance
        self.context_bounds = SHIFT_BOUNDS
        self._shifts = shifts
        self._shifts.flags.writeable = False
        self._rhs = rhs
        self._laplacian = poisson((m, m))
        L = self._laplacian
        rows = np.repeat(np.arange(L.shape[0]), np.diff(L.indptr))
        self._diagonal_positions = np.flatnonzero(L.indices == rows)

    @property
    def n(self) -> int:
        """Number of unknowns, ``m**2``."""
        return self.m * self.m

    @property
    def shifts(self) -> np.ndarray:
        """The shifts ``c_t`` of all instances (read-only array of length ``T``)."""
        return self._shifts

    def __len__(self) -> int:
        return self._shifts.size

    def __getitem__(self, t) -> Instance:
        if isinstance(t, bool) or not isinstance(t, numbers.Integral):
            raise ParameterTypeError(f"index must be an integer; got {type(t).__name__}")
        T = len(self)
        if not -T <= t < T:
            raise IndexError(f"index must be in [-{T}, {T}); got {t}")
        t = int(t) % T
        c = float(self._shifts[t])
        L = self._laplacian
        data = L.data.copy()
        data[self._diagonal_positions] += c
        A = sp.csr_matrix((data, L.indices.copy(), L.indptr.copy()), shape=L.shape)
        omega = optimal_sor_omega(jacobi_spectral_radius(self.m, c))
        meta = {"index": t, "shift": c, "omega_opt": omega}
        return Instance(A, self._rhs[t].copy(), x0=None, context=c, meta=meta)

    def __iter__(self) -> Iterator[Instance]:
        for t in range(len(self)):
            yield self[t]

    def __repr__(self) -> str:
        return (
            f"ShiftedLaplacianSequence(T={len(self)}, variance={self.variance!r}, m={self.m})"
        )


def shifted_laplacian_sequence(
    T: int = 5000, *, variance: str = "high", m: int = 10, seed=None
) -> ShiftedLaplacianSequence:
    """The shifted-Laplacian sequence of experiment 1 of "Learning to Relax".

    All shifts are drawn first, then the right-hand sides one by one (each redrawn whole
    until ``||b_t||_2 <= sqrt(n)``), all from one generator, so the sequence depends only
    on ``seed``.

    Parameters
    ----------
    T : int, optional
        Number of instances, >= 1.
    variance : {"high", "low"}, optional
        Shift distribution: ``-0.15 + 0.6 * Beta(0.5, 1.5)`` or ``-0.15 + 0.6 * Beta(2, 6)``.
        Both have mean 0; the variances of ``c_t`` are 0.0225 and 0.0075.
    m : int, optional
        Interior grid points per dimension, in ``[2, 10]``: for ``m >= 11`` the smallest
        eigenvalue of ``A``, ``4 - 4 cos(pi / (m + 1))``, is below 0.15, so shifts near
        -0.15 would make ``A_t`` indefinite.
    seed : None, int or numpy.random.Generator, optional
        Source of randomness.

    Returns
    -------
    ShiftedLaplacianSequence
        Iterable and indexable, with ``len() == T``, ``.shifts`` and ``.context_bounds``.

    Raises
    ------
    ValueError
        If ``T``, ``variance`` or ``m`` is out of range.

    Examples
    --------
    >>> seq = shifted_laplacian_sequence(2, variance="low", m=5, seed=1)
    >>> [inst.meta["index"] for inst in seq]
    [0, 1]
    >>> bool(np.linalg.norm(seq[1].b) <= 5.0)
    True
    """
    if isinstance(T, bool) or not isinstance(T, numbers.Integral) or T < 1:
        raise ParameterError(f"T must be an integer >= 1; got {T!r}")
    if variance not in _BETA_PARAMETERS:
        raise ParameterError(f"variance must be 'high' or 'low'; got {variance!r}")
    if isinstance(m, bool) or not isinstance(m, numbers.Integral) or not 2 <= m <= _MAX_M:
        raise ParameterError(
            f"m must be an integer in [2, {_MAX_M}] (larger grids make A - 0.15 I "
            f"indefinite); got {m!r}"
        )
    T, m = int(T), int(m)
    rng = as_generator(seed)
    a, b = _BETA_PARAMETERS[variance]
    shifts = _OFFSET + _SCALE * rng.beta(a, b, size=T)
    n = m * m
    radius = math.sqrt(n)
    rhs = np.empty((T, n))
    for t in range(T):
        v = rng.standard_normal(n)
        while np.linalg.norm(v) > radius:
            v = rng.standard_normal(n)
        rhs[t] = v
    return ShiftedLaplacianSequence(shifts, rhs, m=m, variance=variance)
