"""A tiny synthetic portfolio in the test database (SQLite, and PostgreSQL when configured)."""

import copy

import pytest

from benchmarks.portfolio import Portfolio, generate, sweep_now


@pytest.fixture
def portfolio(engine, snapshots) -> Portfolio:
    """Twelve active cases (and two closed) written to the test database (a copy after the first)."""
    built = snapshots.build_or_copy(engine, "portfolio", lambda: generate(engine, cases=12))
    return copy.deepcopy(built)  # each test its own figures


@pytest.fixture
def now(portfolio):
    return sweep_now(portfolio.today)
