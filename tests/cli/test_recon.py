"""``relax recon``: every method on small phantoms, its scores, its PNG, its errors."""

import json
import zlib

import numpy as np
import pytest
from click.testing import CliRunner

from cli.main import main


def _recon(*args):
    return CliRunner().invoke(main, ["recon", *args])


@pytest.mark.parametrize("args", [
    ["mri", "--method", "dds", "--steps", "5"],
    ["mri", "--method", "gradient", "--steps", "5", "--mask", "poisson-disc"],
    ["mri", "--method", "classical", "--noise", "0.01"],
    ["ct", "--method", "cg", "--steps", "20", "--views", "12", "--arc", "120"],
    ["ct", "--method", "dds", "--steps", "5", "--denoiser", "wavelet"],
])
def test_methods_report_their_scores(args):
    result = _recon(*args, "--size", "32", "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output.strip().splitlines()[-1])
    assert scores["method"] == args[2] and 0.0 < scores["ssim"] <= 1.0
    assert np.isfinite(scores["psnr"]) and scores["seconds"] >= 0.0


def test_dds_beats_zero_filling_and_writes_a_png(tmp_path):
    out = tmp_path / "x.png"
    dds = json.loads(_recon("mri", "--size", "48", "--steps", "20", "--json", "-o",
                            str(out)).output.strip().splitlines()[-1])
    zero = json.loads(_recon("mri", "--size", "48", "--method", "classical",
                             "--json").output.strip().splitlines()[-1])
    assert dds["psnr"] > zero["psnr"] + 2.0
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    idat = data.index(b"IDAT")
    length = int.from_bytes(data[idat - 4:idat], "big")
    assert len(zlib.decompress(data[idat + 4:idat + 4 + length])) == 48 * (48 + 1)


@pytest.mark.parametrize("args, message", [
    (["mri", "-o", "x.jpg"], "must end in .png"),
    (["pet"], "Invalid value"),
    (["mri", "--accel", "0.5"], "Invalid value"),
    (["ct", "--views", "0"], "Invalid value"),
])
def test_bad_requests_are_usage_errors(args, message):
    result = _recon(*args)
    assert result.exit_code == 2 and message in result.output


def test_mri_noise_falls_on_the_sampled_k_space_only():
    from cli.recon_tasks import mri_task, phantom

    image = phantom("shepp-logan", 32)
    clean = mri_task(image, noise=0.0, seed=3)
    noisy = mri_task(image, noise=0.05, seed=3)
    difference = noisy.y - clean.y
    sampled = np.broadcast_to(clean.A.mask, clean.y.shape)
    assert np.all(difference[~sampled] == 0) and np.all(difference[sampled] != 0)
    rms = np.sqrt(np.mean(np.abs(clean.y[sampled]) ** 2))
    assert abs(noisy.sigma - 0.05 * rms) <= 1e-12 * rms
    assert abs(np.std(difference[sampled]) / noisy.sigma - 1.0) < 0.05
