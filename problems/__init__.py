"""Linear-system problems: test matrices, the paper's two sequences, and file I/O.

Contents
--------
Instance
    One linear system ``A x = b`` with a starting guess, a context and metadata.
poisson, anisotropic_diffusion, elasticity, load_example, EXAMPLES, SPD_EXAMPLES
    PyAMG gallery matrices as canonical CSR float64 (:mod:`problems.gallery`).
variable_diffusion, random_coefficient
    ``-div(a grad u)`` with a variable coefficient, and drifting random coefficients
    (:mod:`problems.diffusion`).
shifted_laplacian_sequence, optimal_sor_omega, SHIFT_BOUNDS
    Experiment 1 of "Learning to Relax": randomly shifted Laplacians
    (:mod:`problems.shifted_laplacian`).
HeatEquation, KAPPA_BOUNDS
    Experiment 2: the 2-D heat equation by Crank-Nicolson (:mod:`problems.heat`).
read_matrix, write_matrix, load_system, read_context, save_system
    ``.mtx`` and ``.npz`` files (:mod:`problems.io`).
shepp_logan, random_ellipses
    Phantoms for reconstruction (:mod:`problems.phantoms`).
birdcage_maps, line_mask, poisson_disc_mask, add_noise
    Simulated MRI acquisitions (:mod:`problems.mri`).
runge, runge_family, gaussian_bump, smooth_2d, smooth_5d, genz_oscillatory,
genz_product_peak, TargetFunction, FUNCTIONS
    Test functions for least-squares approximation (:mod:`problems.functions`).
InputError, ParameterError, ParameterTypeError, FileFormatError
    Errors on bad input, with the same base names as in ``solvers`` and ``tuner``
    (:mod:`problems.errors`).

Examples
--------
>>> import problems
>>> problems.poisson((4, 4)).shape
(16, 16)
"""

from .diffusion import random_coefficient, variable_diffusion
from .errors import FileFormatError, InputError, ParameterError, ParameterTypeError
from .functions import (
    FUNCTIONS,
    TargetFunction,
    gaussian_bump,
    genz_oscillatory,
    genz_product_peak,
    runge,
    runge_family,
    smooth_2d,
    smooth_5d,
)
from .gallery import (
    EXAMPLES,
    SPD_EXAMPLES,
    anisotropic_diffusion,
    elasticity,
    load_example,
    poisson,
)
from .heat import KAPPA_BOUNDS, HeatEquation
from .instance import Instance
from .io import load_system, read_context, read_matrix, save_system, write_matrix
from .mri import add_noise, birdcage_maps, line_mask, poisson_disc_mask
from .phantoms import random_ellipses, shepp_logan
from .shifted_laplacian import SHIFT_BOUNDS, optimal_sor_omega, shifted_laplacian_sequence

__all__ = [
    "Instance",
    "InputError",
    "ParameterError",
    "ParameterTypeError",
    "FileFormatError",
    "poisson",
    "anisotropic_diffusion",
    "variable_diffusion",
    "random_coefficient",
    "elasticity",
    "load_example",
    "EXAMPLES",
    "SPD_EXAMPLES",
    "shifted_laplacian_sequence",
    "optimal_sor_omega",
    "SHIFT_BOUNDS",
    "HeatEquation",
    "KAPPA_BOUNDS",
    "read_matrix",
    "write_matrix",
    "load_system",
    "read_context",
    "shepp_logan",
    "random_ellipses",
    "birdcage_maps",
    "line_mask",
    "poisson_disc_mask",
    "add_noise",
    "save_system",
    "runge",
    "runge_family",
    "gaussian_bump",
    "smooth_2d",
    "smooth_5d",
    "genz_oscillatory",
    "genz_product_peak",
    "TargetFunction",
    "FUNCTIONS",
]
