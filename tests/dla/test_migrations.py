"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table)


def test_the_migrated_database_matches_the_models(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_moving_roles_to_cases_gives_each_case_the_roles_its_own_file_declares(tmp_path):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from dla.db import MIGRATIONS_DIR, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))

    def migrate(target: str, *statements: str) -> None:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, target)
            for statement in statements:
                connection.execute(text(statement))

    case = (
        "INSERT INTO accompagnement (id, reference, title, departement, perimeter, origin, "
        "started_on, dla_host_id, coordinator_id, status, document, created_at, updated_at) "
        "VALUES ({id}, '{ref}', 't', '38', 'p', 'collectif', '2024-01-08', 1, 1, "
        "'en_cours', '{doc}', '2024-01-05 08:00:00', '2024-01-05 08:00:00')"
    )
    # Case 1's file makes the person its presidency; a later file (the attack) made them
    # "autre" at the consultancy, globally. Case 2 has no stored file.
    doc = (
        '{"contacts": [{"email": "coordination@dla.example.org", "role": "coordination_dla", '
        '"organisation": "dla"}, {"email": "pres@aci.example.org", "role": "presidence", '
        '"organisation": "aci", "resume_seul": true}]}'
    )
    migrate(
        "0003",
        "INSERT INTO organisation (id, key, name, kind, networks) VALUES "
        "(1, 'dla', 'DLA', 'porteur_dla', '[]'), (2, 'aci', 'ACI', 'siae', '[]'), "
        "(3, 'cabinet', 'Cabinet', 'prestataire', '[]')",
        "INSERT INTO contact (id, email, role, organisation_id, digest_only) VALUES "
        "(1, 'coordination@dla.example.org', 'coordination_dla', 1, 0), "
        "(2, 'pres@aci.example.org', 'autre', 3, 0), "
        "(3, 'conseil@cabinet.example.org', 'consultant', 3, 0)",
        case.format(id=1, ref="DLA38-2024-01", doc=doc),
        case.format(id=2, ref="DLA38-2024-02", doc="{}"),
        "INSERT INTO casemember (case_id, organisation_id, role) VALUES "
        "(1, 2, 'porteur'), (2, 3, 'prestataire')",
    )
    migrate("head")

    with engine.connect() as connection:
        parts = connection.execute(
            text(
                "SELECT case_id, contact_id, organisation_id, role, digest_only "
                "FROM casecontact ORDER BY case_id, contact_id"
            )
        ).all()
        columns = [row[1] for row in connection.execute(text("PRAGMA table_info(contact)"))]
        orphans = connection.execute(text("PRAGMA foreign_key_check")).all()
    engine.dispose()
    assert [tuple(p) for p in parts] == [
        (1, 1, 1, "coordination_dla", 0),
        (1, 2, 2, "presidence", 1),
        # No file: the people of its member organisations and its coordinator, as read before.
        (2, 1, 1, "coordination_dla", 0),
        (2, 2, 3, "autre", 0),
        (2, 3, 3, "consultant", 0),
    ]
    assert sorted(columns) == ["email", "id", "name", "phone"] and orphans == []
