"""``relax problems list|make``: the files hold the library's instances, in sequence order."""

import numpy as np
import pytest
from click.testing import CliRunner

import problems as pb
from cli.main import main


def _run(*args):
    return CliRunner().invoke(main, ["problems", *args])


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
    assert _run("make", "poisson", "--shape", "6,7", "--out", str(tmp_path)).exit_code == 0
    inst = pb.load_system(tmp_path / "poisson_00000.npz")
    assert (inst.A != pb.poisson((6, 7))).nnz == 0
    np.testing.assert_allclose(inst.b, inst.A @ np.ones(42))
    assert _run("make", "gallery", "bar", "--out", str(tmp_path)).exit_code == 0
    assert (pb.load_system(tmp_path / "bar_00000.npz").A != pb.load_example("bar")).nnz == 0


@pytest.mark.parametrize("args, message", [
    (["make", "gallery"], "NAME is required"),
    (["make", "poisson", "bar"], "NAME is required"),
    (["make", "poisson", "--shape", "a,b"], "expected integers"),
    (["make", "gallery", "nosuch"], "nosuch"),
    (["make", "triangle"], "triangle"),
])
def test_bad_requests_exit_2(tmp_path, args, message):
    result = _run(*args, "--out", str(tmp_path))
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
