"""Fixtures of the solver tests; the shared case lists live in ``solver_cases.py``."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    """A seeded generator, fresh for every test (results do not depend on test order)."""
    return np.random.default_rng(20240611)
