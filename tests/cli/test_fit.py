"""``relax fit``: functions of V_m recovered, reports consistent, CSVs read, bad input on one line.

Fits are checked against NumPy's own Legendre polynomials (``sqrt(2k+1) P_k`` is orthonormal for
the uniform measure on [-1, 1]), not against the package's basis.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_checks import assert_one_line_error
from click.testing import CliRunner
from numpy.polynomial import legendre

from cli import limits
from cli.fit import basis_size
from cli.main import main
from solvers.lsq import index_set

ROOT = Path(__file__).resolve().parents[2]

POLY = "1 + x0*x1 - 0.5*x1**2"


def poly(X):
    return 1 + X[:, 0] * X[:, 1] - 0.5 * X[:, 1] ** 2


def _fit(*args):
    return CliRunner().invoke(main, ["fit", *args])


def _json(*args):
    result = _fit(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _evaluate(report, X):
    """The fit at X from the JSON coefficients and multi-indices, by numpy.polynomial."""
    total = np.zeros(X.shape[0])
    for c, alpha in zip(report["coefficients"], report["indices"], strict=True):
        term = np.full(X.shape[0], c)
        for k, a in enumerate(alpha):
            term *= np.sqrt(2 * a + 1) * legendre.legval(X[:, k], np.eye(a + 1)[a])
        total += term
    return total


@pytest.mark.parametrize("sampler", ["christoffel", "dpp", "volume"])
def test_a_function_in_v_m_is_recovered(sampler):
    r = _json("--function", POLY, "--dim", "2", "--degree", "3", "--sampler", sampler)
    assert r["m"] == 10 and r["sampler"] == sampler
    assert r["n"] == (10 if sampler == "dpp" else 47)
    assert r["error"] < 1e-10 and r["best_error"] < 1e-10
    X = np.random.default_rng(1).uniform(-1, 1, (200, 2))
    assert np.allclose(_evaluate(r, X), poly(X), atol=1e-10)
    if sampler == "dpp":
        assert r["cv_error"] is None              # n = m: the fit interpolates
    else:
        assert r["cv_error"] < 1e-10


def test_json_is_complete_and_consistent():
    r = _json("--function", "exp(x0)*cos(2*x1)", "--degree", "3", "--sampler", "volume",
              "--n", "30", "--seed", "3")
    for key in ("m", "n", "sampler", "seed", "gram_deviation", "condition", "cv_error",
                "seconds", "error", "best_error", "ratio", "coefficients", "indices"):
        assert key in r
    assert r["dim"] == 2 and r["n"] == 30 and r["seed"] == 3        # dim from the formula
    assert len(r["coefficients"]) == len(r["indices"]) == r["m"] == 10
    assert sorted(map(tuple, r["indices"])) == [(i, j) for i in range(4) for j in range(4)
                                                if i + j <= 3]
    assert r["ratio"] == pytest.approx(r["error"] / r["best_error"], rel=1e-12)
    assert r["error"] >= r["best_error"] > 0 and r["ratio"] >= 1
    assert r["gram_deviation"] >= 0 and r["condition"] >= 1 and r["cv_error"] > 0


def test_text_report_and_no_reference():
    args = ["--function", "exp(-x0**2)*cos(3*x1)", "--dim", "2", "--degree", "4",
            "--sampler", "dpp"]
    text = _fit(*args)
    assert text.exit_code == 0, text.output
    for label in ("m  ", "n  ", "sampler", "||G - I||_2", "condition number",
                  "cross-validated error", "time", "L2(mu) error", "best approximation error",
                  "ratio error / best"):
        assert label in text.output
    short = _fit(*args, "--no-reference")
    assert short.exit_code == 0 and "L2(mu) error" not in short.output
    assert _json(*args, "--no-reference")["error"] is None


@pytest.mark.parametrize("header", [True, False])
@pytest.mark.parametrize("weights", ["none", "christoffel"])
def test_a_csv_of_a_polynomial_is_reproduced(tmp_path, header, weights):
    X = np.random.default_rng(2).uniform(-1, 1, (40, 2))
    path = tmp_path / "data.csv"
    np.savetxt(path, np.column_stack([X, poly(X)]), delimiter=",",
               header="x0,x1,y" if header else "", comments="")
    r = _json("--data", str(path), "--degree", "3", "--weights", weights)
    assert r["header"] is header and r["dim"] == 2 and r["n"] == 40 and r["sampler"] == "data"
    assert r["residual_rms"] < 1e-12 and r["cv_error"] < 1e-10
    Z = np.random.default_rng(3).uniform(-1, 1, (100, 2))
    assert np.allclose(_evaluate(r, Z), poly(Z), atol=1e-10)
    text = _fit("--data", str(path), "--degree", "3")
    assert text.exit_code == 0 and "residual RMS" in text.output


@pytest.fixture
def files(tmp_path):
    (tmp_path / "ragged.csv").write_text("x0,y\n0.1,2\n0.2,3,4\n")
    (tmp_path / "nan.csv").write_text("0.1,2\n0.2,nan\n")
    (tmp_path / "empty.csv").write_text("\n")
    (tmp_path / "header.csv").write_text("x0,x1,y\n")
    (tmp_path / "word.csv").write_text("0.1,2\n0.2,two\n")
    (tmp_path / "ok.csv").write_text("".join(f"{x},{x * x}\n" for x in np.linspace(-1, 1, 9)))
    (tmp_path / "same.csv").write_text("0.5,1\n" * 6)
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe1,2\n")
    return tmp_path


@pytest.mark.parametrize("args, message", [
    (["--function", "__import__('os').system('true')"], "unknown function"),
    (["--function", "x3", "--dim", "2"], "x3 is not a variable"),
    (["--function", "x0 +"], "cannot parse"),
    (["--function", "log(x0)"], "must be finite wherever --basis legendre draws points"),
    (["--function", "x0", "--data", "ok.csv"], "exactly one of --function"),
    ([], "exactly one of --function"),
    (["--data", "missing.csv"], "no such file"),
    (["--data", "ragged.csv"], "line 3 has 3 columns"),
    (["--data", "nan.csv"], "not finite"),
    (["--data", "empty.csv"], "no data rows"),
    (["--data", "header.csv"], "only a header"),
    (["--data", "word.csv"], "'two' is not a number"),
    (["--data", "binary.csv"], "cannot read 'binary.csv' as CSV"),
    (["--data", "ok.csv", "--dim", "2"], "does not match"),
    (["--data", "ok.csv", "--degree", "9"], "n >= m"),
    (["--data", "same.csv"], "rank deficient"),
    (["--data", "ok.csv", "--sampler", "dpp"], "--sampler applies with --function only"),
    (["--data", "ok.csv", "--no-reference"], "--reference/--no-reference applies with "
                                             "--function only"),
    (["--function", "x0", "--weights", "christoffel"], "--weights applies with --data only"),
    (["--function", POLY, "--sampler", "volume", "--n", "5"], "needs n >= m"),
    (["--function", POLY, "--sampler", "christoffel", "--n", "5"], "needs n >= m"),
    (["--function", POLY, "--sampler", "dpp", "--n", "12"], "exactly m = 10"),
    (["--function", "x0", "--basis", "laguerre"], "'laguerre' is not one of"),
    (["--function", "x0", "--seed", "-1"], "-1 is not in the range x>=0"),
    (["--function", "exp(x0, 1)"], "exp() takes one argument"),
    # Sizes, refused at once with the limit and the estimate:
    (["--function", "x0", "--degree", "1000"], "would need about 3.0e+11 floating-point "
                                               "operations"),
    (["--function", "x0", "--degree", "1000"], "pass --no-reference"),
    (["--function", "x0", "--dim", "10", "--degree", "10"], "a fit of m = 184756 legendre "
                                                            "basis functions"),
    (["--function", "x0", "--dim", "10", "--degree", "10"], "TiB of memory; the limit is"),
    (["--function", "x0", "--degree", "10000000000"], "more than 1000000"),
    (["--function", "x0", "--dim", "1000000000", "--degree", "0"], "the limit is 1e+11"),
    (["--function", "x0", "--dim", "99", "--degree", "99", "--index-set", "hyperbolic"],
     "more than 1000000 legendre basis functions (hyperbolic degree 99 in 99 dimensions)"),
    (["--function", "x0", "--degree", "60", "--sampler", "boosted"], "the limit is 1e+11"),
    (["--function", "x0", "--dim", "4", "--degree", "30", "--index-set", "full"], "m = 923521"),
    (["--function", "x0", "--degree", "2", "--n", "1000000000000"], "of memory; the limit"),
    (["--function", "9**9**9**9"], "the formula is inf at x = "),
    (["--function", "0/(x0 - x0)"], "the formula is nan at x = "),
])
def test_bad_input_exits_2_with_one_line(files, monkeypatch, args, message):
    monkeypatch.chdir(files)
    monkeypatch.setattr(limits, "physical_memory", lambda: 16 * 2**30)   # the same everywhere
    args = [*args] if "--degree" in args else [*args, "--degree", "3"]
    result = _fit(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert_one_line_error(result.stderr, message)


def test_a_csv_larger_than_memory_is_refused_before_reading(files, monkeypatch):
    monkeypatch.chdir(files)
    monkeypatch.setattr(limits, "physical_memory", lambda: 2000)
    result = _fit("--data", "ok.csv", "--degree", "1")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "reading 'ok.csv' (")


@pytest.mark.parametrize("args, message", [
    (["--function", "x0", "--degree", "1000"], "would need about"),
    (["--function", "x0", "--dim", "10", "--degree", "10"], "of memory; the limit is"),
    (["--function", "9**9**9**9", "--degree", "2"], "the formula is inf"),
])
def test_sizes_are_refused_by_the_process_at_once(tmp_path, args, message):
    """The real process: status 2, one line on stderr, nothing on stdout (it returns in
    about a second, against minutes or a MemoryError before)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "cli.main", "fit", *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert_one_line_error(done.stderr, message)


@pytest.mark.parametrize("name", ["total", "hyperbolic", "full"])
@pytest.mark.parametrize("dim", [1, 2, 3, 5])
def test_basis_sizes_are_counted_without_listing(name, dim):
    for degree in range(7):
        assert basis_size(name, dim, degree) == len(index_set(name, dim, degree))


@pytest.mark.parametrize("name, dim, degree", [
    ("total", 40, 40), ("full", 30, 2), ("hyperbolic", 10**9, 1), ("hyperbolic", 1, 10**7),
])
def test_basis_sizes_beyond_the_cap_are_none(name, dim, degree):
    assert basis_size(name, dim, degree) is None


def test_every_option_has_help_with_its_default():
    from cli.fit import fit
    for param in fit.params:
        assert param.help, param.name
        assert param.show_default or param.is_flag or param.required \
            or "[default:" in param.help or param.name in ("function", "data"), param.name
