"""Online tuning of solver parameters from observed costs (policies and the ask/tell Tuner)."""

from .default import default_policy
from .errors import (
    ContextOutOfBoundsWarning,
    CostScaleWarning,
    InputError,
    ParameterError,
    ParameterTypeError,
)
from .policies import (
    ChebCB,
    FamilyLCB,
    Fixed,
    Policy,
    RobustLCB,
    TsallisINF,
    TsallisINFCB,
    UnimodalLCB,
)
from .report import SequenceReport
from .sequence import run_sequence
from .space import ConfigSpace, config_label
from .tuner import Trial, Tuner, read_log

__all__ = [
    "Policy",
    "TsallisINF",
    "TsallisINFCB",
    "ChebCB",
    "Fixed",
    "UnimodalLCB",
    "RobustLCB",
    "FamilyLCB",
    "ConfigSpace",
    "config_label",
    "default_policy",
    "Tuner",
    "Trial",
    "read_log",
    "run_sequence",
    "SequenceReport",
    "ContextOutOfBoundsWarning",
    "CostScaleWarning",
    "InputError",
    "ParameterError",
    "ParameterTypeError",
]
