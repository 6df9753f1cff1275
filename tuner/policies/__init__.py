"""Bandit policies over a grid of arms: Tsallis-INF, its binned contextual form, ChebCB, Fixed."""

from .base import Policy
from .chebcb import ChebCB
from .fixed import Fixed
from .tsallis_inf import TsallisINF
from .tsallis_inf_cb import TsallisINFCB

__all__ = ["Policy", "TsallisINF", "TsallisINFCB", "ChebCB", "Fixed"]
