"""Row colourings are proper, red-black where it exists, and cached per sparsity pattern."""

import numpy as np
import pytest
import scipy.sparse as sp
from solver_cases import PYAMG_SPD_EXAMPLES, anisotropic, example, poisson, random_spd

from solvers import ParameterError, color_rows
from solvers._sparse import prepare_csr
from solvers.ordering import multicolor


def _coupled_pairs(A):
    S = sp.coo_matrix(abs(A) + abs(A).T)
    keep = S.row != S.col
    return S.row[keep], S.col[keep]


def _assert_proper(A, coloring):
    rows, cols = _coupled_pairs(sp.csr_matrix(A))
    assert coloring.colors.shape == (A.shape[0],)
    assert np.all(coloring.colors[rows] != coloring.colors[cols])
    assert coloring.colors.min() >= 0 and coloring.colors.max() == coloring.n_colors - 1
    assert coloring.counts().sum() == A.shape[0]


def _random_pattern(n, density, seed, symmetric):
    rng = np.random.default_rng(seed)
    R = sp.random(n, n, density=density, rng=rng, format="csr")
    if symmetric:
        R = R + R.T
    return (R + sp.identity(n)).tocsr()


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("method", ["auto", "greedy"])
def test_colourings_of_random_matrices_are_proper(seed, symmetric, method):
    A = _random_pattern(300, 0.02, seed, symmetric)
    coloring = color_rows(A, method)
    _assert_proper(A, coloring)
    degree = np.diff(sp.csr_matrix(abs(A) + abs(A).T).indptr).max()
    assert coloring.n_colors <= degree + 1                   # the greedy bound


@pytest.mark.parametrize("shape", [(7, 9), (10, 10), (4, 5, 6), (6, 6, 6)])
@pytest.mark.parametrize("method", ["auto", "red-black"])
def test_five_and_seven_point_stencils_are_red_black(shape, method):
    A = poisson(shape)
    coloring = color_rows(A, method)
    _assert_proper(A, coloring)
    assert (coloring.method, coloring.n_colors) == ("red-black", 2)
    parity = np.indices(shape).sum(axis=0).ravel() % 2      # the checkerboard
    assert np.array_equal(coloring.colors, parity) or np.array_equal(coloring.colors,
                                                                     1 - parity)


def test_red_black_whatever_the_numbering():
    A = poisson((9, 8))
    perm = np.random.default_rng(0).permutation(A.shape[0])
    shuffled = A[perm][:, perm]
    coloring = color_rows(shuffled, "red-black")
    _assert_proper(shuffled, coloring)
    assert coloring.n_colors == 2


@pytest.mark.parametrize("build", [lambda: anisotropic((8, 8)), lambda: random_spd(),
                                   *[lambda name=name: example(name)
                                     for name in PYAMG_SPD_EXAMPLES]])
def test_non_bipartite_matrices_get_greedy_colours_and_refuse_red_black(build):
    A = build()
    coloring = color_rows(A)
    assert coloring.method == "greedy" and coloring.n_colors > 2
    _assert_proper(A, coloring)
    with pytest.raises(ParameterError, match="odd cycle"):
        color_rows(A, "red-black")


def test_greedy_in_natural_order_is_the_checkerboard_on_a_grid():
    coloring = color_rows(poisson((6, 7)), "greedy")
    assert coloring.n_colors == 2


def test_given_colours_are_checked():
    A = poisson((4, 4))
    good = np.indices((4, 4)).sum(axis=0).ravel() % 2
    assert color_rows(A, 3 * good).method == "given"          # unused colours are allowed
    with pytest.raises(ParameterError, match="row 0 is coupled"):
        color_rows(A, np.zeros(16, dtype=int))
    with pytest.raises(ParameterError, match="one integer colour per row"):
        color_rows(A, good[:-1])
    with pytest.raises(ParameterError, match="one of"):
        color_rows(A, "rainbow")


def test_the_pattern_is_cached_and_told_apart_from_others():
    A = poisson((12, 12))
    first = multicolor.multicolor_pattern(prepare_csr(A))
    again = multicolor.multicolor_pattern(prepare_csr(3.0 * A + sp.identity(144)))
    assert again is first                                    # same pattern, new values
    B = A.tolil()
    B[0, 143] = B[143, 0] = -0.5                             # one more coupling
    other = multicolor.multicolor_pattern(prepare_csr(B.tocsr()))
    assert other is not first
    _assert_proper(B, other.coloring)


def test_renumbering_is_the_permuted_matrix():
    A = anisotropic((7, 6))
    csr = prepare_csr(A)
    colored = multicolor.multicolor_pattern(csr, "greedy").renumber(csr)
    order = colored.pattern.order
    expected = A[order][:, order].tocsr()
    got = sp.csr_matrix((colored.data, colored.pattern.indices.astype(np.int64),
                         colored.pattern.indptr.astype(np.int64)), shape=A.shape)
    assert abs(got - expected).max() == 0.0
    assert np.array_equal(colored.diagonal, expected.diagonal())
    v = np.arange(A.shape[0], dtype=float)
    assert np.array_equal(colored.to_original(colored.to_colored(v)), v)
