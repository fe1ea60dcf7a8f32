"""Domain errors raised by services; the API turns them into the contract's error shape
and web pages into messages next to the fields."""


class DomainError(Exception):
    """``message`` is English (the API's language); a page shows it translated when the
    catalogue has it. A message with values in it names them: ``Conflict("A %(status)s
    ticket cannot be claimed.", params={"status": "closed"})``, so the sentence is looked
    up with its placeholders and the values filled in afterwards."""

    status = 400
    code = "bad_request"

    def __init__(
        self, message: str, fields: dict[str, str] | None = None, *, params: dict | None = None
    ):
        self.template = message
        self.params = params or {}
        self.message = message % self.params if params else message
        super().__init__(self.message)
        self.fields = fields or {}


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


def field_errors_from_pydantic(exc) -> dict[str, str]:
    """pydantic's ValidationError → {"requester.phone": "why"}, first reason per field;
    list items are named by index: ``tickets[3].events[1].at``."""
    fields: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        loc = (
            "".join(
                f"[{part}]" if isinstance(part, int) else f".{part}" for part in err["loc"]
            ).lstrip(".")
            or "body"
        )
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown field"
        elif err["type"] == "literal_error":
            message = "must be one of " + err["msg"].removeprefix("Input should be ")
        fields.setdefault(loc, message.removeprefix("Value error, "))
    return fields
