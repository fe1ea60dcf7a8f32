"""A service's refusal (``helpdesk.errors.DomainError``) as a page shows it."""

from flask_babel import get_locale, gettext

from helpdesk.i18n import DEFAULT, translate
from helpdesk.i18n.labels import status_label


def error_message(exc) -> str:
    """A service's error (``helpdesk.errors.DomainError``) as a page shows it."""
    if str(get_locale()) == DEFAULT:
        return exc.message
    params = {
        name: status_label(value) if name in ("status", "new_status") else translate(value)
        for name, value in (getattr(exc, "params", None) or {}).items()
    }
    template = getattr(exc, "template", exc.message)
    return gettext(template, **params) if params else gettext(template)
