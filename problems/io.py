"""Reading and writing matrices and linear systems (Matrix Market ``.mtx`` and ``.npz``).

``.npz`` system files written by :func:`save_system` hold the CSR arrays of ``A`` under the
keys :func:`scipy.sparse.save_npz` uses (so :func:`read_matrix` reads their matrix too) plus
``b`` and, optionally, ``x0``.
"""

from __future__ import annotations

import math
import numbers
import zipfile
from pathlib import Path

import numpy as np
import scipy.io
import scipy.sparse as sp

from ._csr import as_csr
from .errors import FileFormatError, ParameterError, ParameterTypeError
from .instance import Instance

MATRIX_SUFFIXES = (".mtx", ".npz")
"""File suffixes :func:`read_matrix` and :func:`write_matrix` understand."""


def _suffix(path: Path, allowed: tuple[str, ...]) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise ParameterError(
            f"the file must end in {' or '.join(allowed)}; got {str(path)!r} (suffix "
            f"{suffix!r})"
        )
    return suffix


def _open_npz(path: Path):
    """``np.load`` of a ``.npz`` file, with an error that names the file when it is not one
    (not a zip archive of arrays, or one holding pickled objects, which are never loaded)."""
    if not zipfile.is_zipfile(path):
        raise FileFormatError(f"{str(path)!r} is not a system file (not a zip archive of arrays); "
                              "write it with save_system")
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise FileFormatError(f"{str(path)!r} is not a system file ({exc}); write it with "
                              "save_system") from None


def _existing(path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {str(path)!r}")
    return path


def read_matrix(path) -> sp.csr_matrix:
    """Read a sparse matrix from a ``.mtx`` or ``.npz`` file as canonical CSR float64.

    Parameters
    ----------
    path : str or os.PathLike
        A Matrix Market file (``.mtx``) or a :func:`scipy.sparse.save_npz` file (``.npz``).
        A non-square matrix is returned as is.

    Returns
    -------
    scipy.sparse.csr_matrix

    Raises
    ------
    ValueError
        If the suffix is not ``.mtx`` or ``.npz``, or the file cannot be parsed (the message
        names the file).
    FileNotFoundError
        If the file does not exist.
    TypeError
        If the matrix is complex.

    Examples
    --------
    >>> import tempfile, os, scipy.sparse as sp
    >>> path = os.path.join(tempfile.mkdtemp(), "eye.mtx")
    >>> write_matrix(path, sp.identity(3))
    >>> read_matrix(path).diagonal()
    array([1., 1., 1.])
    """
    path = Path(path)
    suffix = _suffix(path, MATRIX_SUFFIXES)
    path = _existing(path)
    try:
        M = scipy.io.mmread(path) if suffix == ".mtx" else sp.load_npz(path)
    except (ValueError, OSError, KeyError, EOFError) as exc:
        kind = "Matrix Market" if suffix == ".mtx" else "SciPy sparse .npz"
        raise FileFormatError(f"{str(path)!r} is not a readable {kind} file: {exc}") from None
    return as_csr(M, name=f"the matrix in {str(path)!r}")


def write_matrix(path, A) -> None:
    """Write a matrix to a ``.mtx`` or ``.npz`` file, chosen by the suffix of ``path``.

    The matrix is written as canonical CSR float64, so :func:`read_matrix` gives it back
    exactly.

    Parameters
    ----------
    path : str or os.PathLike
        Ends in ``.mtx`` (Matrix Market, coordinate format) or ``.npz``.
    A : sparse matrix or array_like, 2-D
        The matrix; must be real.

    Raises
    ------
    ValueError
        If the suffix is not ``.mtx`` or ``.npz``.

    Examples
    --------
    >>> import tempfile, os, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "m.npz")
    >>> write_matrix(path, np.array([[2.0, -1.0], [0.0, 2.0]]))
    >>> read_matrix(path).nnz
    3
    """
    path = Path(path)
    suffix = _suffix(path, MATRIX_SUFFIXES)
    M = as_csr(A)
    with open(path, "wb") as file:  # a file object: the writers would append a suffix
        if suffix == ".mtx":
            scipy.io.mmwrite(file, M)
        else:
            sp.save_npz(file, M)


def _vector(values, n: int, name: str, source: str) -> np.ndarray:
    arr = np.asarray(values.toarray() if sp.issparse(values) else values)
    if np.iscomplexobj(arr):
        raise ParameterTypeError(f"{name} in {source} must be real; got dtype {arr.dtype.name}")
    arr = arr.astype(np.float64).ravel()
    if arr.size != n:
        raise ParameterError(f"{name} in {source} must have {n} entries (one per row of A); "
                             f"got {arr.size}")
    return arr


def load_system(path) -> Instance:
    """Read a linear system ``A x = b`` as an :class:`~problems.instance.Instance`.

    * ``.npz``: a file written by :func:`save_system` (``A``, ``b`` and, if saved, ``x0``).
    * ``.mtx``: the matrix, and ``b`` from the sibling file ``<stem>_b.mtx`` if it exists
      (the SuiteSparse convention), flattened.

    When there is no right-hand side (an ``.mtx`` without sibling, or an ``.npz`` without
    ``b``), ``b = A @ ones(n)``, so that the exact solution is the vector of ones, and
    ``meta["rhs"] = "A @ ones"``; otherwise ``meta["rhs"]`` names the file ``b`` came from.
    ``meta["source"]`` is ``str(path)``.

    Parameters
    ----------
    path : str or os.PathLike
        Ends in ``.mtx`` or ``.npz``.

    Returns
    -------
    Instance

    Raises
    ------
    ValueError
        If the suffix is not ``.mtx`` or ``.npz``, or ``b`` (or ``x0``) does not match ``A``.
    FileNotFoundError
        If the file does not exist.

    Examples
    --------
    >>> import tempfile, os, scipy.sparse as sp
    >>> path = os.path.join(tempfile.mkdtemp(), "eye.mtx")
    >>> write_matrix(path, 2 * sp.identity(2))
    >>> inst = load_system(path)
    >>> inst.b, inst.meta["rhs"]
    (array([2., 2.]), 'A @ ones')
    """
    path = Path(path)
    suffix = _suffix(path, MATRIX_SUFFIXES)
    path = _existing(path)
    source = repr(str(path))
    x0 = None
    b = None
    rhs = "A @ ones"
    context = None
    extra = {}
    if suffix == ".npz":
        with _open_npz(path) as arrays:
            missing = [k for k in ("data", "indices", "indptr", "shape") if k not in arrays]
            if missing:
                raise FileFormatError(
                    f"{source} is not a system file: it lacks the arrays {missing}; "
                    "write it with save_system"
                )
            shape = tuple(int(s) for s in arrays["shape"])
            A = as_csr(
                sp.csr_matrix(
                    (arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape
                ),
                name=f"the matrix in {source}",
            )
            if "b" in arrays:
                b = _vector(arrays["b"], A.shape[0], "b", source)
                rhs = str(path)
            if "x0" in arrays:
                x0 = _vector(arrays["x0"], A.shape[1], "x0", source)
            context = float(arrays["context"]) if "context" in arrays else None
            extra = {key[5:]: (str(arrays[key]) if arrays[key].dtype.kind == "U"
                               else float(arrays[key]))
                     for key in arrays.files if key.startswith("meta_")}
    else:
        A = read_matrix(path)
        b_path = path.with_name(path.stem + "_b.mtx")
        if b_path.is_file():
            b = _vector(scipy.io.mmread(b_path), A.shape[0], "b", repr(str(b_path)))
            rhs = str(b_path)
    if b is None:
        b = A @ np.ones(A.shape[1])
    return Instance(A, b, x0=x0, context=context,
                    meta={**extra, "source": str(path), "rhs": rhs})


def read_context(path, field: str = "context") -> float | None:
    """Read one number of a system file without reading its matrix.

    Parameters
    ----------
    path : str or os.PathLike
        A system file (``.npz`` from :func:`save_system`, or ``.mtx``, which has none).
    field : str
        ``"context"`` (the instance's context) or the name of a metadata entry.

    Returns
    -------
    float or None
        The value, or None when the file does not have it (or it is text).

    Examples
    --------
    >>> import tempfile, os, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "s.npz")
    >>> save_system(path, np.eye(2), np.ones(2), context=0.3, meta={"shift": 1.5})
    >>> read_context(path), read_context(path, "shift"), read_context(path, "nosuch")
    (0.3, 1.5, None)
    """
    path = Path(path)
    if _suffix(path, MATRIX_SUFFIXES) == ".mtx":
        _existing(path)
        return None
    key = field if field == "context" else "meta_" + field
    with np.load(_existing(path), allow_pickle=False) as arrays:
        if key not in arrays.files or arrays[key].dtype.kind not in "iuf":
            return None
        return float(arrays[key])


def save_system(path, A, b, x0=None, *, context=None, meta=None) -> None:
    """Write ``A``, ``b`` and optionally ``x0``, a context and metadata to one ``.npz`` file
    for :func:`load_system`.

    Parameters
    ----------
    path : str or os.PathLike
        Must end in ``.npz``.
    A : sparse matrix or array_like, 2-D
        The matrix (stored as canonical CSR float64).
    b : array_like, shape (n,)
        Right-hand side, one entry per row of ``A``.
    x0 : array_like, shape (A.shape[1],), optional
        Starting guess.
    context : float, optional
        The instance's context (read back as ``Instance.context``).
    meta : dict, optional
        Further fields, each a finite real number or a string (read back into
        ``Instance.meta``).

    Raises
    ------
    ValueError
        If the suffix is not ``.npz``, a vector's length does not match ``A``, or the context
        or a metadata value is not a finite number (or, for metadata, a string).

    Examples
    --------
    >>> import tempfile, os, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "sys.npz")
    >>> save_system(path, np.diag([1.0, 2.0]), [3.0, 4.0])
    >>> load_system(path).b
    array([3., 4.])
    """
    path = Path(path)
    _suffix(path, (".npz",))
    M = as_csr(A)
    arrays = {
        "data": M.data,
        "indices": M.indices,
        "indptr": M.indptr,
        "shape": np.array(M.shape),
        "format": np.array(b"csr"),
        "b": _check_vector(b, M.shape[0], "b"),
    }
    if x0 is not None:
        arrays["x0"] = _check_vector(x0, M.shape[1], "x0")
    if context is not None:
        arrays["context"] = np.array(_check_field("context", context))
    for key, value in (meta or {}).items():
        if not isinstance(key, str) or not key.isidentifier():
            raise ParameterError(f"meta keys must be identifiers; got {key!r}")
        arrays["meta_" + key] = np.array(value if isinstance(value, str)
                                         else _check_field(f"meta[{key!r}]", value))
    with open(path, "wb") as file:  # a file object: numpy would append ".npz" to "X.NPZ"
        np.savez_compressed(file, **arrays)


def _check_field(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not math.isfinite(float(value)):
        raise ParameterError(f"{name} must be a finite real number; got {value!r}")
    return float(value)


def _check_vector(values, n: int, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if np.iscomplexobj(arr):
        raise ParameterTypeError(f"{name} must be real; got dtype {arr.dtype.name}")
    arr = arr.astype(np.float64)
    if arr.ndim != 1 or arr.size != n:
        raise ParameterError(
            f"{name} must be a vector of length {n} to match A; got shape {arr.shape}"
        )
    return arr
