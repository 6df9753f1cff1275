"""The policy relax uses when none is named: :class:`~tuner.policies.RobustLCB` over the
values of one knob, :class:`~tuner.policies.FamilyLCB` over a configuration space."""

from __future__ import annotations

from collections.abc import Mapping

from .errors import ParameterError
from .policies import FamilyLCB, RobustLCB
from .space import ConfigSpace


def default_policy(arms, *, bounds=None, catalog=None, seed=None) -> RobustLCB | FamilyLCB:
    """The recommended policy for a grid of ordered parameter values: a :class:`RobustLCB`;
    for a configuration space (methods and their knobs): a :class:`FamilyLCB`.

    Solver knobs such as a relaxation parameter usually have a cost that falls to one minimum
    and rises again and changes smoothly with the instance. :class:`RobustLCB` searches
    downhill from the middle of the grid on the logarithm of the cost and explores mostly next
    to the best value so far, so it rarely pays for far, costly values; a small share of
    exploration over the whole grid that never dies out, censored costs taken as the lower
    bounds they are, change detection and a forgetting memory keep it from being trapped where
    the cost is not so simple (plateaus of capped solves, second minima, jumps, outliers,
    parallel workers). Its decisions do not depend on the unit of the costs. With context
    bounds it learns the best value per region of contexts, at a resolution that adapts to how
    often each region occurs. One ask + tell costs a few microseconds.

    Parameters
    ----------
    arms : array_like of float, ConfigSpace or mapping
        The values to choose from (finite, distinct; any order), or a configuration space
        (a :class:`ConfigSpace` or the mapping that makes one).
    bounds : (float, float), optional
        Context interval; with it the policy is contextual (every ask needs a context).
    catalog : mapping, optional
        For a configuration space: what its families and knobs may be (for instance
        ``solvers.METHODS``), checked here, at construction.
    seed : None, int or numpy.random.Generator
        Seeds the policy's exploration draws (choices are reproducible given the seed).

    Returns
    -------
    RobustLCB or FamilyLCB

    Examples
    --------
    >>> import numpy as np
    >>> policy = default_policy(np.linspace(1.0, 1.95, 20), bounds=(0.0, 10.0), seed=0)
    >>> policy.contextual, policy.levels
    (True, 7)
    >>> default_policy([1.0, 1.5, 1.9]).contextual
    False
    >>> default_policy({"cg": {}, "ssor": {"omega": [1.2, 1.6]}}, seed=0).space.families
    ('cg', 'ssor')
    """
    if isinstance(arms, (ConfigSpace, Mapping)):
        return FamilyLCB(arms, bounds, catalog=catalog, seed=seed)
    if catalog is not None:
        raise ParameterError("catalog checks a configuration space; the arms are numbers")
    return RobustLCB(arms, bounds, seed=seed)
