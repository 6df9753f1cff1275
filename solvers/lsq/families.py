"""One-dimensional orthonormal families: the factors of the tensor-product bases.

Each family is orthonormal in L^2 of its probability measure and knows what the exact
Christoffel sampler (:mod:`.induced`) needs: a variable ``t`` in which the density
``phi_k(x)^2 dmu(x)`` is smooth and bounded, and (for polynomials) the three-term recurrence

    x phi_k(x) = b_{k+1} phi_{k+1}(x) + a_k phi_k(x) + b_k phi_{k-1}(x),   phi_0 = 1,

that the compiled sampler evaluates.

Legendre and Chebyshev polynomials live on any interval ``[a, b]`` (``interval=(a, b)``,
[-1, 1] by default) through the affine map ``s = (2 x - a - b) / (b - a)`` onto the
reference interval: ``phi_k(x) = p_k(s)``, with mu the image of the reference measure. The
recurrence, the variable ``t`` and the sampler's tables belong to the reference interval
(``s = -cos t``) and are shared by every interval; only :meth:`from_reference` moves a point.
"""

from __future__ import annotations

import math

import numpy as np

from ..backend import namespace
from ..errors import ParameterError
from ._validate import check_int
from .measures import Arcsine, Gaussian, Uniform

# How the compiled inverse-CDF sampler reads the variable t (see ``_kernels.induced_density``).
KIND_UNIFORM, KIND_ARCSINE, KIND_GAUSSIAN, KIND_FOURIER = 0, 1, 2, 3


def check_interval(interval, name="interval"):
    """``interval`` as a pair of floats ``(a, b)`` with finite ``a < b``.

    Examples
    --------
    >>> check_interval([0, 2])
    (0.0, 2.0)
    """
    try:
        lo, hi = (float(v) for v in interval)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a pair (a, b); got {interval!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ParameterError(f"{name} must have finite a < b; got {interval!r}")
    return lo, hi


class OrthonormalPolynomials:
    """Orthonormal polynomials from their recurrence coefficients (the base of the three)."""

    name = "polynomials"
    kind = -1
    interval = None          # the real line (Hermite); bounded families set their own

    def __repr__(self):
        return f"{type(self).__name__}()"

    @property
    def key(self):
        """A hashable name of the family (what the sampler's tables are cached under)."""
        return (self.name,)

    def recurrence(self, p):
        """Coefficients ``a[0..p]`` and ``b[0..p+1]`` (``b[0]`` unused) of phi_0..phi_{p+1}."""
        k = np.arange(p + 2, dtype=float)
        return np.zeros(p + 1), self._b(k)

    def evaluate(self, x, degree):
        """phi_0..phi_degree at the points ``x`` (shape (n,)): an array of shape (n, degree + 1).

        Works on NumPy and CuPy arrays alike (the array's own namespace).
        """
        degree = check_int(degree, "degree", minimum=0)
        xp = namespace(x)
        s = self.to_reference(xp.asarray(x, dtype=xp.float64))
        return self._recur(s, degree, xp.ones_like(s), xp)

    def to_reference(self, x):
        """The point of the reference interval (where the recurrence holds) for ``x``."""
        return x

    def from_reference(self, s):
        """The point ``x`` for a point ``s`` of the reference interval."""
        return s

    def _recur(self, x, degree, start, xp=np):
        """``start * phi_k(x)``, k = 0..degree (the recurrence is linear: any start scales all)."""
        a, b = self.recurrence(degree)
        cols = [start]
        prev = xp.zeros_like(x)
        for k in range(degree):
            nxt = ((x - a[k]) * cols[k] - b[k] * prev) / b[k + 1]
            prev = cols[k]
            cols.append(nxt)
        return xp.stack(cols, axis=1)

    def quadrature(self, q):
        """The measure's Gauss rule with ``q`` nodes: exact for phi_j phi_l when j + l <= 2q - 1."""
        return self.measure.quadrature(q)

    def t_to_x(self, t):
        return self.from_reference(-np.cos(t))

    def t_range(self, p):
        return 0.0, math.pi

    def n_cells(self, p):
        # In t = arccos(-x) the density is a trigonometric polynomial of degree <= 2p + 1:
        # at most a quarter of an oscillation per cell.
        return 8 * (p + 1) + 32


class _IntervalPolynomials(OrthonormalPolynomials):
    """Polynomials on ``[a, b]``: those of [-1, 1] composed with the affine map onto it."""

    def __init__(self, interval=(-1.0, 1.0)):
        self.interval = check_interval(interval)
        a, b = self.interval
        self._centre, self._half = 0.5 * (a + b), 0.5 * (b - a)
        self.measure = self._measure(a, b)

    def __repr__(self):
        if self.interval == (-1.0, 1.0):
            return f"{type(self).__name__}()"
        return f"{type(self).__name__}(interval={self.interval!r})"

    def to_reference(self, x):
        if self.interval == (-1.0, 1.0):
            return x
        return (x - self._centre) / self._half

    def from_reference(self, s):
        if self.interval == (-1.0, 1.0):
            return s
        # clipped: rounding must not put an end point's image outside [a, b]
        a, b = self.interval
        xp = namespace(s)
        return xp.clip(self._centre + self._half * s, a, b)


class Legendre(_IntervalPolynomials):
    """Legendre polynomials ``sqrt(2k + 1) P_k``, orthonormal for the uniform measure on
    ``interval`` ([-1, 1] by default; ``P_k`` then of ``(2 x - a - b) / (b - a)``).

    Examples
    --------
    >>> Legendre().evaluate(np.array([1.0]), 2).round(12).tolist()
    [[1.0, 1.732050807569, 2.2360679775]]
    >>> Legendre(interval=(0, 4)).evaluate(np.array([4.0]), 2).round(12).tolist()
    [[1.0, 1.732050807569, 2.2360679775]]
    """

    name = "legendre"
    kind = KIND_UNIFORM
    _measure = Uniform

    @staticmethod
    def _b(k):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(k > 0, k / np.sqrt(np.maximum(4.0 * k * k - 1.0, 1.0)), 0.0)

    def induced_density(self, t, p):
        """``phi_k(s)^2 dmu/ds ds/dt`` at s = -cos t (reference interval), k = 0..p: shape
        (len(t), p + 1); the same for every interval."""
        s = -np.cos(t)
        V = self._recur(s, p, np.ones_like(s))
        return V * V * (0.5 * np.sin(t))[:, None]


class Chebyshev(_IntervalPolynomials):
    """Chebyshev polynomials of the first kind, ``T_0`` and ``sqrt(2) T_k``, orthonormal for
    the arcsine measure ``dx / (pi sqrt((x - a) (b - x)))`` on ``interval`` ([-1, 1] by
    default; ``T_k`` then of ``(2 x - a - b) / (b - a)``).

    Examples
    --------
    >>> Chebyshev().evaluate(np.array([0.5]), 2).round(12).tolist()   # T_2(0.5) = -0.5
    [[1.0, 0.707106781187, -0.707106781187]]
    >>> Chebyshev(interval=(0, 1)).evaluate(np.array([0.75]), 2).round(12).tolist()
    [[1.0, 0.707106781187, -0.707106781187]]
    """

    name = "chebyshev"
    kind = KIND_ARCSINE
    _measure = Arcsine

    @staticmethod
    def _b(k):
        return np.where(k == 1, math.sqrt(0.5), np.where(k > 1, 0.5, 0.0))

    def induced_density(self, t, p):
        s = -np.cos(t)
        V = self._recur(s, p, np.ones_like(s))
        return V * V / math.pi


class Hermite(OrthonormalPolynomials):
    """Probabilists' Hermite polynomials ``He_k / sqrt(k!)``, orthonormal for N(0, 1).

    Examples
    --------
    >>> Hermite().evaluate(np.array([2.0]), 2).round(12).tolist()   # He_2(2) = 3
    [[1.0, 2.0, 2.12132034356]]
    """

    name = "hermite"
    kind = KIND_GAUSSIAN
    measure = Gaussian()

    @staticmethod
    def _b(k):
        return np.sqrt(k)

    def induced_density(self, t, p):
        # phi_k(t) exp(-t^2 / 4) (bounded Hermite functions) by the recurrence started at
        # exp(-t^2 / 4): no overflow of phi_k^2 far out, whatever p
        V = self._recur(t, p, np.exp(-0.25 * t * t))
        return V * V / math.sqrt(2.0 * math.pi)

    def t_to_x(self, t):
        return t

    def t_range(self, p):
        # Beyond the largest zero (< sqrt(4p + 2)) the density is below x^(2k) phi(x) / k!:
        # 10 more units leave a mass far below 1e-20 outside.
        half = math.sqrt(4.0 * p + 2.0) + 10.0
        return -half, half

    def n_cells(self, p):
        half = self.t_range(p)[1]
        return int(math.ceil(16.0 * half * math.sqrt(2.0 * p + 1.0) / math.pi)) + 32


class Fourier:
    """Real trigonometric functions, orthonormal for the uniform measure on ``[lo, hi)``.

    With ``t = (x - lo) / (hi - lo)``: ``phi_0 = 1``, ``phi_{2k-1} = sqrt(2) cos(2 pi k t)``,
    ``phi_{2k} = sqrt(2) sin(2 pi k t)``. The "degree" of ``phi_j`` is its position ``j``
    (so degree p spans the frequencies up to ``ceil(p / 2)``).

    Examples
    --------
    >>> Fourier().evaluate(np.array([0.125]), 2).round(12).tolist()
    [[1.0, 1.0, 1.0]]
    """

    name = "fourier"
    kind = KIND_FOURIER

    def __init__(self, interval=(0.0, 1.0)):
        self.interval = check_interval(interval)
        self.measure = Uniform(*self.interval)

    def __repr__(self):
        return f"Fourier(interval={self.interval!r})"

    @property
    def key(self):
        return (self.name, self.interval)

    def recurrence(self, p):
        return np.zeros(p + 1), np.zeros(p + 2)

    def evaluate(self, x, degree):
        degree = check_int(degree, "degree", minimum=0)
        xp = namespace(x)
        x = xp.asarray(x, dtype=xp.float64)
        lo, hi = self.interval
        theta = (2.0 * math.pi / (hi - lo)) * (x - lo)
        cols = [xp.ones_like(x)]
        for j in range(1, degree + 1):
            k = (j + 1) // 2
            trig = xp.cos if j % 2 else xp.sin
            cols.append(math.sqrt(2.0) * trig(k * theta))
        return xp.stack(cols, axis=1)

    def quadrature(self, q):
        """The ``q``-point periodic trapezoidal rule: exact for frequencies below ``q``."""
        q = check_int(q, "q", minimum=1)
        lo, hi = self.interval
        return lo + (hi - lo) * np.arange(q) / q, np.full(q, 1.0 / q)

    def induced_density(self, t, p):
        lo, hi = self.interval
        V = self.evaluate(lo + (hi - lo) * np.asarray(t), p)
        return V * V

    def t_to_x(self, t):
        lo, hi = self.interval
        return lo + (hi - lo) * t

    def t_range(self, p):
        return 0.0, 1.0

    def n_cells(self, p):
        return 32 * ((p + 1) // 2 + 1)


FAMILIES = {"legendre": Legendre, "hermite": Hermite, "chebyshev": Chebyshev,
            "fourier": Fourier}


BOUNDED = ("legendre", "chebyshev", "fourier")
"""The families that take an ``interval``."""


def family(spec, *, interval=None):
    """A family from its name (``"legendre"``, ``"hermite"``, ``"chebyshev"``, ``"fourier"``)
    or as given when it already is one.

    Parameters
    ----------
    spec : str or family object
    interval : pair (a, b), optional
        The interval of a family given by name (:data:`BOUNDED` ones only); by default
        [-1, 1] for Legendre and Chebyshev, [0, 1) for Fourier.

    Examples
    --------
    >>> family("hermite")
    Hermite()
    >>> family("legendre", interval=(0, 2))
    Legendre(interval=(0.0, 2.0))
    """
    if isinstance(spec, (OrthonormalPolynomials, Fourier)):
        if interval is not None:
            raise ParameterError(f"interval is for a family given by name; {spec!r} already "
                                 f"has its own (give it to the family's constructor)")
        return spec
    if isinstance(spec, str) and spec.lower() in FAMILIES:
        name = spec.lower()
        if interval is None:
            return FAMILIES[name]()
        if name not in BOUNDED:
            raise ParameterError(f"{name} is orthonormal on the whole real line and takes no "
                                 f"interval; the families with an interval are {BOUNDED}")
        return FAMILIES[name](interval=interval)
    raise ParameterError(f"family must be one of {sorted(FAMILIES)} or a family object; "
                         f"got {spec!r}")
