"""A matrix renumbered colour by colour, the pattern's part cached for a sequence.

Multicolour SOR is SOR on ``P A P^T``, where ``P`` lists the rows colour by colour: the
rows of one colour are then a contiguous block whose diagonal block is diagonal, so a sweep
relaxes each block at once (in parallel) and the kernels of lexicographic SOR apply
unchanged to the renumbered arrays. Renumbering the pattern and colouring it cost more than
a few sweeps; both are kept per sparsity pattern (the last :data:`CACHE_SIZE` patterns), so a
sequence of matrices with one pattern pays for them once and renumbers only the values.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .._kernels import diagonal
from .._sparse import CSRArrays
from . import _kernels
from ._kernels import gather, scatter
from .coloring import Coloring, color_rows

CACHE_SIZE = 8

_cache: OrderedDict = OrderedDict()


@dataclass(frozen=True, eq=False)
class MulticolorPattern:
    """The renumbering of one sparsity pattern by one colouring.

    Attributes
    ----------
    coloring : Coloring
    order : ndarray
        ``order[k]`` is the original row at position k.
    color_ptr : ndarray
        The rows of colour c are positions ``color_ptr[c]:color_ptr[c + 1]``.
    indptr, indices : ndarray
        The renumbered pattern (canonical, unsigned views as in :class:`CSRArrays`).
    source : ndarray
        ``data_renumbered = data[source]``.
    diagonal_positions : ndarray
        Position of each renumbered row's diagonal entry in ``indices``.
    """

    coloring: Coloring
    order: np.ndarray
    color_ptr: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    source: np.ndarray
    diagonal_positions: np.ndarray

    def renumber(self, csr: CSRArrays) -> MulticolorSystem:
        """The renumbered matrix of ``csr`` (which has this pattern)."""
        return MulticolorSystem(self, gather(csr.data, self.source),
                                gather(csr.diagonal, self.order))


@dataclass(frozen=True, eq=False)
class MulticolorSystem:
    """A matrix renumbered by a :class:`MulticolorPattern`: its values and diagonal."""

    pattern: MulticolorPattern
    data: np.ndarray
    diagonal: np.ndarray

    @property
    def diagonal_positions(self) -> np.ndarray:
        return self.pattern.diagonal_positions

    @property
    def arrays(self):
        """``indptr, indices, data`` of the renumbered matrix."""
        return self.pattern.indptr, self.pattern.indices, self.data

    def matrix(self) -> sp.csr_matrix:
        """The renumbered matrix as SciPy CSR (sharing the arrays)."""
        indptr, indices, data = self.arrays
        n = indptr.shape[0] - 1
        return sp.csr_matrix((data, _signed(indices), _signed(indptr)), shape=(n, n))

    def color_blocks(self) -> list[tuple[int, int, sp.csr_matrix | None, sp.csr_matrix | None]]:
        """Per colour c: ``(start, stop, lower, upper)``, the rows ``start:stop`` of the
        renumbered matrix split into their columns ``:start`` (earlier colours) and
        ``stop:`` (later colours); None where they hold no entry. The diagonal block is
        diagonal (:attr:`diagonal`)."""
        M = self.matrix()
        ptr = self.pattern.color_ptr
        blocks = []
        for start, stop in zip(ptr[:-1].tolist(), ptr[1:].tolist(), strict=True):
            if start == stop:
                continue
            rows = M[start:stop]
            lower, upper = rows[:, :start], rows[:, stop:]
            blocks.append((start, stop, lower if lower.nnz else None,
                           upper if upper.nnz else None))
        return blocks

    def to_colored(self, v: np.ndarray) -> np.ndarray:
        """A vector in the original numbering, renumbered (a new array)."""
        return gather(v, self.pattern.order)

    def to_original(self, v: np.ndarray) -> np.ndarray:
        """A renumbered vector back in the original numbering (a new array)."""
        return scatter(v, self.pattern.order)


def _signed(a: np.ndarray) -> np.ndarray:
    return a.view(np.int32 if a.dtype == np.uint32 else np.int64)


def multicolor_pattern(csr: CSRArrays, coloring="auto") -> MulticolorPattern:
    """The renumbering of ``csr``'s pattern by a colouring, from the cache when it can be.

    ``coloring`` is a method of :func:`color_rows` (cached with the pattern) or a
    :class:`Coloring` / array of colours (renumbered each call).
    """
    if not isinstance(coloring, str):
        given = coloring if isinstance(coloring, Coloring) else color_rows(csr, coloring)
        return _build(csr, given)
    key = (csr.n, csr.matrix.nnz, int(_kernels.fingerprint(csr.indptr, csr.indices)),
           coloring)
    hit = _cache.get(key)
    if hit is not None:
        _cache.move_to_end(key)
        return hit
    pattern = _build(csr, color_rows(csr, coloring))
    _cache[key] = pattern
    if len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return pattern


def _build(csr: CSRArrays, coloring: Coloring) -> MulticolorPattern:
    if coloring.colors.shape != (csr.n,):
        raise ValueError(f"the colouring has {coloring.colors.size} rows, A has {csr.n}")
    order = coloring.order()
    color_ptr = np.zeros(coloring.n_colors + 1, dtype=np.int64)
    np.cumsum(coloring.counts(), out=color_ptr[1:])
    M = csr.matrix
    # Renumber a matrix whose values are the positions (+1, so none is a zero to drop).
    positions = sp.csr_matrix((np.arange(1, M.nnz + 1, dtype=np.int64), M.indices, M.indptr),
                              shape=M.shape)
    renumbered = positions[order][:, order].tocsr()
    renumbered.sort_indices()
    unsigned = np.uint32 if M.indices.dtype == np.int32 else np.uint64
    indptr = renumbered.indptr.astype(M.indptr.dtype).view(unsigned)
    indices = renumbered.indices.astype(M.indices.dtype).view(unsigned)
    source = renumbered.data - 1
    positions = diagonal(indptr, indices, np.ones(M.nnz))[0]
    return MulticolorPattern(coloring, order, color_ptr, indptr, indices, source, positions)
