"""Diffusion sampling for inverse problems with Krylov data consistency (DDS)."""

from .adapters import FunctionOperator, as_operator, check_adjoint
from .data_consistency import data_consistency
from .denoisers import GaussianPriorDenoiser, TVDenoiser, VPDenoiser, WaveletDenoiser
from .operators import CTOperator, ImagingOperator, MatrixOperator, MRIOperator, fft2c, ifft2c
from .sampler import Sample, dds_sample
from .schedule import VPSchedule

__all__ = ["data_consistency", "dds_sample", "Sample", "MRIOperator", "CTOperator",
           "MatrixOperator", "ImagingOperator", "FunctionOperator", "as_operator",
           "check_adjoint", "fft2c", "ifft2c", "VPSchedule", "VPDenoiser",
           "GaussianPriorDenoiser", "TVDenoiser", "WaveletDenoiser"]
