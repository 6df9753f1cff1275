"""Integrated sensing and communication: PLAIN and its baselines on harmonic tensors."""

from .compression import AliasingWarning, check_unambiguous, compress
from .crb import crb_frequencies, fisher_information
from .estimation import esprit, estimate_dimension, model_order, root_music
from .harmonics import steering, synthesize
from .plain import PlainResult, plain
from .refine import refine

__all__ = ["plain", "PlainResult", "compress", "check_unambiguous", "AliasingWarning",
           "estimate_dimension", "model_order", "root_music", "esprit", "steering",
           "synthesize", "crb_frequencies", "fisher_information", "refine"]
