"""Experiment 2 of "Learning to Relax": the 2-D heat equation by Crank-Nicolson.

``u_t = kappa(t) (u_xx + u_yy) + f(t, x, y)`` on the unit square with ``u = 0`` on the
boundary, discretised by 5-point finite differences on the interior points
``x_i = i h, y_j = j h`` (``i, j = 1 .. nx - 1``, ``h = 1 / nx``) and Crank-Nicolson in time.
Unknown ``i' * (nx - 1) + j'`` (zero-based ``i' = i - 1``, ``j' = j - 1``) is the value at
``(x_i, y_j)``: row-major over the grid with ``x`` the slow index, as in PyAMG's ``poisson``.

Step ``k`` (time ``t_k = k dt``) solves ``A_k u_{k+1} = b_k`` with, writing
``s_k = kappa(t_k + dt / 2) dt / 2`` and ``P = -Lap = poisson / h**2``,

    A_k = I + s_k P,    b_k = (I - s_k P) u_k + dt f(t_k + dt / 2).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator

import numpy as np
import scipy.sparse as sp

from .errors import ParameterError, ParameterTypeError
from .gallery import poisson
from .instance import Instance

KAPPA_BOUNDS = (0.0, 10.0)
"""Range of the default diffusivity: the context bounds for contextual tuners."""


def default_kappa(t: float) -> float:
    """The paper's diffusivity, ``max(0.1 sin(2 pi t), -10 sin(2 pi t))``.

    Parameters
    ----------
    t : float
        Time.

    Returns
    -------
    float
        In ``[0, 10]``: 0.1 at its peak in the first half of each period and 10 in the
        second half.

    Examples
    --------
    >>> default_kappa(0.25), default_kappa(0.75)
    (0.1, 10.0)
    """
    s = math.sin(2.0 * math.pi * t)
    return max(0.1 * s, -10.0 * s, 0.0)


def bump(X, Y, center: tuple[float, float], radius: float) -> np.ndarray:
    """Smooth compactly supported bump ``exp(1 - 1 / (1 - min(1, |p - c|^2 / r^2)))``.

    Equal to 1 at ``center``, in ``(0, 1]`` inside the disc of radius ``radius`` and exactly 0
    outside it (evaluated without division by zero).

    Parameters
    ----------
    X, Y : array_like
        Coordinates of the points, broadcast together.
    center : tuple of float
        Centre ``(cx, cy)``.
    radius : float
        Radius of the support, > 0.

    Returns
    -------
    ndarray of float64
        The broadcast shape of ``X`` and ``Y``.

    Examples
    --------
    >>> bump([0.5, 0.5, 0.9], [0.5, 0.7, 0.5], (0.5, 0.5), 0.25).round(3)
    array([1.   , 0.169, 0.   ])
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    q = ((X - center[0]) ** 2 + (Y - center[1]) ** 2) / (radius * radius)
    inside = q < 1.0
    gap = np.where(inside, 1.0 - q, 1.0)
    return np.where(inside, np.exp(1.0 - 1.0 / gap), 0.0)


def default_forcing(t: float, X, Y) -> np.ndarray:
    """The paper's forcing: ``32 bump((x, y); c(t), 1/8)``, ``c(t)`` circling the centre.

    ``c(t) = (0.5 + cos(16 pi t) / 4, 0.5 + sin(16 pi t) / 4)``.

    Parameters
    ----------
    t : float
        Time.
    X, Y : array_like
        Coordinates of the points.

    Returns
    -------
    ndarray of float64

    Examples
    --------
    >>> float(default_forcing(0.0, 0.75, 0.5))
    32.0
    """
    angle = 16.0 * math.pi * t
    center = (0.5 + math.cos(angle) / 4.0, 0.5 + math.sin(angle) / 4.0)
    return 32.0 * bump(X, Y, center, 0.125)


def default_initial(X, Y) -> np.ndarray:
    """The paper's initial condition: ``bump((x, y); (0.5, 0.5), 1/4)``.

    Parameters
    ----------
    X, Y : array_like
        Coordinates of the points.

    Returns
    -------
    ndarray of float64

    Examples
    --------
    >>> float(default_initial(0.5, 0.5)), float(default_initial(0.0, 0.0))
    (1.0, 0.0)
    """
    return bump(X, Y, (0.5, 0.5), 0.25)


def _check_real(name: str, value, *, low: float, inclusive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterTypeError(f"{name} must be a real number; got {value!r}")
    value = float(value)
    ok = value >= low if inclusive else value > low
    if not (math.isfinite(value) and ok):
        op = ">=" if inclusive else ">"
        raise ParameterError(f"{name} must be a finite number {op} {low:g}; got {value!r}")
    return value


def _check_bounds(bounds) -> tuple[float, float]:
    if bounds is None:
        return KAPPA_BOUNDS
    try:
        low, high = (float(v) for v in bounds)
    except (TypeError, ValueError):
        raise ParameterTypeError(
            f"context_bounds must be a pair of numbers (low, high); got {bounds!r}"
        ) from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ParameterError(f"context_bounds must be finite with low < high; got {bounds!r}")
    return (low, high)


class HeatEquation:
    """Crank-Nicolson simulation of the 2-D heat equation, one linear system per step.

    The caller drives the simulation: :meth:`system` gives the current step's system and
    :meth:`advance` takes its solution, which the next system depends on. Iterating yields
    :meth:`system` for each remaining step and requires an :meth:`advance` between yields.

    Parameters
    ----------
    nx : int
        Grid intervals per side, >= 3; ``n = (nx - 1)**2`` unknowns (576 for ``nx = 25``).
    dt : float, optional
        Time step, > 0.
    t_end : float, optional
        Final time, >= ``dt``; there are ``round(t_end / dt)`` steps.
    kappa : callable, optional
        Diffusivity ``t -> float >= 0``; default :func:`default_kappa`.
    forcing : callable, optional
        Source ``(t, X, Y) -> array`` (or a scalar), with ``X, Y`` the interior coordinates
        shaped like the unknown vector; default :func:`default_forcing`.
    initial : callable, optional
        Initial condition ``(X, Y) -> array`` (or a scalar); default :func:`default_initial`.
    context_bounds : tuple of float, optional
        Range of ``kappa`` reported as :attr:`context_bounds`; default :data:`KAPPA_BOUNDS`.

    Attributes
    ----------
    nx, n, h, dt, t_end : int or float
        Grid and time-step sizes.
    context_bounds : tuple of float
        Bounds of the contexts (the values of ``kappa``).

    Examples
    --------
    >>> from scipy.sparse.linalg import spsolve
    >>> sim = HeatEquation(8, dt=0.01, t_end=0.02)
    >>> len(sim), sim.n
    (2, 49)
    >>> for inst in sim:
    ...     sim.advance(spsolve(inst.A, inst.b))
    >>> sim.step, round(sim.time, 12)
    (2, 0.02)
    """

    def __init__(
        self,
        nx: int,
        *,
        dt: float = 1e-3,
        t_end: float = 5.0,
        kappa: Callable[[float], float] | None = None,
        forcing: Callable | None = None,
        initial: Callable | None = None,
        context_bounds: tuple[float, float] | None = None,
    ):
        if isinstance(nx, bool) or not isinstance(nx, numbers.Integral) or nx < 3:
            raise ParameterError(f"nx must be an integer >= 3; got {nx!r}")
        self.nx = int(nx)
        self.dt = _check_real("dt", dt, low=0.0)
        self.t_end = _check_real("t_end", t_end, low=self.dt, inclusive=True)
        for name, f in (("kappa", kappa), ("forcing", forcing), ("initial", initial)):
            if f is not None and not callable(f):
                raise ParameterTypeError(f"{name} must be callable or None; got {f!r}")
        self._kappa = default_kappa if kappa is None else kappa
        self._forcing = default_forcing if forcing is None else forcing
        self._initial = default_initial if initial is None else initial
        self.context_bounds = _check_bounds(context_bounds)
        self._steps = round(self.t_end / self.dt)

        N = self.nx - 1
        self.n = N * N
        self.h = 1.0 / self.nx
        x = self.h * np.arange(1, self.nx)
        X, Y = np.meshgrid(x, x, indexing="ij")
        self._X, self._Y = X.ravel(), Y.ravel()
        P = poisson((N, N))
        P.data /= self.h * self.h
        self._P = P
        rows = np.repeat(np.arange(self.n, dtype=P.indices.dtype), np.diff(P.indptr))
        self._diagonal_positions = np.flatnonzero(P.indices == rows)
        self._u0 = self._field(self._initial(self._X, self._Y), "initial(X, Y)")
        self._version = 0  # bumped by advance() and reset(): lets iteration spot misuse
        self.reset()

    # -- state -----------------------------------------------------------------------------

    def reset(self) -> None:
        """Go back to step 0 and the initial condition.

        Examples
        --------
        >>> sim = HeatEquation(4, dt=0.5, t_end=1.0)
        >>> sim.advance(sim.u); sim.reset(); sim.step
        0
        """
        self._k = 0
        self._u = self._u0.copy()
        self._cache = None
        self._version += 1

    def __len__(self) -> int:
        return self._steps

    @property
    def step(self) -> int:
        """Index ``k`` of the current step (``len(self)`` once finished)."""
        return self._k

    @property
    def time(self) -> float:
        """Current time ``t_k = k dt``."""
        return self._k * self.dt

    @property
    def u(self) -> np.ndarray:
        """Current solution ``u_k`` (a copy)."""
        return self._u.copy()

    @property
    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """Coordinates ``(X, Y)`` of the unknowns, each of shape ``(n,)`` (copies)."""
        return self._X.copy(), self._Y.copy()

    @property
    def finished(self) -> bool:
        """Whether every step has been advanced."""
        return self._k >= self._steps

    # -- the step --------------------------------------------------------------------------

    def _field(self, value, what: str) -> np.ndarray:
        arr = np.asarray(value, dtype=np.float64)
        try:
            arr = np.broadcast_to(arr, (self.n,))
        except ValueError:
            raise ParameterError(
                f"{what} must return a scalar or an array of shape ({self.n},); "
                f"got shape {arr.shape}"
            ) from None
        if not np.all(np.isfinite(arr)):
            raise ParameterError(f"{what} returned non-finite values")
        return np.array(arr)  # a writable copy

    def _kappa_at(self, t: float) -> float:
        value = self._kappa(t)
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ParameterTypeError(f"kappa(t) must return a real number; got {value!r}") from None
        if not (math.isfinite(value) and value >= 0.0):
            raise ParameterError(f"kappa(t) must be a finite number >= 0; got {value!r} at t={t!r}")
        return value

    def _check_running(self, action: str) -> None:
        if self.finished:
            raise RuntimeError(
                f"cannot {action}: the simulation is finished (all {self._steps} steps were "
                "advanced); call reset() to start over"
            )

    def system(self) -> Instance:
        """The current step's system ``A_k u_{k+1} = b_k``.

        Calling it again before :meth:`advance` returns the same system.

        Returns
        -------
        Instance
            ``A`` (canonical CSR float64, SPD), ``b``, ``x0 = u_k`` (a copy),
            ``context = kappa(t_k + dt/2)`` and
            ``meta = {"step": k, "time": t_k, "kappa": kappa(t_k + dt/2)}``. The matrices
            of all steps share one ``indptr`` and one ``indices`` array (each has its own
            ``data``): do not modify those two in place.

        Raises
        ------
        RuntimeError
            If the simulation is finished.

        Examples
        --------
        >>> sim = HeatEquation(4, dt=0.5, t_end=1.0, kappa=lambda t: 1.0)
        >>> inst = sim.system()
        >>> inst.context, inst.meta["step"], float(inst.A[0, 0])
        (1.0, 0, 17.0)
        """
        self._check_running("build a system")
        if self._cache is None:
            t_mid = self.time + 0.5 * self.dt
            kappa = self._kappa_at(t_mid)
            s = 0.5 * kappa * self.dt
            P = self._P
            data = s * P.data
            data[self._diagonal_positions] += 1.0
            A = sp.csr_matrix((data, P.indices, P.indptr), shape=P.shape)
            f = self._field(self._forcing(t_mid, self._X, self._Y), "forcing(t, X, Y)")
            b = self._u - s * (P @ self._u) + self.dt * f
            self._cache = (A, b, kappa)
        A, b, kappa = self._cache
        meta = {"step": self._k, "time": self.time, "kappa": kappa}
        return Instance(A, b.copy(), x0=self._u.copy(), context=kappa, meta=meta)

    def advance(self, u) -> None:
        """Hand back ``u_{k+1}``, the solution of the current system, and move to step ``k+1``.

        Parameters
        ----------
        u : array_like, shape (n,)
            The solution; must be finite.

        Raises
        ------
        ValueError
            If ``u`` has the wrong shape or non-finite entries.
        RuntimeError
            If the simulation is finished.

        Examples
        --------
        >>> sim = HeatEquation(4, dt=0.5, t_end=1.0)
        >>> sim.advance(np.zeros(9)); sim.step, float(sim.u.max())
        (1, 0.0)
        """
        self._check_running("advance")
        arr = np.asarray(u, dtype=np.float64)
        if arr.shape != (self.n,):
            raise ParameterError(f"u must have shape ({self.n},); got shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ParameterError("u must be finite; got NaN or infinite entries")
        self._u = arr.copy()
        self._k += 1
        self._cache = None
        self._version += 1

    def __iter__(self) -> Iterator[Instance]:
        while not self.finished:
            before = self._version
            yield self.system()
            if self._version == before:
                raise RuntimeError(
                    f"step {self._k} was not advanced: hand the solution back with advance(x) "
                    "before asking for the next system"
                )

    def __repr__(self) -> str:
        return (
            f"HeatEquation(nx={self.nx}, dt={self.dt!r}, t_end={self.t_end!r}, "
            f"step={self._k}/{self._steps})"
        )
