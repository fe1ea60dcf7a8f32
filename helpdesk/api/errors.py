"""The contract's error shape for every failure under /api/v1, including Flask's own."""

from contextlib import suppress

import sqlalchemy as sa
from flask import Flask, Response, jsonify, make_response, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from helpdesk.errors import DomainError
from helpdesk.i18n.errors import error_message

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    503: "service_unavailable",
}
#: seconds a client should wait before retrying while the database is unreachable (a
#: PostgreSQL restart or fail-over takes a few)
DATABASE_RETRY_AFTER = 5


class ApiError(DomainError):
    def __init__(self, status: int, message: str, fields=None, code: str | None = None):
        super().__init__(message, fields)
        self.status = status
        self.code = code or CODES.get(status, "error")


#: an error names at most this many fields; a body with 50,000 unknown keys gets a short
#: answer, not one the size of the body
MAX_ERROR_FIELDS = 20


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    fields = fields or {}
    error = {"code": code, "message": message, "fields": fields}
    if len(fields) > MAX_ERROR_FIELDS:
        error["fields"] = dict(list(fields.items())[:MAX_ERROR_FIELDS])
        error["fields_omitted"] = len(fields) - MAX_ERROR_FIELDS
        error["message"] = (
            f"{message} ({len(fields)} problems; the first {MAX_ERROR_FIELDS} are named.)"
        )
    return jsonify({"error": error}), status


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    """API paths answer JSON errors; web paths answer friendly HTML pages."""
    from helpdesk.templating import render_error_page

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if is_api_request():
            return error_response(exc.status, exc.code, exc.message, exc.fields)
        return render_error_page(exc.status, error_message(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        if not is_api_request():
            if status < 400:  # redirects such as a missing trailing slash
                return exc
            if isinstance(exc, CSRFError):
                return render_error_page(
                    400,
                    gettext("The form had expired. Go back, reload the page and send it again."),
                )
            page = render_error_page(status, exc.description if status in (400, 429) else None)
            return _with_headers_of(exc, make_response(page))
        message = exc.description if status != 404 else "No such resource."
        return _with_headers_of(
            exc, make_response(error_response(status, CODES.get(status, "error"), message))
        )

    @app.errorhandler(sa.exc.DBAPIError)
    @app.errorhandler(sa.exc.TimeoutError)
    def database_unavailable(exc: Exception):
        """SQLite's one writer held too long ("database is locked"), the database gone away
        (restart, fail-over, network) or every pooled connection busy: a 503 the client may
        retry after Retry-After seconds, not a 500. The pool's pre-ping replaces dead
        connections, so the next request works once the database is back."""
        busy = "database is locked" in str(getattr(exc, "orig", exc))
        if not busy and not is_unavailable(exc):
            return unexpected(exc)
        app.logger.warning(
            "database %s on %s %s: %s",
            "busy" if busy else "unavailable",
            request.method,
            request.path,
            _first_line(exc),
        )
        from helpdesk.extensions import db

        with suppress(Exception):  # the session may hold a broken connection
            db.session.rollback()
        if busy:
            code, message = "busy", "The helpdesk is busy; try again in a few seconds."
        else:
            code = CODES[503]
            message = "The database is unavailable for a moment. Try again in a few seconds."
        if is_api_request():
            response = make_response(error_response(503, code, message))
        else:
            response = make_response(render_error_page(503, message))
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if is_api_request():
            return error_response(500, "internal_error", "Something went wrong on our side.")
        return render_error_page(500)


def _with_headers_of(exc: HTTPException, response: Response) -> Response:
    """The headers werkzeug's exception carries (``Allow`` on a 405, ``WWW-Authenticate``,
    ``Retry-After``), kept on the answer that replaces its own body."""
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def is_unavailable(exc: Exception) -> bool:
    """A database error that says nothing about the request: a lost or refused connection
    (OperationalError, or a connection SQLAlchemy invalidated) or an exhausted pool."""
    if isinstance(exc, sa.exc.TimeoutError | sa.exc.OperationalError):
        return True
    return isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated


def _first_line(exc: Exception) -> str:
    return (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]
