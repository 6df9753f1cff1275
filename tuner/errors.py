"""Exceptions and the warning raised by the tuner, one type per kind of mistake.

Each error is a subclass of the built-in type a caller would expect (``ValueError`` or
``TypeError``) and of :class:`InputError`, so a program can catch all of them at once.
:mod:`solvers.errors` and :mod:`problems.errors` use the same base names (``InputError``,
``ParameterError``, ``ParameterTypeError``).
"""


class InputError(Exception):
    """Base class of every input error raised by the tuner."""


class ParameterError(InputError, ValueError):
    """A parameter (arms, bounds, bins, degree, seed, arm index, probability) is out of range."""


class ParameterTypeError(InputError, TypeError):
    """An argument has a type the tuner does not handle (strings, complex numbers, objects)."""


class CostError(InputError, ValueError):
    """A cost is not a finite number > 0."""


class ContextError(InputError, ValueError):
    """A contextual policy got no context, or a context is not a finite real number."""


class TrialError(InputError, ValueError):
    """A trial told to the tuner is unknown, was already told, or does not match its record."""


class StateError(InputError, ValueError):
    """A saved state (``state_dict`` or a tuner file) is malformed or of another kind."""


class ContextOutOfBoundsWarning(UserWarning):
    """A context fell outside a contextual policy's declared bounds and was clipped to them.

    ``bounds`` are the policy's bounds; ``kind`` and ``summary(count)`` let a program that
    collects many of these (a long run) report them in one line.
    """

    def __init__(self, message, bounds=None):
        super().__init__(message)
        self.bounds = None if bounds is None else (float(bounds[0]), float(bounds[1]))

    @property
    def kind(self) -> str:
        return f"context outside {self.bounds}"

    def summary(self, count: int) -> str:
        if self.bounds is None:
            return f"{count} contexts outside the bounds were clipped to them"
        return (f"{count} contexts outside the bounds [{self.bounds[0]:g}, {self.bounds[1]:g}] "
                "were clipped to them")


class CostScaleWarning(UserWarning):
    """Costs below 1 (seconds, say) were told to a policy that learns from ``cost - 1``.

    Tsallis-INF, its binned form and ChebCB are built for costs >= 1 such as iteration counts,
    where 1 is the ideal; their decisions change when all costs are multiplied by a constant.
    Tell iterations, or costs in a unit that makes the cheapest solve about 1 or more (for
    example milliseconds), or use the default policy, whose decisions do not depend on units.
    """


def __getattr__(name):
    if name == "TunerInputError":
        import warnings
        warnings.warn("TunerInputError is renamed InputError", DeprecationWarning,
                      stacklevel=2)
        return InputError
    raise AttributeError(f"module 'tuner.errors' has no attribute {name!r}")
