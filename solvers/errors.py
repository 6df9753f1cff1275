"""Exceptions raised on bad input, one type per kind of mistake.

Each is a subclass of the built-in type a caller would expect (``ValueError`` or ``TypeError``)
and of :class:`InputError`, so a program can catch all of them at once. :mod:`tuner.errors`
and :mod:`problems.errors` use the same base names (``InputError``, ``ParameterError``,
``ParameterTypeError``): the same mistake raises the same-named error in every package.
"""


class InputError(Exception):
    """Base class of every input error raised by the solvers."""


class ParameterTypeError(InputError, TypeError):
    """An argument has a type the solvers do not handle (a string for a number, a seed that
    is not an integer)."""


class ShapeError(InputError, ValueError):
    """A is not square, or a vector's length does not match A."""


class NonFiniteError(InputError, ValueError):
    """An input holds NaN or infinity."""


class DTypeError(ParameterTypeError):
    """An input has a dtype the solvers do not handle (complex, object, strings)."""


class ParameterError(InputError, ValueError):
    """A parameter (omega, rtol, maxiter, sweep, preconditioner, backend) is out of range."""


class ZeroDiagonalError(InputError, ValueError):
    """A diagonal entry that the method divides by is zero or missing."""


class NotSPDError(InputError, ValueError):
    """The matrix (or the preconditioner) is not symmetric positive definite.

    Raised by CG when A is found not symmetric (a random probe ``u^T A v`` against
    ``v^T A u``), when it meets a direction of non-positive curvature ``p^T A p <= 0``, or a
    non-positive preconditioned residual norm ``r^T M r <= 0``.
    """


def __getattr__(name):
    if name == "SolverInputError":
        import warnings
        warnings.warn("SolverInputError is renamed InputError", DeprecationWarning,
                      stacklevel=2)
        return InputError
    raise AttributeError(f"module 'solvers.errors' has no attribute {name!r}")
