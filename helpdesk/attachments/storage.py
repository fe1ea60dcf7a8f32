"""Where attachment files live: ``ATTACHMENTS_DIR/<2 hex>/<random key>``, never under the
sender's name, so no name can climb out of the folder or overwrite another file.

A file is written before its row commits. Each file written in a unit of work is noted on
the session; if the unit of work rolls back, the files are deleted (``forget_written``),
and on commit the note is dropped (``keep_written``): a failed upload leaves nothing.
"""

import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from helpdesk.extensions import db

log = logging.getLogger(__name__)

_WRITTEN_KEY = "attachment_files_written"
_CHUNK = 64 * 1024
THUMBNAIL_SUFFIX = ".thumb"


class TooLarge(Exception):
    """The upload is larger than the limit; nothing of it was kept."""


@dataclass
class StoredFile:
    key: str
    path: Path
    size: int
    sha256: str


def root() -> Path:
    return Path(current_app.config["ATTACHMENTS_DIR"])


def path_for(key: str) -> Path:
    return root() / key[:2] / key


def thumbnail_path_for(key: str) -> Path:
    return path_for(key).with_name(key + THUMBNAIL_SUFFIX)


def save_stream(stream: BinaryIO, max_bytes: int) -> StoredFile:
    """Copy ``stream`` to a new file under a random name, hashing as it goes; past
    ``max_bytes`` the partial file is deleted and TooLarge raised."""
    key = secrets.token_hex(20)
    path = path_for(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    note_written(path)
    with path.open("xb") as out:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                break
            digest.update(chunk)
            out.write(chunk)
    if size > max_bytes:
        delete(path)
        raise TooLarge
    return StoredFile(key=key, path=path, size=size, sha256=digest.hexdigest())


def note_written(path: Path) -> None:
    """``path`` belongs to the current unit of work: deleted if it rolls back."""
    db.session.info.setdefault(_WRITTEN_KEY, []).append(path)


def delete(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError:
        log.exception("could not delete attachment file %s", path)


def delete_files(key: str) -> None:
    delete(path_for(key))
    delete(thumbnail_path_for(key))


def forget_written(*_args, **_kwargs) -> None:
    """The transaction rolled back: its files go too (receiver of unit-of-work-rolled-back)."""
    for path in db.session.info.pop(_WRITTEN_KEY, []):
        delete(path)


def keep_written(*_args, **_kwargs) -> None:
    """The transaction committed: its files are the committed rows' (unit-of-work-committed)."""
    db.session.info.pop(_WRITTEN_KEY, None)
