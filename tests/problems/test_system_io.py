"""Round trips through .mtx and .npz files."""

import numpy as np
import pytest
import scipy.io
import scipy.sparse as sp

from problems import Instance, load_system, read_matrix, save_system, write_matrix


def random_matrix(shape=(12, 12), seed=0):
    rng = np.random.default_rng(seed)
    A = sp.random(*shape, density=0.3, random_state=rng, format="csr")
    A.data = rng.standard_normal(A.nnz) / 3.0  # values with long binary expansions
    return A


def assert_same_csr(A, B):
    assert type(A) is sp.csr_matrix and A.dtype == np.float64 and A.has_canonical_format
    assert A.shape == B.shape
    B = sp.csr_matrix(B)
    B.sum_duplicates()
    np.testing.assert_array_equal(A.indptr, B.indptr)
    np.testing.assert_array_equal(A.indices, B.indices)
    np.testing.assert_array_equal(A.data, B.data)


@pytest.mark.parametrize("suffix", [".mtx", ".npz"])
def test_matrix_round_trip_is_exact(tmp_path, suffix):
    A = random_matrix()
    path = tmp_path / f"a{suffix}"
    write_matrix(path, A)
    assert_same_csr(read_matrix(path), A)


@pytest.mark.parametrize("suffix", [".mtx", ".npz"])
def test_symmetric_and_rectangular_round_trips(tmp_path, suffix):
    S = random_matrix(seed=1)
    S = (S + S.T).tocsr()
    write_matrix(tmp_path / f"s{suffix}", S)
    assert_same_csr(read_matrix(tmp_path / f"s{suffix}"), S)
    R = random_matrix((5, 8), seed=2)
    write_matrix(str(tmp_path / f"r{suffix}"), R)  # str paths work too
    assert_same_csr(read_matrix(str(tmp_path / f"r{suffix}")), R)


def test_read_matrix_from_foreign_files(tmp_path):
    A = random_matrix(seed=3)
    scipy.io.mmwrite(tmp_path / "coo.mtx", A.tocoo())
    sp.save_npz(tmp_path / "csc.npz", A.tocsc())
    assert_same_csr(read_matrix(tmp_path / "coo.mtx"), A)
    assert_same_csr(read_matrix(tmp_path / "csc.npz"), A)


def test_upper_case_suffixes_keep_the_file_name(tmp_path):
    A = random_matrix(seed=7)
    for name in ("A.MTX", "B.NPZ"):
        write_matrix(tmp_path / name, A)
        assert_same_csr(read_matrix(tmp_path / name), A)
    save_system(tmp_path / "C.Npz", A, np.ones(12))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A.MTX", "B.NPZ", "C.Npz"]


def test_write_dense_and_integer_matrices(tmp_path):
    dense = np.array([[2, 0], [-1, 3]])
    write_matrix(tmp_path / "d.mtx", dense)
    np.testing.assert_array_equal(read_matrix(tmp_path / "d.mtx").toarray(), dense)


def test_matrix_errors(tmp_path):
    with pytest.raises(ValueError, match=r"\.mtx or \.npz.*'\.txt'"):
        read_matrix(tmp_path / "a.txt")
    with pytest.raises(ValueError, match=r"\.mtx or \.npz"):
        write_matrix(tmp_path / "a.mat", np.eye(2))
    missing = tmp_path / "missing.mtx"
    with pytest.raises(FileNotFoundError, match="missing.mtx"):
        read_matrix(missing)
    with pytest.raises(TypeError, match="complex"):
        write_matrix(tmp_path / "c.npz", np.eye(2) * 1j)


def test_system_round_trip(tmp_path):
    A = random_matrix(seed=4)
    rng = np.random.default_rng(4)
    b, x0 = rng.standard_normal(12), rng.standard_normal(12)
    path = tmp_path / "sys.npz"
    save_system(path, A, b, x0)
    inst = load_system(path)
    assert isinstance(inst, Instance)
    assert_same_csr(inst.A, A)
    np.testing.assert_array_equal(inst.b, b)
    np.testing.assert_array_equal(inst.x0, x0)
    assert inst.meta["source"] == str(path)
    assert_same_csr(read_matrix(path), A)  # the matrix part is a save_npz file

    save_system(tmp_path / "nox0.npz", A, list(b))
    inst = load_system(tmp_path / "nox0.npz")
    assert inst.x0 is None
    np.testing.assert_array_equal(inst.b, b)


def test_mtx_system_uses_sibling_rhs(tmp_path):
    A = random_matrix(seed=5)
    b = np.random.default_rng(5).standard_normal(12)
    write_matrix(tmp_path / "bcsstk.mtx", A)
    scipy.io.mmwrite(tmp_path / "bcsstk_b.mtx", b.reshape(-1, 1))
    inst = load_system(tmp_path / "bcsstk.mtx")
    assert_same_csr(inst.A, A)
    np.testing.assert_array_equal(inst.b, b)
    assert inst.x0 is None
    assert inst.meta["source"] == str(tmp_path / "bcsstk.mtx")
    assert inst.meta["rhs"] == str(tmp_path / "bcsstk_b.mtx")


def test_mtx_system_without_rhs_uses_row_sums(tmp_path):
    A = random_matrix(seed=6)
    write_matrix(tmp_path / "plain.mtx", A)
    inst = load_system(tmp_path / "plain.mtx")
    np.testing.assert_allclose(inst.b, A.toarray().sum(axis=1), rtol=1e-14, atol=1e-15)
    assert inst.meta["rhs"] == "A @ ones"


def test_sibling_rhs_of_wrong_length(tmp_path):
    write_matrix(tmp_path / "m.mtx", np.eye(3))
    scipy.io.mmwrite(tmp_path / "m_b.mtx", np.ones((4, 1)))
    with pytest.raises(ValueError, match="3 entries"):
        load_system(tmp_path / "m.mtx")


def test_system_errors(tmp_path):
    with pytest.raises(ValueError, match=r"\.npz"):
        save_system(tmp_path / "s.mtx", np.eye(2), np.ones(2))
    with pytest.raises(ValueError, match="b must be a vector of length 2"):
        save_system(tmp_path / "s.npz", np.eye(2), np.ones(3))
    with pytest.raises(ValueError, match="x0 must be a vector of length 2"):
        save_system(tmp_path / "s.npz", np.eye(2), np.ones(2), x0=np.ones((2, 2)))
    with pytest.raises(FileNotFoundError, match="nothing.npz"):
        load_system(tmp_path / "nothing.npz")
    with pytest.raises(ValueError, match=r"\.mtx or \.npz"):
        load_system(tmp_path / "a.csv")
    np.savez(tmp_path / "other.npz", x=np.ones(3))
    with pytest.raises(ValueError, match="save_system"):
        load_system(tmp_path / "other.npz")



def test_context_and_meta_round_trip(tmp_path):
    path = tmp_path / "s.npz"
    save_system(path, np.diag([2.0, 3.0]), [1.0, 2.0], context=0.25,
                meta={"step": 7, "shift": -0.1, "kind": "heat"})
    inst = load_system(path)
    assert inst.context == 0.25
    assert inst.meta["step"] == 7.0 and inst.meta["shift"] == -0.1 and inst.meta["kind"] == "heat"
    assert load_system(path).meta["source"] == str(path)


@pytest.mark.parametrize("kwargs", [{"context": float("nan")}, {"context": "0.3"},
                                    {"meta": {"bad key": 1.0}}, {"meta": {"x": [1, 2]}},
                                    {"meta": {"x": True}}])
def test_bad_context_or_meta_is_refused(tmp_path, kwargs):
    with pytest.raises(ValueError):
        save_system(tmp_path / "s.npz", np.eye(2), [1.0, 1.0], **kwargs)
