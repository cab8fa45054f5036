"""No reference, kind or file name may lead a write outside var/livrables or a read outside var/cas."""

import os
from pathlib import Path

import pytest

from dla.casefile.problems import CaseFileError
from dla.deliverables.kinds import DeliverableError
from dla.deliverables.store import record_manifest, relative_path, slug, write_file
from dla.opening import case_file_path
from tests.factories import write_case

HOSTILE_NAMES = [
    "../../etc",
    "..",
    ".",
    "DLA38/2006-01",
    "DLA38\\2006-01",
    "/etc/passwd",
    "DLA38\x002006",
    "DLA38\n2006",
    "D" * 81,
    "",
    ".cache",
    "synthese.html",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_name_that_is_not_a_plain_word_is_refused_not_cleaned(name):
    with pytest.raises(DeliverableError, match="nom de dossier ou de fichier refusé"):
        slug(name)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_case_reference_or_kind_never_becomes_a_path(name):
    with pytest.raises(DeliverableError):
        relative_path(name, "note_diagnostic", 1, "html")
    with pytest.raises(DeliverableError):
        relative_path("DLA38-2006-01", name, 1, "html")


def test_references_kinds_and_formats_make_lower_case_names():
    assert relative_path("DLA2A-2024-01", "plan_accompagnement", 2, "pdf") == (
        "livrables/dla2a-2024-01/plan-accompagnement-v2.pdf"
    )


def test_a_manifest_of_a_hostile_owner_is_not_written(tmp_path):
    with pytest.raises(DeliverableError):
        record_manifest(tmp_path, "../..", {"html": []})

    assert list(tmp_path.rglob("*")) == []


def test_a_symlink_inside_the_deliverables_folder_cannot_lead_a_write_outside(tmp_path):
    outside = tmp_path / "ailleurs"
    outside.mkdir()
    (tmp_path / "var" / "livrables").mkdir(parents=True)
    os.symlink(outside, tmp_path / "var" / "livrables" / "dla38-2006-01")

    with pytest.raises(DeliverableError, match="chemin de livrable refusé"):
        write_file(tmp_path / "var", "livrables/dla38-2006-01/note-v1.html", b"x")

    assert list(outside.iterdir()) == []


@pytest.mark.parametrize(
    "name",
    [
        "../cas.yaml",
        "../../etc/passwd",
        "/etc/passwd",
        "sous/cas.yaml",
        "sous\\cas.yaml",
        "cas.yaml\x00.txt",
        "cas\n.yaml",
        "c" * 300 + ".yaml",
        "é" * 190 + ".yaml",  # under 200 characters, over 255 bytes
        "cas.txt",
        "",
    ],
)
def test_a_case_file_name_leading_outside_the_cases_folder_is_refused(tmp_path, name):
    folder = tmp_path / "cas"
    folder.mkdir()
    write_case(tmp_path, name="cas.yaml")  # a real file one level up

    with pytest.raises(CaseFileError) as refused:
        case_file_path(name, folder)

    assert refused.value.problems[0].path == "fichier"
    assert "nom de fichier de cas attendu" in refused.value.problems[0].message


def test_a_symlink_in_the_cases_folder_cannot_open_a_file_outside(tmp_path: Path):
    folder = tmp_path / "cas"
    folder.mkdir()
    os.symlink(write_case(tmp_path, name="secret.yaml"), folder / "lien.yaml")

    with pytest.raises(CaseFileError, match="nom de fichier de cas attendu"):
        case_file_path("lien.yaml", folder)
