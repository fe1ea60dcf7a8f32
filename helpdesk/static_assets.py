"""Pages and files travel compressed, and static files are cached for a year.

BRC staff open the portal on phones over 2G/3G (DOMAIN.md), so every byte counts:

- Pages, JSON and CSV go out compressed by Flask-Compress, brotli or gzip as the browser
  takes it (``COMPRESS_*`` in config.py), per request: they differ per person.
- ``url_for('static', ...)`` adds ``?v=<hash of the file>``: a changed file gets a new URL,
  so a versioned URL is cached for a year (``immutable``) and never goes stale.
- A versioned CSS or JS file is compressed here once per encoding at the strongest level
  (brotli 11, gzip 9) and kept in memory; Flask-Compress leaves an encoded answer alone.
"""

import gzip
import hashlib
import os
from functools import lru_cache

import brotli
from flask import Flask, Response, request

#: how long a browser keeps a versioned static file
STATIC_MAX_AGE = 365 * 24 * 3600
#: what is worth compressing (images and fonts are compressed already)
COMPRESSIBLE = ("text/css", "text/javascript", "application/javascript", "application/json")


@lru_cache(maxsize=512)
def _file_hash(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(65536), b""):
            digest.update(chunk)
    return digest.hexdigest()[:12]


def static_version(app: Flask, filename: str) -> str | None:
    """A short hash of the static file's content (None when there is no such file)."""
    path = os.path.join(app.static_folder or "", filename)
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _file_hash(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _compressed(data: bytes, encoding: str) -> bytes:
    """``data`` compressed once per encoding (keyed by the bytes, so an edited file is new)."""
    if encoding == "br":
        return brotli.compress(data, quality=11, mode=brotli.MODE_TEXT)
    return gzip.compress(data, compresslevel=9, mtime=0)


def _accepted_encoding() -> str | None:
    accepted = {
        part.split(";")[0].strip() for part in request.headers.get("Accept-Encoding", "").split(",")
    }
    if "br" in accepted:
        return "br"
    if "gzip" in accepted:
        return "gzip"
    return None


def register_static_assets(app: Flask) -> None:
    """Version static URLs; compress and long-cache versioned files. Call after
    Flask-Compress's ``init_app`` so this runs first (after_request runs in reverse)."""

    @app.url_defaults
    def add_static_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = static_version(app, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def serve_versioned_static(response: Response) -> Response:
        if request.endpoint != "static" or not request.args.get("v"):
            return response
        if response.status_code not in (200, 304):
            return response
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = STATIC_MAX_AGE
        response.cache_control.immutable = True
        # The URL changes with the content, so nothing revalidates it and no cookie changes
        # it: no validators, no Vary: Cookie, nothing else a script or style never uses
        # (each header is bytes on a 2G link).
        response.headers["Vary"] = "Accept-Encoding"
        for header in ("ETag", "Last-Modified", "Accept-Ranges", "Content-Disposition"):
            response.headers.pop(header, None)
        encoding = _accepted_encoding()
        if response.status_code == 200 and response.mimetype in COMPRESSIBLE and encoding:
            response.direct_passthrough = False
            response.set_data(_compressed(response.get_data(), encoding))
            response.headers["Content-Encoding"] = encoding
        return response
