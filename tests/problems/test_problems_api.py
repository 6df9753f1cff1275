"""The package's public names and its independence from the rest of the library."""

import subprocess
import sys
from pathlib import Path

import problems

PUBLIC = {
    "Instance", "poisson", "anisotropic_diffusion", "elasticity", "load_example", "EXAMPLES",
    "SPD_EXAMPLES", "shifted_laplacian_sequence", "optimal_sor_omega", "SHIFT_BOUNDS",
    "HeatEquation", "KAPPA_BOUNDS", "read_matrix", "write_matrix", "load_system", "read_context",
    "save_system", "shepp_logan", "random_ellipses", "birdcage_maps", "line_mask",
    "poisson_disc_mask", "add_noise", "runge", "runge_family", "gaussian_bump", "smooth_2d",
    "smooth_5d", "genz_oscillatory", "genz_product_peak", "TargetFunction", "FUNCTIONS",
    "variable_diffusion", "random_coefficient", "InputError", "ParameterError",
    "ParameterTypeError", "FileFormatError",
}


def test_exports():
    assert set(problems.__all__) == PUBLIC
    assert len(problems.__all__) == len(PUBLIC)
    for name in PUBLIC:
        assert getattr(problems, name) is not None
        assert name in problems.__doc__


def test_does_not_import_the_rest_of_the_library():
    code = (
        "import sys, problems; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('solvers', 'tuner', 'cli')))"
    )
    root = Path(problems.__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "[]"
