"""The README's Python tour runs as written."""

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the tour saves a file
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "README has no python example"
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})


def test_readme_shows_the_two_setup_commands():
    text = README.read_text()
    assert "pip install . && relax demo" in text
    assert "pip install '.[test]' && pytest" in text


def _command_lines(prefixes):
    """The README's command lines that start with one of ``prefixes`` (continuations joined,
    comments dropped), in order."""
    text = README.read_text().replace("\\\n", " ")
    lines = []
    for line in text.splitlines():
        command = line.split("#")[0].strip()
        if command.startswith(prefixes):
            lines.append(shlex.split(command))
    return lines


def test_readme_batch_commands_run_in_sequence(tmp_path, monkeypatch):
    """Each batch command of the README solves every input (the second one too: it writes
    another results file, with its own options)."""
    pytest.importorskip("dask.distributed")
    monkeypatch.chdir(tmp_path)
    commands = _command_lines(("relax problems make", "relax solve", "relax batch"))
    assert [c[1] for c in commands] == ["problems", "solve", "batch", "batch"]
    for command in commands:
        result = CliRunner().invoke(main, command[1:])
        assert result.exit_code == 0, (command, result.output)
        if command[1] == "batch":
            assert "100 inputs, 0 already done, 100 to solve" in result.stderr
            out = Path(command[command.index("--out") + 1])
            assert len(out.read_text().splitlines()) == 102        # options, header, rows


def test_readme_fit_data_example_runs(tmp_path, monkeypatch):
    """The README makes ``samples.csv`` before fitting it."""
    monkeypatch.chdir(tmp_path)
    make, = _command_lines(("python -c",))
    subprocess.run([sys.executable, *make[1:]], check=True, timeout=60)
    fit, = [c for c in _command_lines(("relax fit --data",))]
    result = CliRunner().invoke(main, fit[1:])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["n"] == 200 and report["residual_rms"] < 0.02     # y itself spans [-2.4, 2.4]
