"""The unit every problem sequence yields: one linear system and what describes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Instance:
    """One linear system ``A x = b`` of a problem sequence.

    Attributes
    ----------
    A : sparse matrix or ndarray, shape (n, n)
        The system matrix (CSR for the built-in sequences).
    b : ndarray, shape (n,)
        The right-hand side.
    x0 : ndarray or None
        A suggested starting guess (the previous solution in a simulation), or None.
    context : float or None
        A number describing the instance for contextual tuners (a shift, a diffusivity).
    meta : dict
        Anything else worth reporting (index, time, known optimal parameter, ...).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> inst = Instance(sp.identity(3, format="csr"), np.ones(3), context=0.5)
    >>> inst.n
    3
    """

    A: Any
    b: np.ndarray
    x0: np.ndarray | None = None
    context: float | None = None
    meta: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of unknowns."""
        return int(self.A.shape[0])
