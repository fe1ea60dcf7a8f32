"""Everyone's own profile page (``/me``): name, phone, interface language and password."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from helpdesk.agents import forms, services
from helpdesk.agents.models import UI_LANGUAGES
from helpdesk.errors import ValidationFailed
from helpdesk.i18n import NATIVE_NAMES, requested_language

bp = Blueprint("profile", __name__)


def _render(values: dict, errors: dict, password_errors: dict, status: int = 200):
    return render_template(
        "users/profile.html",
        values=values,
        errors=errors,
        password_errors=password_errors,
        ui_languages=[(code, NATIVE_NAMES[code]) for code in UI_LANGUAGES],
    ), status


@bp.before_app_request
def save_language_choice():
    """The header's language switcher (``?lang=hi|en``) is a signed-in person's choice:
    saved as their ``ui_language``, so every page, device and later sign-in follows it
    (the interface language puts ``ui_language`` first; helpdesk.i18n)."""
    lang = requested_language()
    if lang is None or request.path.startswith(("/api/", "/static/")):
        return
    if current_user.is_authenticated and current_user.ui_language != lang:
        services.update_profile(current_user._get_current_object(), {"ui_language": lang})


@bp.route("/me", methods=["GET", "POST"])
@login_required
def me():
    user = current_user._get_current_object()
    if request.method == "GET":
        return _render(user.to_dict(), {}, {})
    data, errors = forms.profile_from_form(request.form)
    if data is not None:
        try:
            services.update_profile(user, data)
        except ValidationFailed as exc:
            errors = exc.fields
        else:
            flash(gettext("Your profile is saved."), "success")
            return redirect(url_for("profile.me"))
    return _render(request.form.to_dict(), errors, {}, 422)


@bp.post("/me/password")
@login_required
def change_password():
    user = current_user._get_current_object()
    data, errors = forms.password_from_form(request.form)
    if data is not None:
        try:
            services.update_profile(
                user, data | {"current_password": request.form.get("current_password") or ""}
            )
        except ValidationFailed as exc:
            errors = exc.fields
        else:
            flash(gettext("Your password is changed."), "success")
            return redirect(url_for("profile.me"))
    return _render(user.to_dict(), {}, errors, 422)
