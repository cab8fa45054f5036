"""Desk passwords: argon2id at the cost the settings give, production defaults untouched."""

import argon2
import pytest

from dla.settings import Settings, get_settings
from dla.users import hash_password, verify_password


@pytest.fixture
def cost(monkeypatch):
    """Set the argon2 cost through the settings for one test."""

    def set_cost(time_cost: int, memory_cost: int) -> None:
        monkeypatch.setenv("DLA_PASSWORD_TIME_COST", str(time_cost))
        monkeypatch.setenv("DLA_PASSWORD_MEMORY_COST", str(memory_cost))
        get_settings.cache_clear()

    yield set_cost
    get_settings.cache_clear()


def test_the_password_cost_defaults_to_argon2s_own():
    fields = Settings.model_fields

    assert fields["password_time_cost"].default == argon2.DEFAULT_TIME_COST
    assert fields["password_memory_cost"].default == argon2.DEFAULT_MEMORY_COST


def test_a_password_is_hashed_with_argon2id_at_the_cost_the_settings_give(cost):
    cost(2, 128)

    stored = hash_password("un mot de passe assez long")

    assert stored.startswith("$argon2id$") and "$m=128,t=2,p=4$" in stored
    assert verify_password("un mot de passe assez long", stored)
    assert not verify_password("un autre mot de passe", stored)


def test_a_hash_made_at_another_cost_still_verifies(cost):
    cost(2, 128)
    stored = hash_password("un mot de passe assez long")

    cost(1, 64)

    assert verify_password("un mot de passe assez long", stored)
