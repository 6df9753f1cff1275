"""``relax problems list|make``: the files hold the library's instances, in sequence order;
sizes, output folders and existing instances are checked before anything is written."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import problems as pb
from cli import limits
from cli.main import main
from cli.problems_cmd import make

ROOT = Path(__file__).resolve().parents[2]


def _run(*args):
    return CliRunner().invoke(main, ["problems", *args])


def _assert_one_line_error(stderr, message):
    """``stderr`` is exactly one ``relax: error:`` line holding ``message``."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("relax: error: "), stderr
    assert message in lines[0], stderr
    assert "Traceback" not in stderr and "Usage:" not in stderr


def test_list_names_every_kind():
    result = _run("list")
    assert result.exit_code == 0
    for kind in ("shifted-laplacian", "heat", "poisson", "gallery"):
        assert kind in result.output
    assert "airfoil" in result.output


def test_shifted_laplacian_files_are_the_sequence(tmp_path):
    result = _run("make", "shifted-laplacian", "--count", "4", "--variance", "low", "--seed", "3",
                  "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    paths = sorted(tmp_path.glob("*.npz"))
    assert [str(p) for p in paths] == [line for line in result.output.splitlines()
                                       if line.endswith(".npz")]
    seq = pb.shifted_laplacian_sequence(4, variance="low", seed=3)
    for t, path in enumerate(paths):
        inst = pb.load_system(path)
        assert inst.context == pytest.approx(seq.shifts[t], abs=0)
        assert inst.meta["index"] == t
        assert (inst.A != seq[t].A).nnz == 0
        np.testing.assert_array_equal(inst.b, seq[t].b)


def test_heat_files_chain_warm_starts(tmp_path):
    result = _run("make", "heat", "--nx", "9", "--count", "5", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    systems = [pb.load_system(p) for p in sorted(tmp_path.glob("heat_*.npz"))]
    assert len(systems) == 5
    reference = pb.HeatEquation(9, t_end=0.005)
    for k, inst in enumerate(systems):
        ref = reference.system()
        assert inst.context == pytest.approx(ref.context, rel=1e-15)
        assert inst.meta["step"] == k
        np.testing.assert_allclose(inst.x0, ref.x0, atol=1e-10)
        if k + 1 < len(systems):            # the next warm start solves this system
            nxt = systems[k + 1].x0
            assert np.linalg.norm(inst.A @ nxt - inst.b) <= 1e-10 * np.linalg.norm(inst.b)
        reference.advance(np.linalg.solve(ref.A.toarray(), ref.b))


def test_single_systems(tmp_path):
    assert _run("make", "poisson", "--shape", "6,7", "-o", str(tmp_path / "p")).exit_code == 0
    inst = pb.load_system(tmp_path / "p" / "poisson_00000.npz")
    assert (inst.A != pb.poisson((6, 7))).nnz == 0
    np.testing.assert_allclose(inst.b, inst.A @ np.ones(42))
    assert _run("make", "gallery", "bar", "--out", str(tmp_path / "g")).exit_code == 0
    assert (pb.load_system(tmp_path / "g" / "bar_00000.npz").A != pb.load_example("bar")).nnz \
        == 0


def test_a_folder_with_instances_is_refused_unless_overwrite(tmp_path):
    assert _run("make", "heat", "--nx", "4", "--count", "5", "-o", str(tmp_path)).exit_code == 0
    assert _run("make", "poisson", "--shape", "3,3", "-o", str(tmp_path / "p")).exit_code == 0
    (tmp_path / "p" / "poisson_00000.npz").rename(tmp_path / "poisson_00000.npz")
    (tmp_path / "p").rmdir()
    (tmp_path / "notes.txt").write_text("kept")
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.npz")}
    again = _run("make", "heat", "--nx", "4", "--count", "3", "-o", str(tmp_path))
    assert again.exit_code == 2 and again.stdout == ""
    _assert_one_line_error(again.stderr, "already holds 6 instance files (.npz, e.g. "
                                         "'heat_00000.npz'); pass --overwrite")
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.npz")} == before
    done = _run("make", "heat", "--nx", "4", "--count", "3", "-o", str(tmp_path), "--overwrite")
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "heat_00000.npz", "heat_00001.npz", "heat_00002.npz", "notes.txt", "poisson_00000.npz"]
    assert "removed 5 old heat instance files; 1 other .npz file kept" in done.stderr


@pytest.mark.parametrize("args, message", [
    (["make", "gallery"], "NAME is required"),
    (["make", "poisson", "bar"], "NAME is required"),
    (["make", "gallery", "nosuch"], "unknown example 'nosuch'; one of airfoil, bar"),
    (["make", "triangle"], "'triangle' is not one of"),
    (["make", "poisson", "--shape", "a,b"], "expected positive integers separated by commas, "
                                            "like 64,64; got 'a,b'"),
    (["make", "poisson", "--shape", "0,5"], "got '0,5'"),
    (["make", "poisson", "--shape", "-3,4"], "got '-3,4'"),
    (["make", "poisson", "--shape", "64,"], "got '64,'"),
    (["make", "poisson", "--shape", ""], "got ''"),
    (["make", "poisson", "--nx", "5"], "--nx applies to heat only"),
    (["make", "heat", "--shape", "5,5"], "--shape applies to poisson only"),
    (["make", "poisson", "--count", "5"], "--count applies to shifted-laplacian and heat only"),
    (["make", "heat", "--variance", "low"], "--variance applies to shifted-laplacian only"),
    (["make", "heat", "--nx", "2"], "2 is not in the range x>=3"),
    (["make", "heat", "--count", "0"], "0 is not in the range 1<=x<=1000000"),
    # Sizes, refused at once with the limit and the estimate:
    (["make", "poisson", "--shape", "100000,100000"],
     "a Poisson grid of 100000 x 100000 = 10000000000 unknowns would need about"),
    (["make", "poisson", "--shape", "100000,100000"], "of memory; the limit is 8.0 GiB"),
    (["make", "heat", "--nx", "100000"],
     "a heat-equation grid of 99999 x 99999 = 9999800001 unknowns would need about"),
    (["make", "shifted-laplacian", "--count", "100000000000"],
     "100000000000 is not in the range 1<=x<=1000000"),
    (["make", "heat", "--nx", "2000", "--count", "1000000"],
     "1000000 instance files of 3996001 unknowns would need about"),
    (["make", "heat", "--nx", "2000", "--count", "1000000"], "TiB of disk;"),
])
def test_bad_requests_exit_2_with_one_line(tmp_path, monkeypatch, args, message):
    monkeypatch.setattr(limits, "physical_memory", lambda: 16 * 2**30)   # the same everywhere
    result = _run(*args, "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    _assert_one_line_error(result.stderr, message)
    assert not (tmp_path / "out").exists()                      # nothing made


@pytest.mark.parametrize("out, message", [
    ("file.txt", "Directory '{tmp}/file.txt' is a file"),
    ("file.txt/sub", "'{tmp}/file.txt' is not a folder"),
])
def test_the_output_folder_is_checked_first(tmp_path, out, message):
    (tmp_path / "file.txt").write_text("")
    result = _run("make", "heat", "--nx", "100000", "-o", str(tmp_path / out))
    assert result.exit_code == 2
    _assert_one_line_error(result.stderr, message.format(tmp=tmp_path))


@pytest.mark.parametrize("args, message", [
    (["--shape", "100000,100000"], "of memory; the limit is"),
    (["--shape", "0"], "expected positive integers"),
])
def test_the_process_refuses_at_once(tmp_path, args, message):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "cli.main", "problems", "make", "poisson",
                           *args, "-o", "out"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    _assert_one_line_error(done.stderr, message)
    assert not (tmp_path / "out").exists()


def test_every_option_has_help_and_a_default():
    for param in make.params:
        if param.param_type_name == "option":
            assert param.help, param.name
            assert param.show_default or param.is_flag or param.name == "out", param.name
