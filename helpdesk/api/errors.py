"""The contract's error shape for every failure under /api/v1, including Flask's own."""

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from helpdesk.errors import DomainError

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
    """API paths answer JSON errors; web paths keep Flask's HTML pages."""

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if is_api_request():
            return error_response(exc.status, exc.code, exc.message, exc.fields)
        return exc.message, exc.status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if not is_api_request():
            return exc
        status = exc.code or 500
        message = exc.description if status != 404 else "No such resource."
        return error_response(status, CODES.get(status, "error"), message)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if is_api_request():
            return error_response(500, "internal_error", "Something went wrong on our side.")
        return "Something went wrong on our side.", 500
