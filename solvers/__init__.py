"""Iterative solvers for sparse linear systems, one contract for all of them.

Subpackages with their own interface: :mod:`solvers.lsq` (weighted least squares with
optimal sampling and DPPs).
"""

from . import lsq
from .diffusion import CTOperator, MRIOperator, data_consistency
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
from .methods import METHODS, auto_space, check_config, describe
from .ordering import Coloring, color_rows
from .relaxation import sor, ssor
from .result import Result
from .solver import Solver

__all__ = [
    "sor", "ssor", "cg", "ssor_preconditioner", "Result", "Solver", "color_rows", "Coloring",
    "data_consistency", "MRIOperator", "CTOperator",
    "SolverInputError", "ShapeError", "NonFiniteError", "DTypeError", "ParameterError",
    "ZeroDiagonalError", "NotSPDError", "lsq", "METHODS", "auto_space", "check_config",
    "describe",
]
