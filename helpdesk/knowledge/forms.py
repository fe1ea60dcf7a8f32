"""The article editor's form becomes the same pydantic models the API validates.

``article_from_form`` returns ``(model, {})`` or ``(None, errors)`` with errors keyed by the
form's field names, ready to show next to each field.
"""

from collections.abc import Mapping

from flask_babel import gettext
from pydantic import ValidationError

from helpdesk.i18n import validation
from helpdesk.knowledge.schemas import ArticleCreate, ArticleUpdate

FIELDS = ("title", "body", "language", "category", "status")
#: the editor calls the body "Answer"
_LABELLED_AS = {"body": "answer"}


def split_tags(raw: str) -> list[str]:
    """Split "Bank loan, business plan," into its tags; empty pieces are dropped."""
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def form_values(article) -> dict[str, str]:
    """An article as the editor's fields show it."""
    return {
        "title": article.title,
        "body": article.body,
        "language": article.language,
        "category": article.category.slug,
        "tags": ", ".join(article.tags or []),
        "status": article.status,
    }


def _errors(exc: ValidationError, form: Mapping) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        name = str(error["loc"][0])  # ("tags", 3) is the tags field
        if name == "tags":
            message = (
                gettext("At most 20 tags.")
                if len(error["loc"]) == 1
                else gettext("Each tag at most 40 characters.")
            )
        elif not (form.get(name) or "").strip():
            message = validation.required(_LABELLED_AS.get(name, name))
        else:
            message = validation.sentence(error, _LABELLED_AS.get(name, name))
        errors.setdefault(name, message)
    return errors


def article_from_form(form: Mapping, *, update: bool):
    """``ArticleUpdate`` (every field the editor shows) or ``ArticleCreate``."""
    data: dict = {name: (form.get(name) or "").strip() for name in FIELDS}
    if not data["status"]:
        data["status"] = "draft"
    data["tags"] = split_tags(form.get("tags") or "")
    model = ArticleUpdate if update else ArticleCreate
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        return None, _errors(exc, form)
