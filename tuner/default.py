"""The policy relax uses when none is named: :class:`~tuner.policies.UnimodalLCB`."""

from __future__ import annotations

from .policies import UnimodalLCB


def default_policy(arms, *, bounds=None, seed=None) -> UnimodalLCB:
    """The recommended policy for a grid of ordered parameter values: a :class:`UnimodalLCB`.

    Solver knobs such as a relaxation parameter have a cost that falls to one minimum and
    rises again, is positive and varies in proportion to its size, and changes smoothly with
    the instance. :class:`UnimodalLCB` searches downhill from the middle of the grid and only
    explores next to the best value so far, so it never pays for far, costly values; with
    context bounds it learns the best value per region of contexts, at a resolution that
    adapts to how often each region occurs. One ask + tell costs a few microseconds.

    Parameters
    ----------
    arms : array_like of float
        The values to choose from (finite, distinct; any order).
    bounds : (float, float), optional
        Context interval; with it the policy is contextual (every ask needs a context).
    seed : None, int or numpy.random.Generator
        Accepted for symmetry with the other policies (the default policy is deterministic).

    Returns
    -------
    UnimodalLCB

    Examples
    --------
    >>> import numpy as np
    >>> policy = default_policy(np.linspace(1.0, 1.95, 20), bounds=(0.0, 10.0))
    >>> policy.contextual, policy.levels
    (True, 8)
    >>> default_policy([1.0, 1.5, 1.9]).contextual
    False
    """
    return UnimodalLCB(arms, bounds, seed=seed)
