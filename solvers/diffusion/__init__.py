"""Diffusion sampling for inverse problems with Krylov data consistency (DDS)."""

from .data_consistency import data_consistency
from .operators import CTOperator, ImagingOperator, MRIOperator, fft2c, ifft2c

__all__ = ["data_consistency", "MRIOperator", "CTOperator", "ImagingOperator", "fft2c",
           "ifft2c"]
