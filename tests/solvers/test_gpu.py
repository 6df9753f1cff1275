"""The CuPy backend: the same answers as the CPU, results where the inputs were.

Every test but the first needs CuPy and a usable NVIDIA GPU and skips without them; the
array-namespace code they run is also run with NumPy in ``test_multicolor.py``.
"""

import numpy as np
import pytest
from solver_cases import anisotropic, heat_matrix, poisson, rel_maxabs

import solvers
from solvers.backend import gpu_available

needs_gpu = pytest.mark.skipif(not gpu_available(),
                               reason="needs CuPy and a usable NVIDIA GPU (pip install "
                                      "'relax[gpu]' on a machine with one)")


@pytest.mark.skipif(gpu_available(), reason="a GPU is usable here")
@pytest.mark.parametrize("solve", [solvers.sor, solvers.ssor, solvers.cg])
def test_asking_for_cupy_without_a_gpu_is_a_clear_error(solve):
    A = poisson((4, 4))
    with pytest.raises(solvers.ParameterError, match="needs CuPy and a usable NVIDIA GPU"):
        solve(A, np.ones(16), backend="cupy")


@pytest.fixture
def cupy():
    import cupy

    return cupy


def _on_gpu(cupy, A, b):
    import cupyx.scipy.sparse

    return cupyx.scipy.sparse.csr_matrix(A), cupy.asarray(b)


@needs_gpu
@pytest.mark.parametrize("build", [lambda: poisson((20, 21)), lambda: poisson((6, 7, 8)),
                                   lambda: anisotropic((12, 12))])
@pytest.mark.parametrize("sweep", ["forward", "symmetric"])
def test_multicolor_sor_on_the_gpu_matches_the_cpu(cupy, build, sweep):
    A = build()
    b = np.random.default_rng(0).standard_normal(A.shape[0])
    cpu = solvers.sor(A, b, omega=1.3, sweep=sweep, ordering="multicolor")
    gpu = solvers.sor(*_on_gpu(cupy, A, b), omega=1.3, sweep=sweep, ordering="multicolor")
    assert isinstance(gpu.x, cupy.ndarray) and gpu.info["backend"] == "cupy"
    assert gpu.converged and abs(gpu.iterations - cpu.iterations) <= 1
    assert rel_maxabs(cupy.asnumpy(gpu.x), cpu.x) <= 1e-8
    fixed = solvers.sor(*_on_gpu(cupy, A, b), omega=1.3, sweep=sweep, rtol=0.0, maxiter=7,
                        ordering="multicolor")
    same = solvers.sor(A, b, omega=1.3, sweep=sweep, rtol=0.0, maxiter=7,
                       ordering="multicolor")
    assert rel_maxabs(cupy.asnumpy(fixed.x), same.x) <= 1e-12


@needs_gpu
@pytest.mark.parametrize("M", [None, "jacobi", ("ssor", 1.4, "multicolor")])
def test_cg_on_the_gpu_matches_the_cpu(cupy, M):
    A = heat_matrix(1.0, m=40)
    b = np.random.default_rng(1).standard_normal(A.shape[0])
    cpu = solvers.cg(A, b, rtol=1e-10, M=M)
    gpu = solvers.cg(*_on_gpu(cupy, A, b), rtol=1e-10, M=M)
    assert isinstance(gpu.x, cupy.ndarray) and gpu.converged
    assert abs(gpu.iterations - cpu.iterations) <= 1
    assert rel_maxabs(cupy.asnumpy(gpu.x), cpu.x) <= 1e-8
    r = cupy.asnumpy(_on_gpu(cupy, A, b)[1] - _on_gpu(cupy, A, b)[0] @ gpu.x)
    assert np.linalg.norm(r) <= 1e-10 * np.linalg.norm(b)


@needs_gpu
def test_host_inputs_with_backend_cupy_come_back_on_the_host(cupy):
    A = poisson((10, 10))
    b = np.ones(100)
    res = solvers.cg(A, b, backend="cupy")
    assert isinstance(res.x, np.ndarray) and res.info["backend"] == "cupy" and res.converged


@needs_gpu
def test_the_gpu_refuses_what_it_does_not_run(cupy):
    A, b = _on_gpu(cupy, poisson((4, 4)), np.ones(16))
    with pytest.raises(solvers.ParameterError, match="multicolour order only"):
        solvers.sor(A, b)
    with pytest.raises(solvers.ParameterError, match="on the GPU"):
        solvers.cg(A, b, M=("ssor", 1.2))


@needs_gpu
def test_the_tuner_learns_on_the_gpu_path(cupy):
    """Unchanged ask/tell: the cost is the iteration count of the GPU solve."""
    import tuner

    A = poisson((24, 24))
    t = tuner.Tuner(tuner.default_policy(np.linspace(1.0, 1.95, 20), seed=0))
    for seed in range(30):
        b = np.random.default_rng(seed).standard_normal(A.shape[0])
        trial = t.ask()
        res = solvers.sor(*_on_gpu(cupy, A, b), omega=trial.value, ordering="multicolor",
                          maxiter=20_000)
        t.tell(trial, res.iterations, censored=not res.converged)
    late = [h["value"] for h in t.history[-5:]]
    assert min(late) >= 1.6                         # the optimum is near 1.77 here
