"""Web page: an admin switches auto-assignment on or off (``/admin/console``)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from helpdesk.agents import access
from helpdesk.console import presence
from helpdesk.console.settings import console_settings, update_settings

bp = Blueprint("console_admin", __name__)


@bp.route("/admin/console", methods=["GET", "POST"])
@login_required
def settings():
    access.require_role(current_user, "admin")
    if request.method == "POST":
        enabled = request.form.get("auto_assign") in ("on", "1", "true")
        update_settings(current_user, auto_assign=enabled)
        flash(
            gettext("Auto-assignment is on.") if enabled else gettext("Auto-assignment is off."),
            "success",
        )
        return redirect(url_for("console_admin.settings"))
    return render_template(
        "console/settings.html",
        settings=console_settings(),
        online_count=len(presence.online_user_ids()),
    )
