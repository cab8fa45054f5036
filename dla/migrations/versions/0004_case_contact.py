"""a contact's role, organisation and digest choice belong to each case (casecontact)

Revision ID: 0004
Revises: 0003

A role held in one case must not follow the person into another: the three columns move from
`contact` to one row per (case, contact). Each case gets the contacts its stored case file
declares, with the role, organisation and digest choice declared there; a case without a stored
file keeps what it used to read (the contacts of its member organisations and its coordinator).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ROLES = (
    "presidence",
    "direction",
    "administration",
    "coordination_dla",
    "consultant",
    "referent",
    "salarie",
    "autre",
)
# The type exists already on PostgreSQL (contact.role): reuse it.
ROLE = sa.Enum(*ROLES, name="contactrole").with_variant(
    postgresql.ENUM(*ROLES, name="contactrole", create_type=False), "postgresql"
)
BATCH = 1000


def upgrade() -> None:
    op.create_table(
        "casecontact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", ROLE, nullable=False),
        sa.Column("digest_only", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["accompagnement.id"]),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "contact_id"),
    )
    for column in ("case_id", "contact_id", "organisation_id"):
        op.create_index(f"ix_casecontact_{column}", "casecontact", [column])
    _move_roles(op.get_bind())
    op.drop_index("ix_contact_organisation_id", table_name="contact")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_contact_on_sqlite()
    else:
        for column in ("organisation_id", "role", "digest_only"):
            op.drop_column("contact", column)


def _rebuild_contact_on_sqlite() -> None:
    """Rebuild `contact` without the moved columns, the cases still pointing at its rows.

    SQLite cannot drop a column a foreign key names, and Alembic's batch copy fails on the
    rows that point at `contact`: its foreign keys are deferred to the commit instead, and
    putting the same ids back settles them (a lost row would still fail the commit).
    """
    op.execute("CREATE TABLE _contact_hold (id INTEGER, email VARCHAR(254), name VARCHAR(200))")
    # A DML statement first: it opens the transaction the pragma below lasts for.
    op.execute("INSERT INTO _contact_hold (id, email, name) SELECT id, email, name FROM contact")
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.drop_index("ix_contact_email", table_name="contact")
    op.drop_table("contact")
    op.create_table(
        "contact",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO contact (id, email, name) SELECT id, email, name FROM _contact_hold")
    op.drop_table("_contact_hold")
    op.create_index("ix_contact_email", "contact", ["email"], unique=True)


def _move_roles(bind) -> None:
    """Write each case's contacts from its case file, else from what it read before."""
    contact = sa.table(
        "contact",
        sa.column("id"),
        sa.column("email"),
        sa.column("role"),
        sa.column("organisation_id"),
        sa.column("digest_only"),
    )
    people = {row.email.lower(): row for row in bind.execute(sa.select(contact))}
    by_id = {row.id: row for row in people.values()}
    orgs = dict(bind.execute(sa.text("SELECT key, id FROM organisation")).tuples().all())
    by_org: dict[int, list] = {}
    for row in people.values():
        by_org.setdefault(row.organisation_id, []).append(row)
    members: dict[int, list[int]] = {}
    for case_id, org_id in bind.execute(sa.text("SELECT case_id, organisation_id FROM casemember")):
        members.setdefault(case_id, []).append(org_id)
    target = sa.table(
        "casecontact",
        *(sa.column(c) for c in ("case_id", "contact_id", "organisation_id", "role")),
        sa.column("digest_only"),
    )
    cases = sa.table(
        "accompagnement",
        sa.column("id"),
        sa.column("coordinator_id"),
        sa.column("document", sa.JSON()),
    )
    rows: list[dict] = []
    query = sa.select(cases.c.id, cases.c.coordinator_id, cases.c.document)
    for case_id, coordinator_id, doc in bind.execute(query.order_by(cases.c.id)):
        chosen: dict[int, dict] = {}
        for entry in (doc or {}).get("contacts") or []:
            person = people.get(str(entry.get("email", "")).lower())
            org_id = orgs.get(entry.get("organisation"))
            if person is not None and org_id is not None and entry.get("role") in ROLES:
                chosen.setdefault(
                    person.id,
                    {
                        "organisation_id": org_id,
                        "role": entry["role"],
                        "digest_only": bool(entry.get("resume_seul", False)),
                    },
                )
        if not chosen:  # no stored file: the contacts it used to reach
            for org_id in members.get(case_id, []):
                for person in by_org.get(org_id, []):
                    chosen.setdefault(person.id, _as_before(person))
        if coordinator_id in by_id:
            chosen.setdefault(coordinator_id, _as_before(by_id[coordinator_id]))
        rows += [{"case_id": case_id, "contact_id": k, **v} for k, v in chosen.items()]
        if len(rows) >= BATCH:
            bind.execute(sa.insert(target), rows)
            rows = []
    if rows:
        bind.execute(sa.insert(target), rows)


def _as_before(person) -> dict:
    return {
        "organisation_id": person.organisation_id,
        "role": person.role,
        "digest_only": bool(person.digest_only),
    }


def downgrade() -> None:
    """Give each person back one role: the one of the first case they joined."""
    op.add_column("contact", sa.Column("organisation_id", sa.Integer(), nullable=True))
    op.add_column("contact", sa.Column("role", ROLE, nullable=True))
    op.add_column(
        "contact",
        sa.Column("digest_only", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    for column in ("organisation_id", "role", "digest_only"):
        op.execute(
            f"UPDATE contact SET {column} = (SELECT c.{column} FROM casecontact c "
            "WHERE c.contact_id = contact.id ORDER BY c.id LIMIT 1) "
            "WHERE EXISTS (SELECT 1 FROM casecontact c WHERE c.contact_id = contact.id)"
        )
    op.create_index("ix_contact_organisation_id", "contact", ["organisation_id"])
    if op.get_bind().dialect.name == "postgresql":  # SQLite cannot tighten a column in place
        op.alter_column("contact", "organisation_id", nullable=False)
        op.alter_column("contact", "role", nullable=False)
        op.alter_column("contact", "digest_only", server_default=None)
        op.create_foreign_key(
            "contact_organisation_id_fkey", "contact", "organisation", ["organisation_id"], ["id"]
        )
    op.drop_table("casecontact")
