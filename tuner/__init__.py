"""Online tuning of solver parameters from observed costs (policies and the ask/tell Tuner)."""

from .default import default_policy
from .errors import ContextOutOfBoundsWarning
from .policies import ChebCB, Fixed, Policy, TsallisINF, TsallisINFCB, UnimodalLCB
from .report import SequenceReport
from .sequence import run_sequence
from .tuner import Trial, Tuner

__all__ = [
    "Policy",
    "TsallisINF",
    "TsallisINFCB",
    "ChebCB",
    "Fixed",
    "UnimodalLCB",
    "default_policy",
    "Tuner",
    "Trial",
    "run_sequence",
    "SequenceReport",
    "ContextOutOfBoundsWarning",
]
