"""PLAIN on noiseless and noisy harmonic tensors, its stages, the CRB and its errors."""

import warnings

import numpy as np
import pytest

from problems.isac import Scenario, channel_tensor, random_scene
from solvers import DTypeError, ParameterError, ShapeError
from solvers.isac import (
    AliasingWarning,
    check_unambiguous,
    compress,
    crb_frequencies,
    estimate_dimension,
    fisher_information,
    plain,
    synthesize,
)
from solvers.isac.harmonics import steering


def _match(found, truth):
    """Pairs estimated rows to true rows (greedy nearest); max relative error per column."""
    found, truth = np.atleast_2d(found), np.atleast_2d(truth)
    assert found.shape == truth.shape
    order = [int(np.argmin(np.abs(found - t).sum(axis=1))) for t in truth]
    assert len(set(order)) == len(order)
    return found[order]


@pytest.mark.parametrize("seed", range(4))
def test_noiseless_default_scenes_are_recovered(seed):
    scene = random_scene(seed=seed)
    H = channel_tensor(scene)
    result = plain(H, scenario=scene.scenario)
    o = result.objects
    est = _match(np.stack([o["angle"], o["range"], o["velocity"]], axis=1),
                 np.stack([scene.angle, scene.range, scene.velocity], axis=1))
    assert np.allclose(est[:, 0], scene.angle, rtol=1e-6)
    assert np.allclose(est[:, 1], scene.range, rtol=1e-6)
    assert np.allclose(est[:, 2], scene.velocity, rtol=0, atol=1e-6 * 7.0)
    amplitudes = _match(np.c_[result.frequencies, result.amplitudes.real], np.c_[
        scene.frequencies, scene.amplitude.real])
    assert np.allclose(amplitudes[:, -1], scene.amplitude.real, atol=1e-6)


def test_objects_closer_than_the_fft_resolution_are_resolved():
    scenario = Scenario()
    # two objects 1/4 of a beamwidth apart in angle (FFT resolution: 1/16 in frequency)
    f_close = 0.25 / 16
    angles = np.rad2deg(np.arccos(np.array([0.1, 0.1 + f_close]) / 0.5))
    from problems.isac import Scene
    scene = Scene(angles, np.array([120.0, 300.0]), np.array([2.0, -3.0]),
                  np.array([1.0, 0.8j]), scenario)
    result = plain(channel_tensor(scene), scenario=scenario)
    est = _match(result.frequencies, scene.frequencies)
    assert np.allclose(est, scene.frequencies, atol=1e-9)


@pytest.mark.parametrize("estimator", ["root-music", "esprit"])
def test_more_dimensions_and_both_estimators(estimator):
    rng = np.random.default_rng(3)
    F = rng.uniform(-0.45, 0.45, (3, 4)) / np.array([1, 1, 2, 3])
    H = synthesize(F, [1.0, -0.5, 0.3j], (8, 10, 12, 18))
    result = plain(H, (1, 1, 2, 3), estimator=estimator)
    assert np.allclose(_match(result.frequencies, F), F, atol=1e-8)


def test_compression_keeps_a_single_object_rank_one_at_the_predicted_frequencies():
    f = np.array([[0.2, -0.03, 0.02]])
    H = synthesize(f, [1.0], (16, 180, 560))
    for method in ("average", "decimate"):
        G = compress(H, (1, 4, 14), method)
        assert G.shape == (16, 45, 40)
        for m in range(3):
            s = np.linalg.svd(np.moveaxis(G, m, 0).reshape(G.shape[m], -1),
                              compute_uv=False)
            assert s[1] <= 1e-10 * s[0]                  # rank one in every unfolding
        predicted = f * np.array([1, 4, 14])
        for m in range(3):
            est, _ = estimate_dimension(G, m, order=1)
            assert np.isclose(est[0], predicted[0, m], atol=1e-9)


def test_crb_equals_a_numerically_differentiated_fisher_information():
    shape = (5, 6, 4)
    F = np.array([[0.11, -0.2, 0.05], [-0.3, 0.1, 0.2]])
    beta = np.array([1.0 + 0.5j, -0.7j])
    sigma2 = 0.3

    def signal(theta):
        th = theta.reshape(2, 5)
        return synthesize(th[:, :3], th[:, 3] + 1j * th[:, 4], shape).ravel()

    theta = np.c_[F, beta.real, beta.imag].ravel()
    h = 1e-6
    J = np.stack([(signal(theta + h * e) - signal(theta - h * e)) / (2 * h)
                  for e in np.eye(theta.size)], axis=1)
    numeric = 2.0 / sigma2 * (J.conj().T @ J).real
    exact = fisher_information(F, beta, shape, sigma2)
    assert np.allclose(exact, numeric, rtol=1e-6, atol=1e-9 * np.abs(exact).max())
    assert np.allclose(crb_frequencies(F, beta, shape, sigma2),
                       np.diag(np.linalg.inv(numeric)).reshape(2, 5)[:, :3], rtol=1e-5)


def test_noisy_estimates_come_close_to_the_crb():
    from problems.isac import Scene

    scenario = Scenario()
    scene = Scene(np.array([60.0, 95.0, 130.0]), np.array([80.0, 210.0, 330.0]),
                  np.array([0.0, 4.0, -2.5]), np.array([1.0, 0.6j, -0.4]), scenario)
    errors = []
    for seed in range(10):
        H = channel_tensor(scene, snr_db=0, seed=seed)
        r = plain(H, scenario=scenario)
        if r.frequencies.shape[0] == 3:
            errors.append(_match(r.frequencies, scene.frequencies) - scene.frequencies)
    assert len(errors) >= 9
    rmse = np.sqrt(np.mean(np.array(errors) ** 2, axis=0))
    signal = np.mean(np.abs(channel_tensor(scene)) ** 2)
    bound = np.sqrt(crb_frequencies(scene.frequencies, scene.amplitude, scenario.shape,
                                    signal))                    # noise power = signal at 0 dB
    assert np.all(rmse <= 3.0 * bound)


def test_bad_requests():
    H = synthesize([[0.1, 0.1]], [1.0], (8, 9))
    with pytest.raises(ParameterError, match="divide"):
        plain(H, (1, 2))
    with pytest.raises(ValueError, match="one compression factor per dimension"):
        plain(H, (1, 3, 1))
    with pytest.raises(ParameterError, match="fusion"):
        plain(H, fusion="joint")
    with pytest.warns(AliasingWarning, match="unambiguous band"):
        check_unambiguous([[0.1, 0.3]], (1, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_unambiguous([[0.1, 0.2]], (1, 2))
    with pytest.warns(UserWarning, match="unambiguous range"):
        random_scene(seed=0, ranges=(50.0, 900.0)).check()
    assert steering([0.0], 3).shape == (3, 1)


@pytest.mark.parametrize("options", [{}, {"refine_sweeps": 0}])
def test_polishing_separates_objects_the_decoupled_estimates_merged(options):
    scene = random_scene(6, seed=0)                  # two objects 2.9 deg apart
    H = channel_tensor(scene, snr_db=10, seed=1)
    coarse = plain(H, scenario=scene.scenario, polish_sweeps=0, refine_sweeps=0)
    fine = plain(H, scenario=scene.scenario, **options)
    assert np.unique(np.round(coarse.objects["angle"], 2)).size < 6      # two merged
    est = _match(np.stack([fine.objects["angle"], fine.objects["range"] / 10], axis=1),
                 np.stack([scene.angle, scene.range / 10], axis=1))
    assert np.abs(est[:, 0] - scene.angle).max() < 0.5


def test_the_command_line_prints_estimates_next_to_the_truth():
    import json

    from click.testing import CliRunner

    from cli.main import main

    result = CliRunner().invoke(main, ["isac", "--snr", "20", "--objects", "3", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["found"] == 3 and len(report["objects"]) == 3
    assert all(abs(o["err_range"]) < 1.0 for o in report["objects"])
    told = CliRunner().invoke(main, ["isac", "--snr", "0", "--known-count", "--json"])
    assert told.exit_code == 0 and json.loads(told.output)["found"] == 6
    bad = CliRunner().invoke(main, ["isac", "--compression", "1,7,14"])
    assert bad.exit_code == 2 and "divide" in bad.output


def test_the_polish_finds_an_object_below_the_per_dimension_detection_limit():
    # at 0 dB the weakest object of this scene (35 dB under the nearest) is at the
    # eigenvalue detection limit of the range covariance: the per-dimension estimates miss it
    scene = random_scene(6, seed=0)
    H = channel_tensor(scene, snr_db=0, seed=20001)
    truth = np.stack([scene.angle, scene.range / 10, scene.velocity], axis=1)
    coarse = plain(H, scenario=scene.scenario, n_objects=6, polish_sweeps=0, refine_sweeps=0)
    o = coarse.objects
    found = np.stack([o["angle"], o["range"] / 10, o["velocity"]], axis=1)
    nearest = np.abs(found[:, None, :] - truth[None, :, :]).max(axis=2).min(axis=0)
    assert nearest.max() > 5.0                                   # one object missed
    o = plain(H, scenario=scene.scenario, n_objects=6).objects
    est = _match(np.stack([o["angle"], o["range"] / 10, o["velocity"]], axis=1), truth)
    assert np.abs(est[:, 0] - scene.angle).max() < 0.5           # degrees; sqrt(CRB) ~ 0.1
    assert np.abs(est[:, 1] - truth[:, 1]).max() < 0.1           # 1 m


@pytest.mark.parametrize("shape", [(8, 10, 12, 6), (16, 180)])
def test_a_tensor_must_have_the_dimensions_of_its_scenario(shape):
    # a 4-D tensor read with the 3-D scenario's to_physical gave a range of -499.7 m silently
    rng = np.random.default_rng(0)
    F = rng.uniform(-0.2, 0.2, (2, len(shape)))
    H = synthesize(F, [1.0, 0.5j], shape)
    with pytest.raises(ShapeError, match=rf"H has {len(shape)} dimensions \(shape "
                                         rf"\({', '.join(map(str, shape))}\)\) but the "
                                         r"scenario Scenario describes 3 \(shape "
                                         r"\(16, 180, 560\)\)"):
        plain(H, (1,) * len(shape), scenario=Scenario())
    assert np.allclose(_match(plain(H, (1,) * len(shape)).frequencies, F), F, atol=1e-8)


def test_a_scenario_without_a_shape_is_checked_by_its_compression():
    class Minimal:
        compression = (1, 1)

        def to_physical(self, F):
            return {"f": F}

    H = synthesize([[0.1, 0.2, 0.3]], [1.0], (6, 7, 8))
    with pytest.raises(ShapeError, match=r"describes 2 \(compression \(1, 1\)\)"):
        plain(H, (1, 1, 1), scenario=Minimal())


def test_a_tensor_must_be_numeric_with_a_dimension():
    with pytest.raises(DTypeError, match="numeric tensor; got dtype object"):
        plain(np.array([[None] * 4] * 4))
    with pytest.raises(DTypeError, match="got dtype <U1"):
        plain(np.array([["a"] * 4] * 4))
    with pytest.raises(ShapeError, match="at least one dimension; got a 0-D array"):
        plain(np.complex128(1.0))


def test_seconds_is_a_float_and_the_stages_are_timings():
    scene = random_scene(2, seed=4)
    r = plain(channel_tensor(scene), scenario=scene.scenario)
    assert type(r.seconds) is float
    assert set(r.timings) == {"compress", "estimate", "fuse", "polish", "refit", "total"}
    assert r.timings["total"] == r.seconds
    assert all(isinstance(v, float) for v in r.timings.values())


def test_a_known_object_count_is_returned_and_checked():
    scene = random_scene(3, seed=2)
    H = channel_tensor(scene, snr_db=10, seed=3)
    assert plain(H, scenario=scene.scenario, n_objects=3).frequencies.shape == (3, 3)
    with pytest.raises(ParameterError, match="n_objects"):
        plain(H, n_objects=0)


def test_the_refinement_reaches_the_least_squares_fit_from_a_nearby_start():
    from solvers.isac import refine
    from solvers.isac.harmonics import correlations, projections

    rng = np.random.default_rng(4)
    F = np.array([[0.12, -0.31, 0.05], [0.15, 0.22, -0.2]])
    H = synthesize(F, [1.0, 0.3j], (8, 9, 10))
    H = H + 0.05 * (rng.standard_normal(H.shape) + 1j * rng.standard_normal(H.shape))
    G, beta = refine(H, F + 0.002, sweeps=30)
    # the least-squares estimate is a stationary point: the gradient of the fit vanishes
    for m in range(3):
        V = [steering(G[:, k], n) for k, n in enumerate(H.shape)]
        r = H - synthesize(G, beta, H.shape)
        z = projections(r, V)[m]
        i = np.arange(H.shape[m])
        d = (2j * np.pi * i[None, :] * np.exp(2j * np.pi * G[:, [m]] * i[None, :])).conj()
        assert np.abs(np.real(np.conj(beta) * (z * d).sum(axis=1))).max() < 1e-8
    V = [steering(G[:, k], n) for k, n in enumerate(H.shape)]
    assert np.allclose(correlations(H, V), [np.vdot(synthesize(G[[p]], [1], H.shape), H)
                                           for p in range(2)])


def test_the_refinement_refuses_an_unknown_search():
    from solvers.isac import refine

    with pytest.raises(ParameterError, match="search"):
        refine(synthesize([[0.1, 0.2]], [1.0], (4, 5)), [[0.1, 0.2]], search="grid")
