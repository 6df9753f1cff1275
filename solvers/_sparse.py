"""Canonical CSR arrays prepared once per solve, in the form the Numba kernels take."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from ._kernels import count_special, diagonal
from ._validate import check_matrix
from .errors import NotSPDError, ZeroDiagonalError


@dataclass(frozen=True, eq=False)
class CSRArrays:
    """A canonical CSR matrix (sorted, no duplicates, no stored zeros, float64), kernel-ready.

    ``indptr`` and ``indices`` are unsigned views of the int32 (or, for very large matrices,
    int64) index arrays: the kernels index without negative-index handling, and one dtype
    means one compiled specialisation.
    """

    matrix: sp.csr_matrix
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray

    @property
    def n(self) -> int:
        return self.matrix.shape[0]

    @cached_property
    def _diagonal(self):
        return diagonal(self.indptr, self.indices, self.data)

    @property
    def diagonal_positions(self) -> np.ndarray:
        """Position of each row's diagonal entry in ``indices`` (valid where it is nonzero)."""
        return self._diagonal[0]

    @property
    def diagonal(self) -> np.ndarray:
        """The diagonal of A (0 where not stored)."""
        return self._diagonal[1]

    def with_values(self, data: np.ndarray, diagonal: np.ndarray) -> CSRArrays:
        """The same pattern with the values ``data`` (which the matrix shares) and their
        ``diagonal`` (already gathered)."""
        refreshed = CSRArrays(self.matrix, self.indptr, self.indices, data)
        refreshed.__dict__["_diagonal"] = (self.diagonal_positions, diagonal)
        return refreshed

    def nonzero_diagonal(self, method: str) -> np.ndarray:
        """The diagonal, raising :class:`ZeroDiagonalError` if an entry is zero or missing."""
        d = self.diagonal
        if d.size and np.abs(d).min() > 0.0:
            return d
        bad = np.flatnonzero(d == 0.0)
        if bad.size:
            i = int(bad[0])
            raise ZeroDiagonalError(
                f"A[{i}, {i}] is zero or not stored ({bad.size} such rows); "
                f"{method} divides by the diagonal, which must be nonzero"
            )
        return d

    def positive_diagonal(self, method: str) -> np.ndarray:
        """The diagonal, raising :class:`NotSPDError` unless every entry is positive."""
        d = self.diagonal
        if d.size and d.min() > 0.0:
            return d
        d = self.nonzero_diagonal(method)
        bad = np.flatnonzero(d < 0.0)
        if bad.size:
            i = int(bad[0])
            raise NotSPDError(
                f"A[{i}, {i}] = {d[i]:.6g} is negative, so A is not symmetric positive "
                f"definite as {method} requires"
            )
        return d


def _canonical_csr(A) -> sp.csr_matrix:
    M, zeros = check_matrix(A)
    index_dtype = np.int32 if M.nnz < 2**31 and M.shape[0] < 2**31 else np.int64
    if M.indices.dtype != index_dtype or M.indptr.dtype != index_dtype:
        M = sp.csr_matrix(
            (M.data, M.indices.astype(index_dtype), M.indptr.astype(index_dtype)), shape=M.shape
        )
    # Both operations work in place, and M may share its arrays with the caller's A.
    if not M.has_canonical_format:
        M = M.copy()
        M.sum_duplicates()
        zeros = count_special(M.data)[1]
    if zeros:
        # Stored zeros cost time in every kernel and change what AMG builds.
        M = M.copy()
        M.eliminate_zeros()
    return M


def prepare_csr(A) -> CSRArrays:
    """Validate ``A`` and convert it once to canonical CSR with fixed index and value dtypes.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> csr = prepare_csr(sp.diags([2.0, 3.0]).tocoo())
    >>> csr.n, csr.indices.dtype.name, csr.diagonal.tolist()
    (2, 'uint32', [2.0, 3.0])
    """
    M = _canonical_csr(A)
    unsigned = np.uint32 if M.indices.dtype == np.int32 else np.uint64
    return CSRArrays(M, M.indptr.view(unsigned), M.indices.view(unsigned), M.data)
