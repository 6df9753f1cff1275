"""Bandit policies over a grid of arms: Tsallis-INF, its binned contextual form, ChebCB, Fixed,
UnimodalLCB, RobustLCB (the default) and FamilyLCB (the default over a configuration space)."""

from .base import Policy
from .chebcb import ChebCB
from .family_lcb import FamilyLCB
from .fixed import Fixed
from .robust_lcb import RobustLCB
from .tsallis_inf import TsallisINF
from .tsallis_inf_cb import TsallisINFCB
from .unimodal_lcb import UnimodalLCB

__all__ = ["Policy", "TsallisINF", "TsallisINFCB", "ChebCB", "Fixed", "UnimodalLCB", "RobustLCB",
           "FamilyLCB"]
