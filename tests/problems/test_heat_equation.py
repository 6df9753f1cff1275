"""Crank-Nicolson heat equation against closed forms and a dense numpy reference."""

import math

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from problems import KAPPA_BOUNDS, HeatEquation, Instance
from problems.heat import bump, default_forcing, default_kappa


def reference_laplacian(nx):
    """Dense -Laplacian on the (nx-1)^2 interior points, via 1-D second differences."""
    N, h = nx - 1, 1.0 / nx
    D = (2 * np.eye(N) - np.eye(N, k=1) - np.eye(N, k=-1)) / h**2
    return np.kron(D, np.eye(N)) + np.kron(np.eye(N), D)


def reference_bump(x, y, cx, cy, r):
    d2 = ((x - cx) ** 2 + (y - cy) ** 2) / r**2
    return math.exp(1 - 1 / (1 - d2)) if d2 < 1 else 0.0


def zero_forcing(t, X, Y):
    return 0.0


def test_sizes():
    assert HeatEquation(25).n == 576
    assert len(HeatEquation(25)) == 5000
    assert HeatEquation(400, t_end=1e-3).n == 159201
    assert len(HeatEquation(4, dt=0.1, t_end=0.3)) == 3


def test_grid_ordering_has_x_as_slow_index():
    nx = 5
    sim = HeatEquation(nx, dt=0.1, t_end=0.1)
    X, Y = sim.grid
    x = np.arange(1, nx) / nx
    assert X.shape == Y.shape == (16,)
    np.testing.assert_allclose(X.reshape(4, 4), np.repeat(x[:, None], 4, axis=1), atol=1e-15)
    np.testing.assert_allclose(Y.reshape(4, 4), np.repeat(x[None, :], 4, axis=0), atol=1e-15)


def test_discrete_eigenmode_decays_by_the_crank_nicolson_factor():
    nx, dt, kappa = 16, 1e-3, 1.0
    sim = HeatEquation(
        nx,
        dt=dt,
        t_end=10 * dt,
        kappa=lambda t: kappa,
        forcing=zero_forcing,
        initial=lambda X, Y: np.sin(np.pi * X) * np.sin(np.pi * Y),
    )
    h = 1.0 / nx
    lam = (4 / h**2) * 2 * math.sin(math.pi * h / 2) ** 2
    g = (1 - 0.5 * kappa * dt * lam) / (1 + 0.5 * kappa * dt * lam)
    u0 = sim.u
    for k, inst in enumerate(sim, start=1):
        sim.advance(spsolve(inst.A.tocsc(), inst.b))
        expected = g**k * u0
        assert np.linalg.norm(sim.u - expected) <= 1e-12 * np.linalg.norm(expected)
    assert sim.step == 10 and sim.finished


def test_default_kappa_values():
    assert default_kappa(0.25) == pytest.approx(0.1, abs=1e-15)
    assert default_kappa(0.75) == pytest.approx(10.0, abs=1e-12)
    assert default_kappa(0.0) == 0.0
    assert default_kappa(1.0) == pytest.approx(0.0, abs=1e-12)
    ts = np.linspace(0, 2, 401)
    values = np.array([default_kappa(t) for t in ts])
    assert values.min() >= KAPPA_BOUNDS[0] and values.max() <= KAPPA_BOUNDS[1]


def test_bump_shape():
    assert bump(0.3, 0.4, (0.3, 0.4), 0.1) == 1.0
    r = np.linspace(0, 2, 2001)
    values = bump(0.5 + r * 0.2, 0.5, (0.5, 0.5), 0.2)  # distance r * radius
    assert np.all((values >= 0) & (values <= 1))
    assert np.all(values[r >= 1] == 0.0)
    assert np.all(values[r < 1] > 0.0)
    assert np.all(np.diff(values) <= 0)  # decreasing in the distance
    expected = [reference_bump(0.5 + s * 0.2, 0.5, 0.5, 0.5, 0.2) for s in r]
    np.testing.assert_allclose(values, expected, rtol=1e-13, atol=0)
    # smooth at the edge of the support: flat there, vanishing faster than (1 - r)**4
    edge = (r >= 0.99) & (r < 1)
    assert np.all(values[edge] / (1 - r[edge]) ** 4 < 1e-6)


def test_bump_no_warnings():
    with np.errstate(all="raise"):
        bump(np.array([0.0, 0.5, 1.0]), 0.5, (0.5, 0.5), 0.5)


def test_default_forcing_centre_moves_on_a_circle():
    for t in (0.0, 0.01, 0.1):
        a = 16 * math.pi * t
        cx, cy = 0.5 + math.cos(a) / 4, 0.5 + math.sin(a) / 4
        assert default_forcing(t, cx, cy) == pytest.approx(32.0)
        assert default_forcing(t, cx + 0.125, cy) == 0.0


def test_system_is_spd_with_the_expected_diagonal():
    nx, dt = 6, 0.3
    sim = HeatEquation(nx, dt=dt, t_end=1.0)
    sim.advance(sim.u)
    sim.advance(sim.u)  # step 2: midpoint time 0.75, kappa = 10
    inst = sim.system()
    kappa = inst.context
    assert kappa == pytest.approx(10.0)
    A = inst.A
    assert type(A) is sp.csr_matrix and A.dtype == np.float64 and A.has_canonical_format
    dense = A.toarray()
    np.testing.assert_array_equal(dense, dense.T)
    assert np.linalg.eigvalsh(dense).min() > 0
    h = 1.0 / nx
    np.testing.assert_allclose(np.diag(dense), 1 + 0.5 * kappa * dt * 4 / h**2, rtol=1e-15)


def test_system_matches_dense_reference():
    nx, dt = 10, 0.3
    sim = HeatEquation(nx, dt=dt, t_end=1.5)
    N, h = nx - 1, 1.0 / nx
    points = [((i + 1) * h, (j + 1) * h) for i in range(N) for j in range(N)]
    u0 = np.array([reference_bump(x, y, 0.5, 0.5, 0.25) for x, y in points])
    np.testing.assert_allclose(sim.u, u0, rtol=1e-14, atol=0)

    rng = np.random.default_rng(0)
    u = rng.standard_normal(N * N)
    sim.advance(u0)
    sim.advance(u)
    inst = sim.system()
    t_mid = 2 * dt + dt / 2
    kappa = max(0.1 * math.sin(2 * math.pi * t_mid), -10 * math.sin(2 * math.pi * t_mid))
    cx = 0.5 + math.cos(16 * math.pi * t_mid) / 4
    cy = 0.5 + math.sin(16 * math.pi * t_mid) / 4
    f = np.array([32 * reference_bump(x, y, cx, cy, 0.125) for x, y in points])
    assert np.count_nonzero(f) >= 4
    Lap = -reference_laplacian(nx)
    I = np.eye(N * N)
    A_ref = I - 0.5 * kappa * dt * Lap
    b_ref = (I + 0.5 * kappa * dt * Lap) @ u + dt * f

    assert inst.context == pytest.approx(kappa, rel=1e-14)
    assert inst.meta["step"] == 2
    assert inst.meta["time"] == pytest.approx(2 * dt)
    assert inst.meta["kappa"] == inst.context
    np.testing.assert_allclose(inst.A.toarray(), A_ref, rtol=1e-14, atol=1e-12)
    np.testing.assert_allclose(inst.b, b_ref, rtol=1e-12, atol=1e-10)
    np.testing.assert_array_equal(inst.x0, u)


def test_system_twice_is_the_same_and_returns_copies():
    sim = HeatEquation(6, dt=0.1, t_end=0.5)
    first = sim.system()
    first.b[:] = 0.0
    first.x0[:] = 0.0
    second = sim.system()
    assert isinstance(second, Instance)
    np.testing.assert_array_equal(second.A.toarray(), first.A.toarray())
    assert np.any(second.b != 0.0)
    np.testing.assert_array_equal(second.x0, sim.u)
    assert second.meta == first.meta


def test_state_properties_and_reset():
    sim = HeatEquation(5, dt=0.25, t_end=1.0, kappa=lambda t: 2.0, forcing=zero_forcing)
    u0 = sim.u
    sim.u[:] = 5.0  # a copy: no effect
    np.testing.assert_array_equal(sim.u, u0)
    sim.advance(np.ones(16))
    assert sim.step == 1 and sim.time == 0.25
    np.testing.assert_array_equal(sim.u, np.ones(16))
    sim.reset()
    assert sim.step == 0 and sim.time == 0.0
    np.testing.assert_array_equal(sim.u, u0)
    assert sim.context_bounds == KAPPA_BOUNDS


def test_iteration_requires_advance():
    sim = HeatEquation(4, dt=0.1, t_end=0.3)
    it = iter(sim)
    next(it)
    with pytest.raises(RuntimeError, match=r"advance\(x\) before asking for the next system"):
        next(it)


def test_iteration_yields_each_step_then_stops():
    sim = HeatEquation(4, dt=0.1, t_end=0.3)
    steps = []
    for inst in sim:
        steps.append(inst.meta["step"])
        sim.advance(inst.x0)
    assert steps == [0, 1, 2]
    assert list(sim) == []  # nothing left


def test_finished_simulation_errors():
    sim = HeatEquation(4, dt=0.5, t_end=1.0)
    sim.advance(sim.u)
    sim.advance(sim.u)
    assert sim.finished
    with pytest.raises(RuntimeError, match="finished"):
        sim.advance(sim.u)
    with pytest.raises(RuntimeError, match="finished"):
        sim.system()


def test_advance_validates_the_solution():
    sim = HeatEquation(4, dt=0.5, t_end=1.0)
    with pytest.raises(ValueError, match=r"shape \(9,\)"):
        sim.advance(np.zeros(8))
    with pytest.raises(ValueError, match=r"shape \(9,\)"):
        sim.advance(np.zeros((9, 1)))
    bad = np.zeros(9)
    bad[3] = np.nan
    with pytest.raises(ValueError, match="finite"):
        sim.advance(bad)
    assert sim.step == 0


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((2,), {}, "nx"),
        ((3.0,), {}, "nx"),
        ((5,), {"dt": 0.0}, "dt"),
        ((5,), {"dt": -1e-3}, "dt"),
        ((5,), {"dt": 0.1, "t_end": 0.05}, "t_end"),
    ],
)
def test_bad_construction(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        HeatEquation(*args, **kwargs)


def test_bad_callables():
    with pytest.raises(TypeError, match="kappa"):
        HeatEquation(4, kappa=1.0)
    with pytest.raises(ValueError, match="initial"):
        HeatEquation(4, initial=lambda X, Y: np.zeros(3))
    sim = HeatEquation(4, kappa=lambda t: -1.0)
    with pytest.raises(ValueError, match="kappa"):
        sim.system()
    sim = HeatEquation(4, forcing=lambda t, X, Y: np.full(9, np.inf))
    with pytest.raises(ValueError, match="forcing"):
        sim.system()
    with pytest.raises(ValueError, match="context_bounds"):
        HeatEquation(4, context_bounds=(1.0, 0.0))


def test_custom_context_bounds():
    assert HeatEquation(4, context_bounds=(0, 2)).context_bounds == (0.0, 2.0)
