"""Exceptions raised on bad input, with the same base names as :mod:`solvers.errors` and
:mod:`tuner.errors`.

Each is a subclass of the built-in type a caller would expect (``ValueError`` or
``TypeError``) and of :class:`InputError`, so a program can catch all of them at once.
"""


class InputError(Exception):
    """Base class of every input error raised by the problem generators and readers."""


class ParameterError(InputError, ValueError):
    """A parameter (a grid size, a seed, a coefficient, a shape) is out of range."""


class ParameterTypeError(InputError, TypeError):
    """An argument has a type the generators do not handle (a string for a number, a complex
    matrix)."""


class FileFormatError(ParameterError):
    """A file is not what it claims to be (not a system file, an unreadable matrix)."""
