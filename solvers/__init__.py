"""Solvers for the instances of the suite, one contract for all of them.

The subpackages, each imported with ``import solvers`` and reachable as an attribute:

* :mod:`solvers.relaxation`: SOR and SSOR (``solvers.sor``, ``solvers.ssor``);
* :mod:`solvers.krylov`: preconditioned CG (``solvers.cg``, ``solvers.ssor_preconditioner``);
* :mod:`solvers.diffusion`: Krylov data consistency for diffusion sampling (DDS), MRI and
  CT operators (``solvers.data_consistency``, ``solvers.check_adjoint``);
* :mod:`solvers.isac`: PLAIN, tensor estimation for integrated sensing and communication;
* :mod:`solvers.lsq`: weighted least squares from few, well-chosen samples (DPPs).

Errors on bad input derive from :class:`InputError` (the same base names as in ``tuner``
and ``problems``).

Examples
--------
>>> import solvers
>>> [name for name in ("relaxation", "krylov", "diffusion", "isac", "lsq")
...  if hasattr(solvers, name)]
['relaxation', 'krylov', 'diffusion', 'isac', 'lsq']
"""

import warnings

from . import diffusion, isac, krylov, lsq, relaxation
from .diffusion import CTOperator, MRIOperator, check_adjoint, data_consistency
from .errors import (
    DTypeError,
    InputError,
    NonFiniteError,
    NotSPDError,
    ParameterError,
    ParameterTypeError,
    ShapeError,
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
    "data_consistency", "MRIOperator", "CTOperator", "check_adjoint",
    "InputError", "ShapeError", "NonFiniteError", "DTypeError", "ParameterError",
    "ParameterTypeError", "ZeroDiagonalError", "NotSPDError", "METHODS", "auto_space",
    "check_config", "describe", "relaxation", "krylov", "diffusion", "isac", "lsq",
]


def __getattr__(name):
    if name == "SolverInputError":
        warnings.warn("solvers.SolverInputError is renamed solvers.InputError",
                      DeprecationWarning, stacklevel=2)
        return InputError
    raise AttributeError(f"module 'solvers' has no attribute {name!r}")
