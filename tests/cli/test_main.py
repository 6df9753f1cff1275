"""The ``relax`` command as a Unix tool: one-line errors and their exit statuses, ``--debug``
and ``--quiet`` anywhere, warnings summarised once."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli.batch as batch_module
from cli.main import main
from problems import save_system, shifted_laplacian_sequence

ROOT = Path(__file__).resolve().parents[2]


def _relax(*args, cwd=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "cli.main", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.mark.parametrize("args, message", [
    (["nosuch"], "No such command 'nosuch'"),
    (["batch"], "Missing argument 'INPUTS...'"),
    (["batch", "x.npz", "--nosuch"], "No such option '--nosuch'"),
    (["solve", "x.mtx", "--method", "gmres"], "'gmres' is not one of"),
    (["solve", "x.mtx", "--omega", "2.5"], "--omega"),
    (["tune", "heat", "--steps", "0"], "--steps"),
])
def test_usage_errors_are_one_line_with_status_2(args, message):
    done = _relax(*args)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and message in done.stderr
    assert done.stderr.startswith("relax: error:") and "--help" in done.stderr
    for block in ("Usage:", "Try ", "Traceback"):
        assert block not in done.stderr


def test_help_still_shows_the_usage():
    done = _relax("batch", "--help")
    assert done.returncode == 0 and done.stdout.startswith("Usage: relax batch")


@pytest.mark.parametrize("args", [
    ["--debug", "solve", "missing.mtx"],
    ["solve", "--debug", "missing.mtx"],
    ["solve", "missing.mtx", "--debug"],
])
def test_debug_shows_the_traceback_in_any_position(tmp_path, args):
    done = _relax(*args, cwd=tmp_path)
    assert done.returncode != 0 and "Traceback" in done.stderr
    assert "no such file: 'missing.mtx'" in done.stderr


def test_without_debug_an_input_error_is_one_line(tmp_path):
    done = _relax("solve", "missing.mtx", "--quiet", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "relax: error: no such file: 'missing.mtx'\n"


def test_an_internal_failure_exits_1_and_points_at_debug(monkeypatch, tmp_path):
    def broken(paths):
        raise RuntimeError("something internal")

    monkeypatch.setattr(batch_module, "collect_inputs", broken)
    result = CliRunner().invoke(main, ["batch", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == ("relax: error: RuntimeError: something internal (run with "
                             "--debug for the traceback)\n")


def test_clipped_contexts_are_summarised_in_one_line(tmp_path):
    for inst in shifted_laplacian_sequence(40, seed=0):
        save_system(tmp_path / f"s{inst.meta['index']:03d}.npz", inst.A, inst.b,
                    context=inst.context)
    contexts = [inst.context for inst in shifted_laplacian_sequence(40, seed=0)]
    outside = sum(not 0.1 <= c <= 0.2 for c in contexts)
    assert outside > 5
    result = CliRunner().invoke(main, ["batch", str(tmp_path), "--method", "sor", "--context",
                                       "context", "--bounds", "0.1", "0.2", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"relax: warning: {outside} contexts outside the bounds "
                             f"[0.1, 0.2] were clipped to them\n")


def test_quiet_silences_notes_but_not_results(tmp_path):
    for inst in shifted_laplacian_sequence(3, seed=0):
        save_system(tmp_path / f"s{inst.meta['index']}.npz", inst.A, inst.b)
    result = CliRunner().invoke(main, ["batch", str(tmp_path), "--method", "sor", "--tune",
                                       "fixed:1.5", "--quiet"])
    assert result.exit_code == 0 and result.stderr == ""
    assert len(result.stdout.splitlines()) == 3


def test_collected_warnings_count_kinds_and_hide_what_python_hides(capsys):
    import warnings

    from cli.console import collected_warnings

    with collected_warnings() as tally:
        for k in range(1000):
            warnings.warn(f"step {k} slowed down", RuntimeWarning, stacklevel=1)
        warnings.warn("a file was left open", ResourceWarning, stacklevel=1)
        warnings.warn("old spelling", DeprecationWarning, stacklevel=1)
    assert len(tally.first) == 1                      # one record kept, not a thousand
    assert capsys.readouterr().err == \
        "relax: warning: 1000 warnings like: step 0 slowed down\n"
