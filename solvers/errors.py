"""Exceptions raised on bad input, one type per kind of mistake.

Each is a subclass of the built-in type a caller would expect (``ValueError`` or ``TypeError``)
and of :class:`SolverInputError`, so a program can catch all of them at once.
"""


class SolverInputError(Exception):
    """Base class of every input error raised by the solvers."""


class ShapeError(SolverInputError, ValueError):
    """A is not square, or a vector's length does not match A."""


class NonFiniteError(SolverInputError, ValueError):
    """An input holds NaN or infinity."""


class DTypeError(SolverInputError, TypeError):
    """An input has a dtype the solvers do not handle (complex, object, strings)."""


class ParameterError(SolverInputError, ValueError):
    """A parameter (omega, rtol, maxiter, sweep, preconditioner, backend) is out of range."""


class ZeroDiagonalError(SolverInputError, ValueError):
    """A diagonal entry that the method divides by is zero or missing."""


class NotSPDError(SolverInputError, ValueError):
    """The matrix (or the preconditioner) is not symmetric positive definite.

    Raised by CG when it meets a direction of non-positive curvature ``p^T A p <= 0`` or a
    non-positive preconditioned residual norm ``r^T M r <= 0``.
    """
