"""Uploaded files: checked by their content, stored outside the web root under instance/.

Files are stored under a random name; the original name and type are kept in the database
and only sent back with ``Content-Disposition: attachment`` after a permission check.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from flask_babel import lazy_gettext as _l

from .errors import DomainError, Invalid

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024

# Office Open XML files are ZIP archives; the main part tells which application made them.
_OOXML = {
    "word/document.xml": (
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xl/workbook.xml": (
        ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "ppt/presentation.xml": (
        ".pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
}
_TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv", ".md": "text/markdown"}


@dataclass(frozen=True)
class Sniffed:
    extension: str
    content_type: str


def sniff(data: bytes, filename: str) -> Sniffed:
    """Tell the file's real type from its bytes; refuse anything not on the allow-list."""
    ext = Path(filename).suffix.lower()
    if data.startswith(b"%PDF-"):
        return Sniffed(".pdf", "application/pdf")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(".png", "image/png")
    if data.startswith(b"\xff\xd8\xff"):
        return Sniffed(".jpg", "image/jpeg")
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as exc:
            raise Invalid(errors={"file": _l("The file is a damaged archive.")}) from exc
        if "[Content_Types].xml" in names:
            for part, found in _OOXML.items():
                if part in names:
                    return Sniffed(*found)
        raise Invalid(
            errors={
                "file": _l("ZIP archives are accepted only as Word, Excel or PowerPoint files.")
            }
        )
    if ext in _TEXT_TYPES and b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Invalid(errors={"file": _l("Text files must be UTF-8.")}) from exc
        return Sniffed(ext, _TEXT_TYPES[ext])
    raise Invalid(
        errors={
            "file": _l(
                "Accepted evidence: PDF, Word, Excel, PowerPoint, PNG, JPEG, "
                "or UTF-8 text (.txt, .csv, .md)."
            )
        }
    )


class StorageUnavailable(DomainError):
    """The file store cannot take the file (full, read-only, missing): nothing was kept."""

    status = 503
    title = "Service unavailable"


def save(root: Path, data: bytes) -> str:
    """Write atomically (temp file, fsync, rename): a failure leaves nothing half-written."""
    name = secrets.token_hex(16)
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=root, prefix=".upload-")
    except OSError as exc:
        raise _unavailable(exc) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, root / name)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _unavailable(exc) from exc
        raise
    return name


def _unavailable(exc: OSError) -> StorageUnavailable:
    logging.getLogger(__name__).error("evidence storage failed: %s", exc)
    return StorageUnavailable(
        _l(
            "The file could not be stored (the file store is full or not writable). "
            "Nothing was saved; try again later."
        )
    )


@dataclass(frozen=True)
class Stored:
    file: str  # our random name under the root
    name: str  # the name to download it by
    content_type: str
    size: int


def accept(root: Path, filename: str, data: bytes) -> Stored:
    """Check an uploaded evidence file (not empty, not too large, an allowed type by its
    content) and store it. Call ``discard`` if the database change around it fails."""
    if not data:
        raise Invalid(errors={"file": _l("The file is empty.")})
    if len(data) > MAX_EVIDENCE_BYTES:
        raise Invalid(
            errors={
                "file": _l(
                    "The file is larger than %(mb)s MB.", mb=MAX_EVIDENCE_BYTES // (1024 * 1024)
                )
            }
        )
    kind = sniff(data, filename)
    name = Path(filename).name[:200] or "evidence"
    if not name.lower().endswith(kind.extension):
        name += kind.extension
    return Stored(save(root, data), name, kind.content_type, len(data))


def discard(root: Path, stored: Stored) -> None:
    path_of(root, stored.file).unlink(missing_ok=True)


def path_of(root: Path, name: str) -> Path:
    """The stored file; names are ours (hex), so anything else is refused."""
    if not name or not all(c in "0123456789abcdef" for c in name):
        raise Invalid(errors={"file": _l("Unknown file.")})
    return root / name
