"""Bring your own operator: foreign linear operators as imaging operators, and the adjoint test.

:func:`as_operator` is the one place where what a user hands to :func:`data_consistency` or
:func:`dds_sample` becomes an :class:`ImagingOperator`: built-in operators pass through,
matrices (NumPy, CuPy, SciPy sparse) become a :class:`MatrixOperator`, and anything with
``matvec``, ``rmatvec`` and ``shape`` (a SciPy ``LinearOperator``, a PyLops operator, a
:class:`FunctionOperator`) is applied vector by vector.
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.sparse as sp

from .._validate import as_generator
from ..backend import is_gpu_array, namespace
from ..errors import NonFiniteError, ParameterError, ShapeError
from .operators import ImagingOperator, MatrixOperator


class FunctionOperator:
    """A linear operator ``A`` of shape ``(m, n)`` given by two functions on vectors.

    Parameters
    ----------
    forward : callable
        ``forward(x) -> A x``: a vector of ``n`` entries to one of ``m``.
    adjoint : callable
        ``adjoint(y) -> A^H y`` (the conjugate transpose): ``m`` entries to ``n``.
    shape : (int, int)
        ``(m, n)``.
    dtype : dtype, optional
        ``float64`` by default; a complex dtype marks a complex operator (the samplers and
        :func:`check_adjoint` then draw complex vectors).

    Examples
    --------
    >>> M = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0]])
    >>> A = FunctionOperator(lambda x: M @ x, lambda y: M.T @ y, M.shape)
    >>> A.matvec(np.ones(3)).tolist(), A.rmatvec(np.ones(2)).tolist()
    ([3.0, 4.0], [1.0, 3.0, 3.0])
    """

    def __init__(self, forward, adjoint, shape, *, dtype=np.float64):
        if not (callable(forward) and callable(adjoint)):
            raise ParameterError("forward and adjoint must be callables on vectors; got "
                                 f"{type(forward).__name__} and {type(adjoint).__name__}")
        self.shape = _check_shape(shape)
        self.dtype = np.dtype(dtype)
        self._forward, self._adjoint = forward, adjoint

    def matvec(self, x):
        return self._forward(x)

    def rmatvec(self, y):
        return self._adjoint(y)

    def __repr__(self) -> str:
        return f"FunctionOperator(shape={self.shape}, dtype={self.dtype})"


def _check_shape(shape):
    try:
        m, n = shape
    except (TypeError, ValueError):
        raise ShapeError(f"shape must be a pair (m, n); got {shape!r}") from None
    if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1
               for s in (m, n)):
        raise ShapeError(f"shape must be two positive integers (m, n); got {shape!r}")
    return int(m), int(n)


def is_dense_array(a) -> bool:
    """A NumPy or CuPy ndarray (not a sparse matrix, not an operator)."""
    return isinstance(a, np.ndarray) or (is_gpu_array(a) and type(a).__name__ == "ndarray")


def is_operator(a) -> bool:
    """True for what :func:`as_operator` takes other than a dense array."""
    return (isinstance(a, ImagingOperator) or sp.issparse(a)
            or (is_gpu_array(a) and not is_dense_array(a))
            or all(hasattr(a, name) for name in ("matvec", "rmatvec", "shape")))


def _dims(given, default, count, name):
    """``given`` (an image or data shape holding ``count`` entries), or ``default``."""
    if given is None:
        return default
    dims = tuple(int(s) for s in given)
    if int(np.prod(dims)) != count:
        raise ShapeError(f"{name} {dims} holds {int(np.prod(dims))} entries but the operator "
                         f"maps {count}")
    return dims


def as_operator(A, *, image_shape=None, data_shape=None) -> ImagingOperator:
    """``A`` as an :class:`ImagingOperator` (``forward``, ``adjoint``, batches).

    Parameters
    ----------
    A : ImagingOperator, ndarray, sparse matrix, LinearOperator or operator-like
        Built-in operators are returned as they are. A 2-D NumPy/CuPy array or a SciPy (or
        CuPy) sparse matrix ``M`` acts as ``x -> M x``. Any object with ``matvec(x)``,
        ``rmatvec(y)`` (the adjoint, ``A^H y``) and ``shape = (m, n)``, such as a SciPy
        ``LinearOperator``, a PyLops operator or a :class:`FunctionOperator`, is applied to
        every item of a batch (with ``matmat``/``rmatmat`` when it has them). Its ``dtype``,
        if any, says whether it is complex.
    image_shape, data_shape : tuple of int, optional
        The shapes of one image and one measurement for a matrix or vector operator:
        ``(n,)`` and ``(m,)`` by default; any shapes holding ``n`` and ``m`` entries.

    Returns
    -------
    ImagingOperator

    Examples
    --------
    >>> from scipy.sparse.linalg import aslinearoperator
    >>> M = np.arange(12.0).reshape(3, 4)
    >>> A = as_operator(aslinearoperator(M), image_shape=(2, 2))
    >>> A.forward(np.ones((5, 2, 2))).shape, A.adjoint(np.ones(3)).shape
    ((5, 3), (2, 2))
    >>> as_operator(M).image_shape, as_operator(M).data_shape
    ((4,), (3,))
    """
    if isinstance(A, ImagingOperator):
        for name, given, own in (("image_shape", image_shape, A.image_shape),
                                 ("data_shape", data_shape, A.data_shape)):
            if given is not None and tuple(int(s) for s in given) != tuple(own):
                raise ShapeError(f"A is an imaging operator with {name} {tuple(own)}; "
                                 f"got {name}={tuple(given)}")
        return A
    if isinstance(A, tuple) and len(A) == 2 and all(callable(f) for f in A):
        raise ParameterError("a pair of functions needs its shape: pass "
                             "FunctionOperator(forward, adjoint, (m, n))")
    if is_dense_array(A) or sp.issparse(A) or is_gpu_array(A):
        if isinstance(A, np.matrix):
            A = np.asarray(A)
        if A.ndim != 2:
            raise ShapeError(f"A as a matrix must be 2-D; got shape {tuple(A.shape)}")
        m, n = (int(s) for s in A.shape)
        return MatrixOperator(A, _dims(image_shape, (n,), n, "image_shape"),
                              _dims(data_shape, (m,), m, "data_shape"))
    if all(hasattr(A, name) for name in ("matvec", "rmatvec", "shape")):
        m, n = _check_shape(tuple(A.shape))
        return _VectorOperator(A, _dims(image_shape, (n,), n, "image_shape"),
                               _dims(data_shape, (m,), m, "data_shape"))
    raise ParameterError(
        f"A must be a linear operator: an ImagingOperator (MRIOperator, CTOperator, ...), a "
        f"matrix (dense or sparse), or an object with matvec, rmatvec and shape (a SciPy "
        f"LinearOperator, FunctionOperator(forward, adjoint, shape)); got {type(A).__name__}")


class _VectorOperator(ImagingOperator):
    """An operator on vectors (``matvec``, ``rmatvec``, ``shape``) over batches of images."""

    def __init__(self, op, image_shape, data_shape):
        self.op = op
        self.image_shape, self.data_shape = image_shape, data_shape
        dtype = getattr(op, "dtype", None)
        self.is_complex = dtype is not None and np.issubdtype(np.dtype(dtype),
                                                              np.complexfloating)

    def forward(self, x):
        self._check(x, self.image_shape, "x")
        return self._map(x, "matvec", "matmat", self.image_shape, self.data_shape)

    def adjoint(self, y):
        self._check(y, self.data_shape, "y")
        try:
            return self._map(y, "rmatvec", "rmatmat", self.data_shape, self.image_shape)
        except NotImplementedError:
            raise ParameterError(f"A ({type(self.op).__name__}) has no adjoint: give it "
                                 f"rmatvec (A^H y)") from None

    def _map(self, a, vec, mat, shape_in, shape_out):
        xp = namespace(a)
        batch = a.shape[:a.ndim - len(shape_in)]
        n_in, n_out = int(np.prod(shape_in)), int(np.prod(shape_out))
        flat = a.reshape(-1, n_in)
        if flat.shape[0] == 0:
            dtype = xp.complex128 if self.is_complex or xp.iscomplexobj(a) else xp.float64
            return xp.zeros((*batch, *shape_out), dtype=dtype)
        out = None
        if flat.shape[0] > 1 and hasattr(self.op, mat):
            try:
                out = xp.asarray(getattr(self.op, mat)(flat.T))
            except TypeError:
                # SciPy's rmatmat of a LinearOperator made without rmatvec calls None;
                # the per-item path below says what is missing
                out = None
        if out is not None:
            expected = (n_out, flat.shape[0])
            if tuple(out.shape) != expected:
                raise ShapeError(f"A.{mat} returned shape {tuple(out.shape)} for an input of "
                                 f"shape {(n_in, flat.shape[0])}; expected {expected}")
            out = out.T
        else:
            items = []
            for v in flat:
                item = xp.asarray(getattr(self.op, vec)(v))
                if item.size != n_out:
                    raise ShapeError(f"A.{vec} returned shape {tuple(item.shape)} for a "
                                     f"vector of {n_in} entries; expected ({n_out},)")
                items.append(item.reshape(n_out))
            out = xp.stack(items)
        return out.reshape(*batch, *shape_out)


def check_adjoint(op, *, trials=5, seed=None) -> float:
    """The dot-product test of an adjoint: ``<A x, y> = <x, A^H y>`` on random vectors.

    Draws ``trials`` pairs of standard normal ``x`` (an image) and ``y`` (a measurement),
    complex when the operator is, and returns the largest relative discrepancy
    ``|<A x, y> - <x, A^H y>| / max(|<A x, y>|, |<x, A^H y>|)`` with
    ``<u, v> = sum(conj(u) v)``. A correct pair gives a few units of rounding (about
    ``1e-16`` times the size); a wrong adjoint (missing conjugation, a wrong scale, a
    transposed layout) gives an error of order one.

    Parameters
    ----------
    op : operator
        Anything :func:`as_operator` takes: a built-in operator, a matrix, a SciPy
        ``LinearOperator``, an object with ``matvec``/``rmatvec``/``shape``, a
        :class:`FunctionOperator`. The test vectors are NumPy arrays.
    trials : int
        Random pairs drawn (>= 1).
    seed : int or numpy.random.Generator, optional
        The random vectors; the same seed gives the same value.

    Returns
    -------
    float
        The relative error (0.0 when every inner product is exactly zero).

    Examples
    --------
    >>> M = np.array([[1.0, 2.0j, 0.0], [0.5, 1.0, 3.0 - 1.0j]])
    >>> good = FunctionOperator(lambda x: M @ x, lambda y: M.conj().T @ y, M.shape,
    ...                         dtype=complex)
    >>> check_adjoint(good, seed=0) < 1e-14
    True
    >>> unconjugated = FunctionOperator(lambda x: M @ x, lambda y: M.T @ y, M.shape,
    ...                                 dtype=complex)
    >>> check_adjoint(unconjugated, seed=0) > 0.1
    True
    """
    if isinstance(trials, bool) or not isinstance(trials, numbers.Integral) or trials < 1:
        raise ParameterError(f"trials must be an integer >= 1; got {trials!r}")
    A = as_operator(op)
    rng = as_generator(seed)

    def draw(shape):
        v = rng.standard_normal(shape)
        return v + 1j * rng.standard_normal(shape) if A.is_complex else v

    worst = 0.0
    for _ in range(int(trials)):
        x, y = draw(A.image_shape), draw(A.data_shape)
        lhs = complex(np.vdot(A.forward(x), y))
        rhs = complex(np.vdot(x, A.adjoint(y)))
        if not (np.isfinite(lhs) and np.isfinite(rhs)):
            raise NonFiniteError(f"the operator returned NaN or infinity: <A x, y> = {lhs}, "
                                 f"<x, A^H y> = {rhs}")
        scale = max(abs(lhs), abs(rhs))
        if scale > 0.0:
            worst = max(worst, abs(lhs - rhs) / scale)
    return float(worst)
