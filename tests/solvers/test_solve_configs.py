"""Solver.solve: configurations against the solvers they name, a direct solve against SciPy,
the backstop, a matrix that is not SPD under a tuner, and the default configuration."""

import types

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as sla

import tuner
from problems import poisson
from solvers import NotSPDError, ParameterError, Solver, auto_space, check_config, describe
from solvers.methods import default_config
from solvers.tuned import cost_book

A = poisson((24, 24))
B = np.random.default_rng(0).standard_normal(A.shape[0])
B36 = np.ones(36)


@pytest.mark.parametrize("config, M", [
    ({"method": "cg"}, None), ({"method": "jacobi"}, "jacobi"),
    ({"method": "ssor", "omega": 1.5}, ("ssor", 1.5)),
    ({"method": "ssor-multicolor", "omega": 1.5}, ("ssor", 1.5, "multicolor")),
])
def test_a_configuration_runs_the_method_it_names(config, M):
    got = Solver(A).solve(B, config=config)
    want = Solver(A).cg(B, M=M)
    assert got.iterations == want.iterations
    np.testing.assert_array_equal(got.x, want.x)
    assert got.info["config"] == describe(config)


def test_sor_and_amg_configurations():
    res = Solver(A).solve(B, config={"method": "sor", "omega": 1.8})
    assert res.converged and res.info["config"] == "sor(omega=1.8)"
    assert np.linalg.norm(B - A @ res.x) <= 1e-8 * np.linalg.norm(B)
    solver = Solver(A)
    for k in range(5):
        solver.update(A * (1.0 + 0.01 * k))
        assert solver.solve(B, config={"method": "amg", "rebuild": 2}).converged
    assert solver.amg_builds == 3                       # builds at updates 0, 2 and 4


def test_direct_matches_scipy_and_keeps_its_factor_until_the_values_change():
    solver = Solver(A)
    first = solver.solve(B, config={"method": "direct"})
    np.testing.assert_allclose(first.x, sla.spsolve(A.tocsc(), B), rtol=1e-10, atol=1e-12)
    assert first.converged and first.info["factorized"]
    assert not solver.solve(2 * B, config={"method": "direct"}).info["factorized"]
    solver.update(2.0 * A)
    again = solver.solve(B, config={"method": "direct"})
    assert again.info["factorized"]
    np.testing.assert_allclose(again.x, first.x / 2.0, rtol=1e-10)


def test_a_singular_matrix_is_a_breakdown_of_the_direct_solve():
    singular = sp.csr_matrix(np.array([[1.0, 1.0], [1.0, 1.0]]))
    res = Solver(singular).solve(np.ones(2), config={"method": "direct"})
    assert res.status == "breakdown" and not res.converged


@pytest.mark.parametrize("config, match", [
    ({"method": "ssr"}, "unknown method"), ({"method": "cg", "omega": 1.2}, "no knob"),
    ({"method": "ssor", "omega": 2.0}, "omega must be in"), ("cg", "a configuration is a dict"),
])
def test_bad_configurations_are_clear_errors(config, match):
    with pytest.raises(ParameterError, match=match):
        Solver(A).solve(B, config=config)


def test_a_configuration_that_cannot_solve_the_matrix_is_refused():
    nonsymmetric = sp.csr_matrix(np.array([[4.0, 1.0], [0.0, 4.0]]))
    with pytest.raises(ParameterError, match="not symmetric"):
        Solver(nonsymmetric).solve(np.ones(2), config={"method": "cg"})


def test_default_configuration_depends_on_the_matrix():
    assert default_config(Solver(A)) == {"method": "direct"}
    assert default_config(Solver(poisson((80, 80)))) == {"method": "ssor", "omega": 1.5}
    big = Solver(poisson((320, 320)))
    assert default_config(big)["method"] == "amg"
    assert next(iter(auto_space(big))) == "amg"          # tried first on a large system
    res = Solver(A).solve(B)
    assert res.converged and res.info["config"] == "direct"


def test_auto_space_for_an_operator_is_plain_cg():
    op = sla.aslinearoperator(A)
    assert auto_space(Solver(op)) == {"cg": {}}


class ScriptedTuner:
    """A tuner that always proposes ``config`` and knows ``best`` at ``cost``."""

    def __init__(self, config, best, cost):
        self.config, self.best_known, self.cost = config, best, cost
        self.told, self.excluded, self.cancelled = [], [], []

    def ask(self, context=None):
        return tuner.Trial(id=len(self.told), arm=0, value=dict(self.config), probability=1.0)

    def tell(self, trial, cost, *, censored=False):
        self.told.append((trial.value, cost, censored))

    def cancel(self, trial):
        self.cancelled.append(trial.value)

    def best(self, context=None, exclude=()):
        if self.best_known["method"] in exclude:
            return None
        return dict(self.best_known), self.cost

    def exclude(self, family):
        self.excluded.append(family)


def test_backstop_abandons_a_slow_configuration_within_its_budget_and_still_converges():
    solver = Solver(poisson((64, 64)))
    b = np.ones(solver.n)
    plain = solver.cg(b)                                  # about 200 iterations
    book = cost_book(solver)
    book.observe("cg", 10, 10.0, 0.0)                     # made slow: 1 s per iteration
    slow = ScriptedTuner({"method": "cg"}, {"method": "ssor", "omega": 1.7}, cost=15.0)
    res = solver.solve(b, tuner=slow, backstop=2.0)
    assert res.converged
    assert np.linalg.norm(b - solver.csr.matrix @ res.x) <= 1e-8 * np.linalg.norm(b)
    assert res.info["abandoned"] == "cg" and res.info["config"] == "cg+ssor(omega=1.7)"
    (value, cost, censored), = slow.told
    assert censored and value == {"method": "cg"} and cost >= 30.0
    assert res.info["abandoned_iterations"] <= 30 < plain.iterations   # 2 x 15 s at 1 s/it


def test_no_backstop_without_a_best_or_with_none():
    solver = Solver(A)
    t = ScriptedTuner({"method": "cg"}, {"method": "cg"}, cost=1e-9)
    assert "abandoned" not in solver.solve(B, tuner=t).info     # best is the config itself
    t = ScriptedTuner({"method": "jacobi"}, {"method": "cg"}, cost=1e-12)
    assert "abandoned" not in solver.solve(B, tuner=t, backstop=None).info


def test_not_spd_under_a_tuner_is_charged_and_the_cg_families_excluded():
    indefinite = sp.diags([np.r_[np.full(50, 2.0), np.full(50, -1.0)]], [0], format="csr") \
        + sp.diags([0.1 * np.ones(99), 0.1 * np.ones(99)], [-1, 1])
    solver = Solver(indefinite)
    b = np.ones(100)
    t = tuner.Tuner(tuner.default_policy({"cg": {}, "direct": {}}, seed=0))
    results = [solver.solve(b, tuner=t) for _ in range(6)]
    assert all(r.converged for r in results)
    assert results[0].info == {**results[0].info, "abandoned": "cg", "config": "direct"}
    assert t.policy.excluded == ("cg",)
    assert all(r.info["config"] == "direct" for r in results)


def test_not_spd_without_a_family_that_applies_says_why():
    indefinite = sla.aslinearoperator(
        sp.diags([np.r_[np.full(5, 2.0), np.full(5, -1.0)]], [0], format="csr"))
    t = tuner.Tuner(tuner.default_policy({"cg": {}}, seed=0))
    with pytest.raises(NotSPDError, match="no method of the tuner's space applies"):
        Solver(indefinite).solve(np.ones(10), tuner=t)


def test_a_tuner_of_numbers_is_refused():
    t = tuner.Tuner(tuner.default_policy([1.2, 1.5], seed=0))
    with pytest.raises(ParameterError, match="configuration space"):
        Solver(A).solve(B, tuner=t)
    assert t.outstanding == ()


def test_model_cost_is_reproducible_and_custom_costs_are_told():
    def run(cost):
        solver = Solver(A)
        t = tuner.Tuner(tuner.default_policy(auto_space(solver), seed=0))
        for k in range(30):
            solver.solve(B * (1 + k), tuner=t, cost=cost, backstop=None)
        return t
    t = run(lambda result, config: 1.0 + result.iterations)
    assert all(r["cost"] == 1.0 + 0 for r in t.history if r["value"]["method"] == "direct")
    a = run("model")
    with pytest.raises(ParameterError, match="cost must be"):
        Solver(A).solve(B, tuner=a, cost="wall")
    with pytest.raises(ParameterError, match="backstop"):
        Solver(A).solve(B, tuner=a, backstop=0.5)


def test_config_and_tuner_together_are_refused():
    t = tuner.Tuner(tuner.default_policy({"cg": {}}, seed=0))
    with pytest.raises(ParameterError, match="not both"):
        Solver(A).solve(B, config={"method": "cg"}, tuner=t)


def test_check_config_fills_defaults():
    assert check_config({"method": "amg"}) == {"method": "amg", "rebuild": 1}


def test_model_cost_is_fixed_once_calibrated():
    from solvers.tuned import CALIBRATION, CostBook
    book = CostBook()
    for k in range(CALIBRATION):
        book.observe("ssor", 10, 1e-3 * (1 + k), 0.0)            # 0.1 .. 0.5 ms per iteration
    book.observe("ssor", 10, 5.0, 0.0)                           # after calibration: ignored
    assert book.model("ssor", 20, 0, seconds=123.0) == pytest.approx(20 * 3e-4)
    book.observe("amg", 4, 2.0, 1.5)
    assert book.model("amg", 4, 1, seconds=9.0) == pytest.approx(4 * 0.125 + 1.5)
    assert book.model("cg", 7, 0, seconds=0.25) == 0.25           # not timed yet: measured


def test_small_fast_solves_keep_a_configuration_for_several_solves_and_tell_the_mean():
    solver = Solver(poisson((6, 6)))
    b = np.ones(solver.n)
    t = tuner.Tuner(tuner.default_policy({"cg": {}, "jacobi": {}}, seed=0))
    results = [solver.solve(b, tuner=t) for _ in range(200)]
    assert all(r.converged for r in results)
    asked = t._next_id
    assert asked < 100                        # most solves rode on a lease
    solver.settle()
    assert t.outstanding == () and len(t.history) == asked
    solver.settle()                           # nothing left: no-op


def test_a_lease_ends_when_the_context_moves_or_the_pattern_changes():
    from solvers.tuned import LEASE_CONTEXT, Lease
    solver = Solver(poisson((6, 6)))
    t = tuner.Tuner(tuner.default_policy({"cg": {}}, bounds=(0.0, 64.0), seed=0))
    trial = t.ask(10.0)
    lease = Lease(solver, t, trial, {"method": "cg"}, 5, 1e-4, 10.0)
    width = 64.0 * LEASE_CONTEXT
    assert lease.serves(solver, t, 10.0 + 0.9 * width)
    assert not lease.serves(solver, t, 10.0 + 1.1 * width)
    assert not lease.serves(solver, tuner.Tuner(t.policy), 10.0)
    solver.update(poisson((7, 7)))
    assert not lease.serves(solver, t, 10.0)


class _Chooses:
    """A tuner that always chooses ``config`` and calls ``best`` the best known."""

    def __init__(self, config, best):
        self.config, self.best_config, self.told = config, best, []

    def ask(self, context=None):
        return types.SimpleNamespace(value=dict(self.config))

    def tell(self, trial, cost, censored=False):
        self.told.append(cost)

    def best(self, context=None, exclude=()):
        return dict(self.best_config), 1.0


@pytest.mark.parametrize("best, leased", [({"method": "cg"}, True),
                                          ({"method": "jacobi"}, False)])
def test_only_the_best_known_configuration_is_kept_on_a_lease(monkeypatch, best, leased):
    import solvers.tuned
    monkeypatch.setattr(solvers.tuned, "LEASE_SHARE", 1e-12)   # every decision worth a lease
    solver = Solver(poisson((6, 6)))
    chooser = _Chooses({"method": "cg"}, best)
    solver.solve(B36, tuner=chooser, backstop=None)
    solver.solve(B36, tuner=chooser, backstop=None)              # a decision was measured
    assert (solver.lease is not None) == leased
    solver.settle()


def test_lease_length_keeps_decisions_a_small_share_of_the_solves():
    from solvers.tuned import LEASE_SHARE, MAX_LEASE, CostBook
    book = CostBook()
    assert book.lease_length(1e-3) == 1                     # nothing measured yet
    book.decision(30e-6, 10e-6)
    assert book.lease_length(10e-3) == 1
    assert book.lease_length(1e-3) == int(np.ceil(40e-6 / (LEASE_SHARE * 1e-3)))
    assert book.lease_length(1e-6) == MAX_LEASE


def test_a_tuner_whose_space_holds_an_unknown_method_is_refused_before_any_solve():
    t = tuner.Tuner(tuner.default_policy({"cg": {}, "ssr": {"omega": [1.2]}}, seed=0))
    with pytest.raises(ParameterError, match="'ssr'"):
        Solver(A).solve(B, tuner=t)
    assert t.outstanding == ()


def test_bad_cost_or_backstop_is_refused_on_a_lease_too():
    solver = Solver(poisson((6, 6)))
    b = np.ones(solver.n)
    t = tuner.Tuner(tuner.default_policy({"cg": {}}, seed=0))
    for _ in range(50):
        solver.solve(b, tuner=t)
    assert solver.lease is not None                      # small solves: a lease is open
    with pytest.raises(ParameterError, match="backstop"):
        solver.solve(b, tuner=t, backstop=1.0)
    with pytest.raises(ParameterError, match="cost must be"):
        solver.solve(b, tuner=t, cost="wall")
