"""Everyone's own profile page (``/me``): name, phone, interface language and password."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from helpdesk.agents import forms, services
from helpdesk.agents.models import UI_LANGUAGES
from helpdesk.errors import ValidationFailed

bp = Blueprint("profile", __name__)

UI_LANGUAGE_NAMES = {"en": "English", "hi": "हिन्दी (Hindi)"}


def _render(values: dict, errors: dict, password_errors: dict, status: int = 200):
    return render_template(
        "users/profile.html",
        values=values,
        errors=errors,
        password_errors=password_errors,
        ui_languages=[(code, UI_LANGUAGE_NAMES[code]) for code in UI_LANGUAGES],
    ), status


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
