"""`dla restore` refuses a damaged, truncated or newer archive and never half-restores."""

import io
import json
import tarfile
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select, text
from sqlmodel import SQLModel
from typer.testing import CliRunner

from dla.backup.run import known_revisions
from dla.cli import app
from dla.db import MIGRATIONS_DIR, make_engine, upgrade
from tests.factories import case_data, save_case

runner = CliRunner()


def dla(place, monkeypatch, *args: str):
    place.env(monkeypatch)
    return runner.invoke(app, list(args), catch_exceptions=False)


def fingerprint(place) -> tuple[dict, dict]:
    """Every row of the place's database and every file under its var/ folder."""
    engine = make_engine(place.url)
    try:
        with engine.connect() as conn:
            rows = {
                t.name: sorted(map(repr, conn.execute(select(t))))
                for t in SQLModel.metadata.sorted_tables
            }
    finally:
        engine.dispose()
    files = {
        str(p.relative_to(place.var)): p.read_bytes()
        for p in sorted(place.var.rglob("*"))
        if p.is_file() and p.suffix not in (".db", ".db-wal", ".db-shm")
    }
    return rows, files


@pytest.fixture
def archive(engine, source, tmp_path, monkeypatch) -> Path:
    save_case(engine, tmp_path, day=date(2024, 1, 5))
    document = source.var / "livrables" / "dla99-2024-01" / "note-v1.html"
    document.parent.mkdir(parents=True)
    document.write_text("<p>Note</p>", encoding="utf-8")
    result = dla(source, monkeypatch, "backup", str(tmp_path / "sauvegarde.tar"))
    assert result.exit_code == 0, result.output
    assert "Sauvegarde écrite et vérifiée" in result.output
    return tmp_path / "sauvegarde.tar"


@pytest.fixture
def filled(target, tmp_path, monkeypatch):
    """The target already holds another case and a document (restored with --force)."""
    engine = make_engine(target.url)
    upgrade(engine)
    save_case(engine, tmp_path, case_data(reference="DLA01-2023-07"), day=date(2023, 7, 3))
    engine.dispose()
    (target.var / "livrables").mkdir(parents=True)
    (target.var / "livrables" / "autre.html").write_text("autre", encoding="utf-8")
    return target


def refused(place, monkeypatch, archive: Path, reason: str) -> None:
    before = fingerprint(place)
    result = dla(place, monkeypatch, "restore", str(archive), "--force")
    assert result.exit_code == 2, result.output
    assert f"Restauration refusée : {reason}" in result.output
    assert "Rien n'a été modifié." in result.output
    assert fingerprint(place) == before


@pytest.mark.parametrize("member", ["base/", "fichiers/livrables/"])
def test_a_flipped_byte_is_refused_and_the_target_is_unchanged(
    archive, filled, monkeypatch, member
):
    with tarfile.open(archive) as tar:
        found = next(m for m in tar.getmembers() if m.name.startswith(member))
    data = bytearray(archive.read_bytes())
    data[found.offset_data + found.size // 2] ^= 0x01
    archive.write_bytes(bytes(data))
    refused(
        filled, monkeypatch, archive, f"archive altérée : la somme de contrôle de '{found.name}'"
    )


def test_a_truncated_archive_is_refused_and_the_target_is_unchanged(archive, filled, monkeypatch):
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    refused(filled, monkeypatch, archive, "archive")
    result = dla(filled, monkeypatch, "restore", str(archive), "--force")
    assert "tronquée" in result.output


def rewrite_manifest(archive: Path, **changes) -> None:
    """Rewrite the archive with its manifest changed (members untouched)."""
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:
        for member, data in members:
            if member.name == "manifest.json":
                data = json.dumps(json.loads(data) | changes).encode()
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data))


def test_an_archive_of_a_newer_schema_is_refused_and_the_target_is_unchanged(
    archive, filled, monkeypatch
):
    rewrite_manifest(archive, schema_revision="9999")
    refused(filled, monkeypatch, archive, "sauvegarde faite par une version plus récente")


def test_a_base_migrated_by_a_newer_version_is_refused_and_the_target_is_unchanged(
    engine, source, tmp_path, filled, monkeypatch
):
    head = known_revisions()[1]
    bump = "UPDATE alembic_version SET version_num = :v"
    with engine.begin() as conn:  # what a newer version's migration leaves behind
        conn.execute(text(bump), {"v": "9999"})
    try:
        result = dla(source, monkeypatch, "backup", str(tmp_path / "plus-recente.tar"))
    finally:  # the PostgreSQL schema is shared by the session's tests
        with engine.begin() as conn:
            conn.execute(text(bump), {"v": head})
    assert result.exit_code == 0, result.output
    refused(filled, monkeypatch, tmp_path / "plus-recente.tar", "sauvegarde faite par une version")


def test_a_manifest_whose_row_counts_differ_from_the_copy_is_refused(archive, filled, monkeypatch):
    with tarfile.open(archive) as tar:
        rows = json.loads(tar.extractfile("manifest.json").read())["rows"]
    rewrite_manifest(archive, rows=rows | {"accompagnement": 2})
    refused(filled, monkeypatch, archive, "nombre de lignes différent du manifeste")


def test_a_target_that_holds_data_is_replaced_only_with_force(archive, filled, monkeypatch):
    before = fingerprint(filled)
    result = dla(filled, monkeypatch, "restore", str(archive))
    assert result.exit_code == 2
    assert "la cible n'est pas vide" in result.output and "--force" in result.output
    assert fingerprint(filled) == before

    result = dla(filled, monkeypatch, "restore", str(archive), "--force")
    assert result.exit_code == 0, result.output
    rows, files = fingerprint(filled)
    assert len(rows["accompagnement"]) == 1 and "DLA99-2024-01" in rows["accompagnement"][0]
    assert files == {"livrables/dla99-2024-01/note-v1.html": b"<p>Note</p>"}


def test_an_archive_of_an_older_schema_is_brought_to_the_current_one(
    engine, source, target, tmp_path, monkeypatch
):
    known, head = known_revisions()
    older = sorted(known)[-2]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, older)
    try:
        result = dla(source, monkeypatch, "backup", str(tmp_path / "ancienne.tar"))
    finally:  # the PostgreSQL schema is shared by the session's tests
        upgrade(engine)
    assert result.exit_code == 0, result.output
    result = dla(target, monkeypatch, "restore", str(tmp_path / "ancienne.tar"))
    assert result.exit_code == 0, result.output
    assert f"Schéma mis à jour de {older} à {head}." in result.output
    restored = make_engine(target.url)
    with restored.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
    restored.dispose()
