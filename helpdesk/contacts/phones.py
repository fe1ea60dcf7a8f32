"""Indian phone numbers in every common written form become one E.164 number."""

import phonenumbers

from helpdesk.i18n import N_


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str) -> str:
    """Return the E.164 form of ``raw`` (region IN by default) or raise InvalidPhone."""
    text = (raw or "").strip()
    if not text or len(text) > 32:
        raise InvalidPhone(N_("not a phone number"))
    # "919876543210" is an Indian number written without the plus sign.
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") and len(digits) == 12 and digits.startswith("91"):
        text = "+" + digits
    try:
        parsed = phonenumbers.parse(text, "IN")
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(N_("not a phone number")) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone(N_("not a valid phone number"))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
