"""Stationary relaxation methods: SOR and SSOR."""

from .sor import sor, ssor

__all__ = ["sor", "ssor"]
