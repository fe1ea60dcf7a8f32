"""Web pages: sign in, sign out, and the home page that sends each role to its own start."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_limiter.util import get_remote_address
from flask_login import current_user

from helpdesk.agents.models import User
from helpdesk.agents.services import authenticate
from helpdesk.agents.sessions import end_session, start_session
from helpdesk.extensions import limiter
from helpdesk.i18n import N_, language_kept_across_sign_in
from helpdesk.validation import safe_redirect_path

bp = Blueprint("agents", __name__)


def home_for(user: User) -> str:
    if user.role == "brc":
        return url_for("portal.home")
    # A mentor's queue is already limited to what they may see; open work first.
    if user.role == "mentor":
        return url_for("tickets.queue", status="open")
    return url_for("tickets.queue")


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def login_key() -> str:
    # The call-centre shares a few NAT addresses: address and e-mail together, so one
    # agent's typos do not lock out the whole floor.
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"{get_remote_address()}|{email}"


def _failed(response) -> bool:
    return response.status_code != 302


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("agents.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    login_limit,
    key_func=login_key,
    methods=["POST"],
    deduct_when=_failed,
    error_message=N_("Too many sign-in attempts. Wait a minute and try again."),
)
@limiter.limit(
    lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"],
    methods=["POST"],
    deduct_when=_failed,
    scope="login-address",
    error_message=N_("Too many sign-in attempts from this network. Try again later."),
)
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_for(current_user))
    email = (request.form.get("email") or "").strip()
    error = None
    if request.method == "POST":
        user = authenticate(email, request.form.get("password") or "")
        if user is not None:
            with language_kept_across_sign_in():
                start_session(user)
            # Only a path on this site (see safe_redirect_path); anything else goes home.
            return redirect(safe_redirect_path(request.args.get("next")) or home_for(user))
        # One message for both cases: never tell which of e-mail or password was wrong.
        error = gettext("Wrong e-mail or password.")
    status = 200 if error is None else 401
    return render_template("agents/login.html", email=email, error=error), status


@bp.post("/logout")
def logout():
    with language_kept_across_sign_in():
        end_session()
    flash(gettext("You have signed out."), "info")
    return redirect(url_for("agents.login"))
