"""Request parsing and the OpenAPI description, both driven by the same declarations.

``@endpoint(body=SomeModel, ...)`` parses and validates the JSON body (415, 400, 422 in the
contract's shape) and records the operation; ``openapi_document()`` walks the app's URL map
and those records, so the served description is generated from the code.
"""

import re
from collections.abc import Callable
from functools import wraps

from flask import Flask, g, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import BadRequest

from helpdesk.api.auth import api_user
from helpdesk.api.errors import CODES, ApiError
from helpdesk.errors import field_errors_from_pydantic
from helpdesk.validation import MAX_ID

OPERATIONS: dict[str, dict] = {}  # view function qualified name → its declaration
#: ``<id:ticket_id>`` → converter "id", name "ticket_id"; ``<name>`` → no converter
_PATH_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def endpoint(
    *,
    summary: str,
    body: type[BaseModel] | None = None,
    query: dict[str, str] | None = None,
    responses: dict[int, str] | None = None,
    response_models: dict[int, type[BaseModel]] | None = None,
    auth: bool = True,
    roles: tuple[str, ...] | None = None,
    tag: str = "helpdesk",
    guard: Callable[[], None] | None = None,
    header_secret: tuple[str, str] | None = None,
    max_body_bytes: int | None = None,
    raw_body: tuple[str, str] | None = None,
):
    """Declare an API operation: authenticate (401), check the role (403), then parse and
    validate the body (415, 400, 413, 422) into ``g.body``, in that order. ``guard`` runs
    first of all (a gateway's shared-secret check, so a stranger learns nothing from
    validation); ``header_secret=(scheme name, header)`` documents that secret in the
    OpenAPI; ``max_body_bytes`` raises the app's MAX_CONTENT_LENGTH for this operation
    (imports); ``response_models`` documents the JSON schema of an answer by status;
    ``raw_body=(media type, description)`` documents a body the view reads itself (a raw
    e-mail)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if guard is not None:
                guard()
            if auth:
                user = api_user()
                if roles and user.role not in roles:
                    raise ApiError(403, "Your role may not do this.")
            if body is not None:
                if max_body_bytes is not None:
                    request.max_content_length = max_body_bytes
                g.body = parse_body(body)
            return view(*args, **kwargs)

        OPERATIONS[f"{view.__module__}.{view.__name__}"] = {
            "summary": summary,
            "body": body,
            "query": query or {},
            "responses": responses or {200: "OK"},
            "response_models": response_models or {},
            "auth": auth,
            "roles": roles,
            "tag": tag,
            "header_secret": header_secret,
            "raw_body": raw_body,
            "doc": (view.__doc__ or "").strip(),
        }
        return wrapper

    return decorate


def parse_body(model: type[BaseModel]) -> BaseModel:
    if not request.is_json:
        raise ApiError(415, "Send the body as application/json.")
    try:
        data = request.get_json()
    except BadRequest as exc:
        raise ApiError(400, "The body is not valid JSON.") from exc
    except RecursionError as exc:  # "[[[[..." nested deeper than Python's stack
        raise ApiError(400, "The body is nested too deeply.") from exc
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, "Some fields are invalid.", field_errors_from_pydantic(exc)) from exc


def openapi_document(app: Flask) -> dict:
    paths: dict[str, dict] = {}
    schemas: dict[str, dict] = {}
    secrets = {
        d["header_secret"][0]: {"type": "apiKey", "in": "header", "name": d["header_secret"][1]}
        for d in OPERATIONS.values()
        if d.get("header_secret")
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        view = app.view_functions[rule.endpoint]
        declared = OPERATIONS.get(f"{view.__module__}.{view.__name__}")
        if declared is None:
            continue
        path = _PATH_ARGUMENT.sub(r"{\g<name>}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, view, declared, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kudumbashree NRO Enterprise Call-Centre helpdesk",
            "version": "1.0.0",
            "description": "Tickets, geography, categories and auth of the call-centre helpdesk. "
            'Errors: {"error": {"code", "message", "fields"}}.',
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas | {"Error": _ERROR_SCHEMA},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            }
            | secrets,
        },
    }


_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                "fields_omitted": {
                    "type": "integer",
                    "description": "how many more fields were invalid than `fields` names "
                    "(it names the first 20); absent when it names them all",
                },
            },
            "required": ["code", "message", "fields"],
        }
    },
}


def _schema_ref(model: type[BaseModel], schemas: dict) -> dict:
    """Put ``model`` (and the models it uses) in the components; return a reference to it."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        schemas[name] = sub
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _path_schema(argument: re.Match) -> dict:
    if argument["converter"] == "id":
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    return {"type": "string", "minLength": 1}


def _operation(rule, view, declared: dict, schemas: dict) -> dict:
    op: dict = {
        "operationId": rule.endpoint.replace("api_v1.", ""),
        "summary": declared["summary"],
        "tags": [declared["tag"]],
        "parameters": [
            {"name": match["name"], "in": "path", "required": True, "schema": _path_schema(match)}
            for match in _PATH_ARGUMENT.finditer(rule.rule)
        ]
        + [
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": text,
                "schema": {"type": "string"},
            }
            for name, text in declared["query"].items()
        ],
        "responses": {},
    }
    if declared["doc"]:
        op["description"] = declared["doc"]
    if declared["body"] is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema_ref(declared["body"], schemas)}},
        }
    elif declared.get("raw_body"):
        media_type, description = declared["raw_body"]
        op["requestBody"] = {
            "required": True,
            "description": description,
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
        }
    if declared["auth"]:
        op["security"] = [{"bearer": []}, {"session": []}]
    elif declared.get("header_secret"):
        op["security"] = [{declared["header_secret"][0]: []}]
    roles = declared["roles"]
    if roles:
        op["description"] = (op.get("description", "") + f"\n\nRoles: {', '.join(roles)}.").strip()
    error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for status, text in declared["responses"].items():
        op["responses"][str(status)] = {"description": text}
        model = declared["response_models"].get(status)
        if model is not None:
            op["responses"][str(status)]["content"] = {
                "application/json": {"schema": _schema_ref(model, schemas)}
            }
        elif status >= 400:
            op["responses"][str(status)]["content"] = error_content
    # Any operation may meet these: a wrong password or gateway secret is a 401 even where
    # no user signs in; 503 is a busy or unreachable database and says Retry-After.
    errors = {400, 401, 413, 415, 422, 429, 503}
    if declared["auth"]:
        errors |= {403, 404, 409}
    for status in sorted(errors):
        op["responses"].setdefault(
            str(status),
            {"description": CODES[status].replace("_", " "), "content": error_content},
        )
    return op
