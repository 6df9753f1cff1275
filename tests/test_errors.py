"""One error hierarchy: the same base names in ``solvers``, ``tuner`` and ``problems``, the
same error for the same mistake whichever package sees it, and the command line reports only
those as the user's mistake."""

import numpy as np
import pytest
from click.testing import CliRunner

import cli.batch as batch_module
import problems
import solvers
import tuner
from cli.main import main
from solvers.lsq import TensorBasis

PACKAGES = {"solvers": solvers, "tuner": tuner, "problems": problems}
BASES = {"InputError": None, "ParameterError": ValueError, "ParameterTypeError": TypeError}

SEEDED = {
    "solvers": lambda seed: solvers.lsq.sample(TensorBasis("legendre", 3), 8, seed=seed),
    "tuner": lambda seed: tuner.RobustLCB([1.0, 1.5], seed=seed),
    "problems": lambda seed: problems.random_coefficient(8, seed=seed),
}


@pytest.mark.parametrize("package", PACKAGES)
@pytest.mark.parametrize("name, builtin", BASES.items())
def test_every_package_has_the_same_base_names(package, name, builtin):
    module = PACKAGES[package]
    cls = getattr(module, name)
    assert issubclass(cls, module.InputError)
    if builtin is not None:
        assert issubclass(cls, builtin)


@pytest.mark.parametrize("package", PACKAGES)
@pytest.mark.parametrize("seed, name", [("7", "ParameterTypeError"), (1.5, "ParameterTypeError"),
                                        (True, "ParameterTypeError"), (-1, "ParameterError")])
def test_the_same_bad_seed_raises_the_same_named_error(package, seed, name):
    module = PACKAGES[package]
    with pytest.raises(getattr(module, name), match="seed"):
        SEEDED[package](seed)


@pytest.mark.parametrize("package", PACKAGES)
def test_a_good_seed_is_reproducible(package):
    first, second = SEEDED[package](3), SEEDED[package](3)
    if isinstance(first, np.ndarray):
        np.testing.assert_array_equal(first, second)


def test_the_former_base_names_still_work_and_warn():
    for get, new in ((lambda: solvers.errors.SolverInputError, solvers.InputError),
                     (lambda: solvers.SolverInputError, solvers.InputError),
                     (lambda: tuner.errors.TunerInputError, tuner.InputError)):
        with pytest.warns(DeprecationWarning, match="renamed"):
            assert get() is new


@pytest.mark.parametrize("error, status", [
    (solvers.ParameterError("omega must lie in (0, 2)"), 2),
    (tuner.ParameterTypeError("seed must be an int"), 2),
    (problems.ParameterError("m must be >= 1"), 2),
    (ValueError("an internal ValueError"), 1),
    (TypeError("an internal TypeError"), 1),
    (KeyError("internal"), 1),
])
def test_the_command_line_calls_only_input_errors_the_users_mistake(monkeypatch, tmp_path,
                                                                   error, status):
    def failing(paths):
        raise error

    monkeypatch.setattr(batch_module, "collect_inputs", failing)
    result = CliRunner().invoke(main, ["batch", str(tmp_path)])
    assert result.exit_code == status
    assert result.stderr.startswith("relax: error:") and result.stderr.count("\n") == 1
    assert ("--debug" in result.stderr) == (status == 1)
