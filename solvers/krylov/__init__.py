"""Krylov methods: preconditioned conjugate gradients and its preconditioners."""

from .cg import cg
from .preconditioners import ssor_preconditioner

__all__ = ["cg", "ssor_preconditioner"]
