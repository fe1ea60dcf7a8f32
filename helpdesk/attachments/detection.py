"""What a file is, decided from its bytes: the name and the browser's Content-Type are the
sender's word, and a renamed program must not reach a colleague's phone as a "photo"."""

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import filetype

#: types accepted, by the bytes' signature (``filetype``)
SIGNATURE_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "image/heif": ".heif",
    "application/pdf": ".pdf",
}
#: office documents: zip containers, told apart by what they say inside
OFFICE_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
}
#: the main part's type in [Content_Types].xml → the document's type (macro-enabled
#: documents, .docm and .xlsm, have other main types and are refused)
_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
}
TEXT_TYPES = {"text/plain": ".txt", "text/csv": ".csv"}
EXTENSIONS = SIGNATURE_TYPES | OFFICE_TYPES | TEXT_TYPES
#: what the file picker offers (a hint for the phone; the server decides from the bytes)
ACCEPT = ",".join(
    ["image/*", "application/pdf", "text/plain", "text/csv", ".txt", ".csv", *OFFICE_TYPES.values()]
)
#: what people are told they may send
ACCEPTED_WORDS = "photos (JPEG, PNG, WebP, HEIC), PDF, text or CSV, Word, Excel or OpenDocument"

_ZIP_SIGNATURE = b"PK\x03\x04"
_CONTENT_TYPES_LIMIT = 1024 * 1024  # an honest [Content_Types].xml is a few KB
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# Control bytes no text file holds (tab, newline, form feed and return are allowed).
_NOT_TEXT = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def detect(path: Path, name: str) -> str | None:
    """The accepted MIME type of the file at ``path``, or None (refused). ``name`` only
    chooses between plain text and CSV, two kinds of the same harmless text."""
    with path.open("rb") as file:
        head = file.read(8192)
    if head.startswith(_ZIP_SIGNATURE):
        return _office_type(path)
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime if kind.mime in SIGNATURE_TYPES else None
    if _is_utf8_text(path):
        return "text/csv" if name.lower().endswith(".csv") else "text/plain"
    return None


def _office_type(path: Path) -> str | None:
    """A zip is accepted only as one of the office documents, by its own declaration:
    ``mimetype`` (OpenDocument) or the main part of ``[Content_Types].xml`` (OOXML)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    declared = member.read(200).decode("ascii", "replace").strip()
                return declared if declared in OFFICE_TYPES else None
            if "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as member:
                    xml = member.read(_CONTENT_TYPES_LIMIT)
                return _ooxml_type(xml)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        return None
    return None


def _ooxml_type(xml: bytes) -> str | None:
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return None
    for override in root.iter(f"{_CONTENT_TYPES_NS}Override"):
        found = _OOXML_MAIN_PARTS.get(override.get("ContentType", ""))
        if found:
            return found
    return None


def _is_utf8_text(path: Path) -> bool:
    """UTF-8 (a BOM allowed) without NUL or other control bytes: text any phone shows."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(data) and _NOT_TEXT.search(data) is None
