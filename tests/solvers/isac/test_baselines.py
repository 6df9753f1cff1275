"""The full-tensor baselines recover noiseless scenes (what they are compared on)."""

import numpy as np
from scipy.optimize import linear_sum_assignment

from solvers.isac import synthesize
from solvers.isac.baselines import fft_peaks, joint_esprit, sequential

F = np.array([[0.10, -0.05, 0.02], [-0.21, -0.12, -0.03], [0.33, -0.30, 0.0]])
BETA = np.array([1.0, 0.8j, -0.6])
SHAPE = (10, 24, 30)


def _error(found, truth=F):
    assert found.shape == truth.shape
    i, j = linear_sum_assignment(np.abs(truth[:, None, :] - found[None]).sum(axis=2))
    return np.abs(found[j] - truth[i]).max()


def test_joint_esprit_and_sequential_are_exact_on_noiseless_data():
    H = synthesize(F, BETA, SHAPE)
    assert _error(joint_esprit(H, 3)[0]) < 1e-9
    assert _error(joint_esprit(H)[0]) < 1e-9                  # model order by MDL
    assert _error(sequential(H, 3)[0]) < 1e-9


def test_fft_peaks_land_within_a_bin_and_refit_amplitudes():
    H = synthesize(F, BETA, SHAPE)
    found, beta = fft_peaks(H, 3, oversample=4)
    assert _error(found) < 1.0 / (4 * min(SHAPE))
    i, j = linear_sum_assignment(np.abs(F[:, None, :] - found[None]).sum(axis=2))
    assert np.allclose(np.abs(beta[j]), np.abs(BETA[i]), rtol=0.2)
