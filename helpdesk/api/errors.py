"""The contract's error shape for every failure under /api/v1, including Flask's own."""

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
}


class ApiError(DomainError):
    def __init__(self, status: int, message: str, fields=None, code: str | None = None):
        super().__init__(message, fields)
        self.status = status
        self.code = code or CODES.get(status, "error")


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


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
