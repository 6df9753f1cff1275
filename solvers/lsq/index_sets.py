"""Multi-index sets of tensor-product bases: total degree, hyperbolic cross, full tensor.

A multi-index ``alpha`` in N^d names the basis function ``prod_k phi_{alpha_k}(x_k)``. All
three sets are downward closed; rows come sorted by total degree, then lexicographically
(the constant function first).
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ._validate import check_int


def _admissible(name, p):
    if name == "total":
        return lambda alpha: sum(alpha) <= p
    if name == "hyperbolic":
        return lambda alpha: np.prod([a + 1 for a in alpha]) <= p + 1
    if name in ("full", "tensor"):
        return lambda alpha: max(alpha) <= p
    raise ParameterError(f"index_set must be one of {INDEX_SETS}; got {name!r}")


INDEX_SETS = ("total", "hyperbolic", "full")


def index_set(name, dim, degree):
    """The multi-indices of a named set, an int64 array of shape (m, dim).

    Parameters
    ----------
    name : {"total", "hyperbolic", "full"}
        ``"total"``: ``sum(alpha) <= degree``, m = C(degree + dim, dim);
        ``"hyperbolic"``: ``prod(alpha_k + 1) <= degree + 1`` (hyperbolic cross);
        ``"full"`` (or ``"tensor"``): ``max(alpha) <= degree``, m = (degree + 1)^dim.
    dim : int >= 1
    degree : int >= 0

    Examples
    --------
    >>> index_set("total", 2, 2).tolist()
    [[0, 0], [0, 1], [1, 0], [0, 2], [1, 1], [2, 0]]
    >>> len(index_set("hyperbolic", 2, 3)), len(index_set("full", 3, 1))
    (8, 8)
    """
    dim = check_int(dim, "dim", minimum=1)
    degree = check_int(degree, "degree", minimum=0)
    ok = _admissible(name, degree)
    # Grow the set one coordinate at a time; every set here is downward closed, so a
    # prefix (with zeros after it) that fails cannot be completed.
    rows = [()]
    for k in range(dim):
        pad = (0,) * (dim - k - 1)
        grown = []
        for row in rows:
            a = 0
            while ok(row + (a,) + pad):
                grown.append(row + (a,))
                a += 1
        rows = grown
    out = np.array(rows, dtype=np.int64).reshape(len(rows), dim)
    order = np.lexsort(tuple(out[:, ::-1].T) + (out.sum(axis=1),))
    return out[order]
