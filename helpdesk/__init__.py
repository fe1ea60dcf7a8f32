"""Kudumbashree NRO Enterprise Call-Centre helpdesk."""

import contextlib
import logging
import os
import time

import sqlalchemy as sa
from flask import Flask
from flask_babel import gettext
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, ProductionConfig, config_for_environment, instance_secret_key
from helpdesk import validation
from helpdesk.i18n import N_
from helpdesk.jobs.backends import register_app_factory
from helpdesk.security_headers import SecurityHeaders

# The project root (beside helpdesk/, migrations/, tests/), found from this file rather than the
# working directory, so `flask run`, gunicorn and pytest find the same folders from anywhere.
PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_TEMPLATES_DIR = os.path.join(PROJECT_ROOT, "templates")


def create_app(config_class: type[Config] | None = None) -> Flask:
    config_class = config_class or config_for_environment()
    if issubclass(config_class, ProductionConfig):
        config_class.validate()
    app = Flask(__name__, instance_relative_config=False, template_folder=_TEMPLATES_DIR)
    app.config.from_object(config_class)
    if not app.config.get("SECRET_KEY"):  # production has refused to get here without one
        app.config["SECRET_KEY"] = instance_secret_key(app.config["SECRET_KEY_FILE"])
    os.makedirs(os.path.dirname(app.config["SEARCH_INDEX_DIR"]), exist_ok=True)

    _init_extensions(app)
    # Before the blueprints: their routes use the <id:...> converter it registers.
    validation.init_app(app)
    _register_blueprints(app)
    _connect_signals()
    _register_cli(app)
    # Outermost, after Flask-SocketIO wrapped wsgi_app, so Socket.IO's answers get them too.
    app.wsgi_app = SecurityHeaders(app.wsgi_app)
    _trust_proxies(app)
    return app


def _connect_signals() -> None:
    """Each feature hears the ticket changes it cares about (``helpdesk.signals``). Blinker
    connects a receiver once, however many apps are made. Console first: its live events
    go out before the SLA timers are scheduled."""
    from helpdesk.attachments import receivers as attachments
    from helpdesk.calls import receivers as calls
    from helpdesk.console import access_changes
    from helpdesk.console import receivers as console
    from helpdesk.knowledge import receivers as knowledge
    from helpdesk.mail import receivers as mail
    from helpdesk.replies import receivers as replies
    from helpdesk.satisfaction import receivers as satisfaction
    from helpdesk.sla import receivers as sla

    console.connect_signals()
    access_changes.connect_receivers()
    sla.connect_signals()
    calls.connect_signals()
    knowledge.connect_signals()
    replies.connect_signals()
    satisfaction.connect_signals()
    attachments.connect_signals()
    mail.connect_signals()


def _trust_proxies(app: Flask) -> None:
    """Behind PROXY_HOPS proxies, take the client's address and scheme from the
    X-Forwarded-For / -Proto headers they set, so rate limits count per client rather than
    per proxy. Applied last: it wraps Socket.IO's middleware too. X-Forwarded-Host is not
    trusted: the documented nginx sets Host itself and passes a client's own header on."""
    hops = app.config.get("PROXY_HOPS", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _init_extensions(app: Flask) -> None:
    from helpdesk import models  # noqa: F401  (every model registered before Alembic looks)

    # Socket handlers must be declared before the first init_app: Flask-SocketIO replays its
    # handler list into each new server, but a handler declared later reaches one server only.
    from helpdesk.console import sockets as _console_sockets  # noqa: F401
    from helpdesk.console import transport
    from helpdesk.extensions import compress, csrf, db, limiter, login_manager, migrate, socketio
    from helpdesk.static_assets import register_static_assets

    _prepare_sqlite(app)
    db.init_app(app)
    app.teardown_appcontext(_release_session)  # runs before Flask-SQLAlchemy's own
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        busy_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_S", 30) * 1000)

        def on_connect(dbapi_connection, _record) -> None:
            _sqlite_pragmas(dbapi_connection, busy_ms)

        with app.app_context():
            sa.event.listen(db.engine, "connect", on_connect)
    else:
        with app.app_context():
            _ping_connections_idle_for(db.engine, app.config["DATABASE_PING_AFTER_IDLE_S"])
    migrate.init_app(app, db, render_as_batch=True, directory=_migrations_dir())
    login_manager.init_app(app)
    login_manager.login_view = "agents.login"
    login_manager.login_message = N_("Please sign in to continue.")
    login_manager.localize_callback = gettext  # flashed in the page's language
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    limiter.init_app(app)
    socketio.init_app(
        app,
        # Always given (None without Redis): the extension is shared by every app built in
        # this process, and would otherwise keep the previous app's.
        client_manager=transport.message_queue(app.config.get("REDIS_URL"), _socketio_channel(app)),
        async_mode=transport.async_mode(),
    )
    if not app.config["CONSOLE_WEBSOCKET_COMPRESSION"]:
        # Before SecurityHeaders and ProxyFix wrap it: it only needs the path and headers.
        app.wsgi_app = transport.WithoutWebsocketCompression(app.wsgi_app)
    from helpdesk.agents import sessions

    sessions.init_app(app)  # the user loader: a live server-side session of an active user
    from helpdesk.i18n import app as i18n

    i18n.init_app(app)  # the interface language of each page (English or Hindi)
    compress.init_app(app)
    register_static_assets(app)  # after Compress: its after_request runs before Compress's
    from helpdesk.knowledge.searching import warm_up_when_serving

    warm_up_when_serving(app)


def _release_session(_exc) -> None:
    """End the request's session before Flask-SQLAlchemy does: if the database dropped its
    connection meanwhile (a restart), the rollback on close fails, and that must not turn an
    answered request into a 500 or leave the broken session behind for the next one."""
    from helpdesk.extensions import db

    try:
        db.session.remove()
    except sa.exc.DBAPIError as exc:
        logging.getLogger(__name__).warning("discarding a session whose connection died: %s", exc)
        with contextlib.suppress(Exception):
            db.session.invalidate()
        db.session.registry.clear()


def _socketio_channel(app: Flask) -> str:
    """The Redis pub/sub channel of the Socket.IO message queue. Redis channels ignore the
    database number, so two sites (or test runs) on one Redis would hear each other's
    events: the channel names the database the site uses."""
    from redis.connection import parse_url

    url = app.config.get("REDIS_URL")
    database = parse_url(url).get("db", 0) if url else 0
    return f"helpdesk-console-db{database}"


def _prepare_sqlite(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:////:memory:"):
        os.makedirs(os.path.dirname(uri.removeprefix("sqlite:///")) or ".", exist_ok=True)
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        busy_s = app.config.get("SQLITE_BUSY_TIMEOUT_S", 30)
        options.setdefault("connect_args", {"timeout": busy_s, "check_same_thread": False})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _ping_connections_idle_for(engine: sa.Engine, seconds: float) -> None:
    """SQLAlchemy's ``pool_pre_ping``, but only for a connection idle ``seconds`` or more: a
    busy site reuses its connections within milliseconds and would otherwise pay a round trip
    a request. A connection that fails the ping is replaced (the pool retries the checkout);
    one the server dropped while in use fails that request (503) and the pool renews all."""

    def on_checkin(_dbapi_connection, record) -> None:
        record.info["checked_in_at"] = time.monotonic()

    def on_checkout(dbapi_connection, record, _proxy) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at < seconds:
            return  # new, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise sa.exc.DisconnectionError(str(exc)) from exc

    sa.event.listen(engine, "checkin", on_checkin)
    sa.event.listen(engine, "checkout", on_checkout)


def _sqlite_pragmas(dbapi_connection, busy_ms: int) -> None:
    """WAL lets the console read while a call is being logged; FKs are off by default."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # How long a writer waits for another one to commit before "database is locked" (the
    # driver's connect timeout sets the same; the pragma makes it explicit).
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.close()


def _migrations_dir() -> str:
    return os.path.join(PROJECT_ROOT, "migrations")


def _register_blueprints(app: Flask) -> None:
    # Importing each api module adds its routes to the one v1 blueprint.
    from helpdesk.administration import api as _administration_api  # noqa: F401
    from helpdesk.agents import api as _agents_api  # noqa: F401
    from helpdesk.agents import users_api as _users_api  # noqa: F401
    from helpdesk.api import api_v1
    from helpdesk.api import routes as _api_routes  # noqa: F401
    from helpdesk.api.errors import register_error_handlers
    from helpdesk.attachments import api as _attachments_api  # noqa: F401
    from helpdesk.calls import api as _calls_api  # noqa: F401
    from helpdesk.calls import callbacks_api as _callbacks_api  # noqa: F401
    from helpdesk.calls import tasks as _calls_tasks  # noqa: F401
    from helpdesk.console import api as _console_api  # noqa: F401
    from helpdesk.console import assignment as _console_assignment  # noqa: F401  (its job)
    from helpdesk.console import settings_api as _console_settings_api  # noqa: F401
    from helpdesk.contacts import api as _contacts_api  # noqa: F401
    from helpdesk.enterprises import api as _enterprises_api  # noqa: F401
    from helpdesk.extensions import csrf
    from helpdesk.geography import api as _geography_api  # noqa: F401
    from helpdesk.knowledge import api as _knowledge_api  # noqa: F401
    from helpdesk.knowledge import tasks as _knowledge_tasks  # noqa: F401
    from helpdesk.mail import api as _mail_api  # noqa: F401
    from helpdesk.mail import delivery as _mail_delivery  # noqa: F401  (its job)
    from helpdesk.replies import api as _replies_api  # noqa: F401
    from helpdesk.reports import api as _reports_api  # noqa: F401
    from helpdesk.satisfaction import api as _satisfaction_api  # noqa: F401
    from helpdesk.sla import api as _sla_api  # noqa: F401
    from helpdesk.tickets import api as _tickets_api  # noqa: F401
    from helpdesk.tickets import queue_actions as _queue_actions  # noqa: F401  (its routes)
    from helpdesk.tickets import tasks as _ticket_tasks  # noqa: F401

    # The API authenticates by bearer token; session callers are CSRF-checked in api/auth.py.
    csrf.exempt(api_v1)
    app.register_blueprint(api_v1)
    register_error_handlers(app)

    # Web pages: session sign-in and CSRF-protected forms.
    from helpdesk.administration.routes import bp as administration_web
    from helpdesk.agents.admin import bp as users_admin_web
    from helpdesk.agents.profile import bp as profile_web
    from helpdesk.agents.routes import bp as agents_web
    from helpdesk.attachments.routes import bp as attachments_web
    from helpdesk.calls.routes import bp as calls_web
    from helpdesk.console.admin import bp as console_admin_web
    from helpdesk.console.routes import bp as console_web
    from helpdesk.enterprises.routes import bp as enterprises_web
    from helpdesk.knowledge.routes import bp as knowledge_web
    from helpdesk.mail.routes import bp as mail_web
    from helpdesk.portal.routes import bp as portal_web
    from helpdesk.replies.routes import bp as replies_web
    from helpdesk.reports.routes import bp as reports_web
    from helpdesk.satisfaction.routes import bp as satisfaction_web
    from helpdesk.sla.routes import bp as sla_admin_web
    from helpdesk.templating import register_templating
    from helpdesk.tickets.routes import bp as tickets_web

    register_templating(app)
    web_blueprints = (
        agents_web,
        tickets_web,
        portal_web,
        knowledge_web,
        calls_web,
        console_web,
        sla_admin_web,
        reports_web,
        satisfaction_web,
        console_admin_web,
        users_admin_web,
        administration_web,
        profile_web,
        enterprises_web,
        replies_web,
        attachments_web,
        mail_web,
    )
    for blueprint in web_blueprints:
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from helpdesk.cli import register_cli

    register_cli(app)


register_app_factory(create_app)
