"""Conversion of any matrix to the canonical CSR form every problem returns."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .errors import ParameterError, ParameterTypeError


def as_csr(A, *, name: str = "A") -> sp.csr_matrix:
    """Return ``A`` as a canonical ``scipy.sparse.csr_matrix`` of float64.

    Canonical means sorted column indices and no duplicate entries. Sparse input of any
    format and dense 2-D arrays are accepted; complex matrices are rejected.

    Parameters
    ----------
    A : sparse matrix or sparse array or array_like, 2-D
        The matrix to convert.
    name : str, optional
        The argument name used in error messages.

    Returns
    -------
    scipy.sparse.csr_matrix
        A new matrix unless ``A`` already was canonical CSR float64 (``csr_matrix``).

    Raises
    ------
    TypeError
        If ``A`` is complex or not numeric.
    ValueError
        If ``A`` is not two-dimensional.

    Examples
    --------
    >>> import numpy as np
    >>> M = as_csr(np.array([[2, 0], [1, 3]]))
    >>> type(M).__name__, M.dtype.name, M.has_canonical_format
    ('csr_matrix', 'float64', True)
    """
    if sp.issparse(A):
        M = A
    else:
        arr = np.asarray(A)
        if arr.ndim != 2:
            raise ParameterError(f"{name} must be a 2-D matrix; got an array of shape {arr.shape}")
        M = arr
    dtype = np.dtype(M.dtype)
    if dtype.kind == "c":
        raise ParameterTypeError(f"{name} must be real; got dtype {dtype.name} "
                                 "(complex is not supported)")
    if dtype.kind not in "biuf":
        raise ParameterTypeError(f"{name} must have a numeric real dtype; got dtype {dtype.name}")
    if sp.issparse(M) and M.ndim != 2:
        raise ParameterError(f"{name} must be a 2-D matrix; got shape {M.shape}")
    if type(M) is sp.csr_matrix and M.dtype == np.float64 and M.has_canonical_format:
        return M
    out = sp.csr_matrix(M, dtype=np.float64, copy=True)  # never shares arrays with A
    out.sum_duplicates()  # also sorts the indices
    return out
