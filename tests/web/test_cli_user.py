"""`dla user`: accounts made, listed, disabled, assigned from the command line."""

import re

from sqlmodel import Session
from typer.testing import CliRunner

from dla.cli import app
from dla.users import find_user, verify_password
from tests.factories import save_case

runner = CliRunner()


def test_an_account_is_created_with_a_password_shown_once_and_stored_hashed(dla_env, engine):
    made = runner.invoke(
        app,
        [
            "user",
            "add",
            "Marie@Example.org",
            "--name",
            "Marie",
            "--role",
            "admin",
            "--generate-password",
        ],
    )
    assert made.exit_code == 0, made.output
    password = re.search(r"une seule fois\) : (\S+)", made.output).group(1)
    with Session(engine) as session:
        user = find_user("marie@example.org", session=session)
        assert user.password_hash.startswith("$argon2id$") and password not in user.password_hash
        assert verify_password(password, user.password_hash)
    again = runner.invoke(
        app,
        ["user", "add", "marie@example.org", "--name", "M", "--role", "admin", "--generate-password",
         "--if-absent"],
    )  # fmt: skip
    assert again.exit_code == 0 and "une seule fois" not in again.output


def test_bad_accounts_are_refused_with_a_french_message(dla_env):
    bad_role = runner.invoke(app, ["user", "add", "a@b.org", "--name", "A", "--role", "chef"])
    assert bad_role.exit_code == 2 and "--role" in bad_role.output
    no_zone = runner.invoke(
        app,
        ["user", "add", "a@b.org", "--name", "A", "--role", "coordination", "--generate-password"],
    )
    assert no_zone.exit_code == 2 and "département" in no_zone.output
    bad_zone = runner.invoke(
        app,
        ["user", "add", "a@b.org", "--name", "A", "--role", "coordination", "--department",
         "99", "--generate-password"],
    )  # fmt: skip
    assert bad_zone.exit_code == 2 and "99" in bad_zone.output


def test_list_disable_and_assign(dla_env, engine, tmp_path):
    save_case(engine, tmp_path)
    runner.invoke(app, ["user", "add", "c@b.org", "--name", "C", "--role", "charge_mission",
                        "--generate-password"])  # fmt: skip
    assigned = runner.invoke(app, ["user", "assign", "c@b.org", "DLA99-2024-01"])
    assert assigned.exit_code == 0, assigned.output
    assert runner.invoke(app, ["user", "disable", "c@b.org"]).exit_code == 0
    listed = runner.invoke(app, ["user", "list"])
    assert "c@b.org\tC\tcharge_mission\tdésactivé" in listed.output
    assert runner.invoke(app, ["user", "disable", "nobody@b.org"]).exit_code == 1
