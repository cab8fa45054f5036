"""A tiny synthetic portfolio in the test database (SQLite, and PostgreSQL when configured)."""

import pytest

from benchmarks.portfolio import Portfolio, generate, sweep_now


@pytest.fixture
def portfolio(engine) -> Portfolio:
    """Twelve active cases (and two closed) written to the test database."""
    return generate(engine, cases=12)


@pytest.fixture
def now(portfolio):
    return sweep_now(portfolio.today)
