"""Row colourings: rows of one colour share no entry, so they can be relaxed at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .._sparse import CSRArrays, prepare_csr
from ..errors import ParameterError
from . import _kernels

METHODS = ("auto", "red-black", "greedy")


@dataclass(frozen=True, eq=False)
class Coloring:
    """A proper colouring of the rows of a matrix.

    Attributes
    ----------
    colors : ndarray of int32, shape (n,)
        The colour of each row, ``0 .. n_colors - 1``; ``A[i, j] != 0`` or ``A[j, i] != 0``
        for ``i != j`` implies ``colors[i] != colors[j]``.
    n_colors : int
    method : str
        ``"red-black"``, ``"greedy"`` or ``"given"`` (colours passed in by the caller).
    """

    colors: np.ndarray
    n_colors: int
    method: str

    def order(self) -> np.ndarray:
        """The rows sorted by colour (stable: within a colour, in their own order)."""
        return np.argsort(self.colors, kind="stable")

    def counts(self) -> np.ndarray:
        """Number of rows of each colour."""
        return np.bincount(self.colors, minlength=self.n_colors)


def color_rows(A, method="auto") -> Coloring:
    """Colour the rows of ``A`` so that no two rows of one colour are coupled.

    Parameters
    ----------
    A : sparse matrix or ndarray, shape (n, n)
        Only its sparsity pattern counts (symmetrised: ``A[i, j]`` or ``A[j, i]`` stored
        couples rows i and j).
    method : {"auto", "red-black", "greedy"} or array_like of int
        ``"red-black"``: two colours, which exist exactly when the coupling graph is
        bipartite (5-point and 7-point stencils, any numbering); raises otherwise.
        ``"greedy"``: first fit in row order (at most the largest row degree + 1 colours;
        in natural order it gives red-black on 5-point and 7-point grids too). ``"auto"``:
        red-black when possible, else greedy. An array gives the colours directly; it is
        checked.

    Returns
    -------
    Coloring

    Raises
    ------
    ParameterError
        An unknown method, a graph that is not two-colourable for ``"red-black"``, or given
        colours that are not a proper colouring.

    Examples
    --------
    >>> from problems import poisson
    >>> c = color_rows(poisson((4, 4)))
    >>> c.method, c.n_colors, c.counts().tolist()
    ('red-black', 2, [8, 8])
    >>> color_rows(poisson((4, 4)), "greedy").colors[:5].tolist()
    [0, 1, 0, 1, 1]
    """
    csr = A if isinstance(A, CSRArrays) else prepare_csr(A)
    indptr, indices = coupling_pattern(csr)
    if not isinstance(method, str):
        return _given(method, csr.n, indptr, indices)
    if method not in METHODS:
        raise ParameterError(f"coloring must be one of {METHODS} or an array of colours; "
                             f"got {method!r}")
    if method != "greedy":
        colors = _kernels.two_colors(indptr, indices)
        if csr.n == 0 or colors[0] >= 0:
            return Coloring(colors, int(colors.max(initial=-1)) + 1, "red-black")
        if method == "red-black":
            raise ParameterError("the rows of A cannot be coloured red-black: its coupling "
                                 "graph has an odd cycle; use coloring='greedy' or 'auto'")
    colors = _kernels.greedy(indptr, indices)
    return Coloring(colors, int(colors.max(initial=-1)) + 1, "greedy")


def coupling_pattern(csr: CSRArrays):
    """``indptr, indices`` of the symmetrised pattern of A (rows coupled either way)."""
    M = csr.matrix
    pattern = sp.csr_matrix((np.ones(M.nnz, dtype=np.int8), M.indices, M.indptr),
                            shape=M.shape)
    if (pattern != pattern.T).nnz:
        pattern = (pattern + pattern.T).tocsr()
    return pattern.indptr, pattern.indices


def _given(colors, n, indptr, indices) -> Coloring:
    colors = np.asarray(colors)
    if colors.shape != (n,) or not np.issubdtype(colors.dtype, np.integer):
        raise ParameterError(f"coloring must give one integer colour per row ({n}); got "
                             f"an array of shape {colors.shape} and dtype {colors.dtype}")
    if n and colors.min() < 0:
        raise ParameterError("colours must be >= 0")
    colors = colors.astype(np.int32)
    bad = _kernels.first_conflict(indptr, indices, colors)
    if bad >= 0:
        raise ParameterError(f"the given colours are not a proper colouring: row {bad} is "
                             "coupled to a row of its own colour")
    return Coloring(colors, int(colors.max(initial=-1)) + 1, "given")
