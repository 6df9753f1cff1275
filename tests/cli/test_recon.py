"""``relax recon``: every method on small phantoms, its scores, its PNG, its errors."""

import json
import zlib

import numpy as np
import pytest
from cli_checks import assert_refused
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


def test_quiet_leaves_stderr_empty():
    loud = _recon("ct", "--size", "16", "--method", "classical")
    quiet = _recon("ct", "--size", "16", "--method", "classical", "--quiet")
    assert "relax recon: CT 8 views" in loud.stderr and quiet.stderr == ""
    assert quiet.exit_code == 0 and "PSNR" in quiet.stdout


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
    (["ct", "--out", "no-such-folder/x.png"], "does not exist"),
    (["pet"], "No such command 'pet'"),
    (["mri", "--accel", "0.5"], "--accel"),
    (["ct", "--views", "0"], "--views"),
    (["ct", "--coils", "3"], "No such option '--coils'"),
    (["ct", "--mask", "lines"], "No such option '--mask'"),
    (["mri", "--views", "8"], "No such option '--views'"),
    (["mri", "--method", "classical", "--denoiser", "wavelet"],
     "--denoiser does not apply to --method classical"),
    (["ct", "--method", "cg", "--eta", "0.5"], "--eta does not apply to --method cg"),
    (["mri", "--method", "gradient", "--gamma", "2"], "--gamma does not apply"),
])
def test_bad_requests_are_refused_on_one_line(args, message):
    assert_refused(_recon(*args), message)


def test_each_modality_has_its_own_help():
    mri = _recon("mri", "--help").stdout
    ct = _recon("ct", "--help").stdout
    assert "--coils" in mri and "--accel" in mri and "--views" not in mri
    assert "--views" in ct and "--arc" in ct and "--coils" not in ct
    assert "k-space" in mri and "projection" in ct
    for page in (mri, ct):
        assert "Decomposed Diffusion Sampler" in " ".join(page.split())
        assert "-o, --out" in page
    assert "relax recon mri --help" in _recon("--help").stdout


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
