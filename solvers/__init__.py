"""Iterative solvers for sparse linear systems, one contract for all of them."""

from .errors import (
    DTypeError,
    NonFiniteError,
    NotSPDError,
    ParameterError,
    ShapeError,
    SolverInputError,
    ZeroDiagonalError,
)
from .krylov import cg, ssor_preconditioner
from .relaxation import sor, ssor
from .result import Result

__all__ = [
    "sor", "ssor", "cg", "ssor_preconditioner", "Result",
    "SolverInputError", "ShapeError", "NonFiniteError", "DTypeError", "ParameterError",
    "ZeroDiagonalError", "NotSPDError",
]
