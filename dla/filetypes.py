"""The file types a case accepts as attachments, told by their content (magic bytes), not names."""

import io
import zipfile
import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    code: str
    name: str  # as people know it
    extensions: tuple[str, ...]
    media_type: str


PDF = FileType("pdf", "PDF", ("pdf",), "application/pdf")
DOCX = FileType(
    "docx",
    "DOCX",
    ("docx",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
ODT = FileType("odt", "ODT", ("odt",), "application/vnd.oasis.opendocument.text")
XLSX = FileType(
    "xlsx", "XLSX", ("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
PNG = FileType("png", "PNG", ("png",), "image/png")
JPEG = FileType("jpeg", "JPEG", ("jpg", "jpeg"), "image/jpeg")
ACCEPTED = (PDF, DOCX, ODT, XLSX, PNG, JPEG)
BY_EXTENSION = {ext: t for t in ACCEPTED for ext in t.extensions}

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
MAX_ZIP_ENTRIES = 10_000  # a document has a few dozen; more is not a document


def names(types: tuple[FileType, ...]) -> str:
    """Return the types' names as a French list ("PDF, DOCX ou PNG")."""
    words = [t.name for t in types]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} ou {words[-1]}"


def extension(filename: str) -> str:
    """Return the lower-case extension of a file name, without the dot ("" when none)."""
    stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and stem else ""


def sniff(content: bytes) -> FileType | None:
    """Return the accepted type the content really is, from its first bytes (None: another)."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return _office(content)
    return None


def _office(content: bytes) -> FileType | None:
    """Tell an OOXML or OpenDocument file from any other ZIP by the entries it must have."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            return None
        by_name = {e.filename: e for e in entries}
        mimetype = by_name.get("mimetype")
        # Only the stored size is trusted to be small: a bomb never gets decompressed.
        small = mimetype is not None and mimetype.file_size <= 100
        if small and archive.read(mimetype).strip() == ODT_MIMETYPE:
            return ODT
    # A damaged, encrypted or oddly compressed archive is simply not a document we accept.
    except (
        zipfile.BadZipFile,
        NotImplementedError,
        RuntimeError,
        ValueError,
        OSError,
        EOFError,
        zlib.error,
    ):
        return None
    if "[Content_Types].xml" in by_name:
        if "word/document.xml" in by_name:
            return DOCX
        if "xl/workbook.xml" in by_name:
            return XLSX
    return None
