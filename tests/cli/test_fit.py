"""``relax fit``: functions of V_m recovered, reports consistent, CSVs read, bad input on one line.

Fits are checked against NumPy's own Legendre polynomials (``sqrt(2k+1) P_k`` is orthonormal for
the uniform measure on [-1, 1]), not against the package's basis.
"""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from numpy.polynomial import legendre

from cli.main import main

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
    return tmp_path


@pytest.mark.parametrize("args, message", [
    (["--function", "__import__('os').system('true')"], "unknown function"),
    (["--function", "x3", "--dim", "2"], "x3 is not a variable"),
    (["--function", "x0 +"], "cannot parse"),
    (["--function", "log(x0)"], "must be finite"),
    (["--function", "x0", "--data", "ok.csv"], "exactly one of --function"),
    ([], "exactly one of --function"),
    (["--data", "missing.csv"], "no such file"),
    (["--data", "ragged.csv"], "line 3 has 3 columns"),
    (["--data", "nan.csv"], "not finite"),
    (["--data", "empty.csv"], "no data rows"),
    (["--data", "header.csv"], "only a header"),
    (["--data", "word.csv"], "'two' is not a number"),
    (["--data", "ok.csv", "--dim", "2"], "does not match"),
    (["--data", "ok.csv", "--degree", "9"], "n >= m"),
    (["--data", "ok.csv", "--sampler", "dpp"], "--sampler applies with --function only"),
    (["--function", "x0", "--weights", "christoffel"], "--weights applies with --data only"),
    (["--function", POLY, "--sampler", "volume", "--n", "5"], "needs n >= m"),
    (["--function", POLY, "--sampler", "christoffel", "--n", "5"], "needs n >= m"),
    (["--function", POLY, "--sampler", "dpp", "--n", "12"], "exactly m = 10"),
])
def test_bad_input_exits_2_with_a_message(files, monkeypatch, args, message):
    monkeypatch.chdir(files)
    args = [*args] if "--degree" in args else [*args, "--degree", "3"]
    result = _fit(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    if "Usage:" not in result.output:
        assert len(result.output.strip().splitlines()) == 1
