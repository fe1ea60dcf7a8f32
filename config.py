"""Configuration: one class per environment, each reading the contract's environment variables."""

import os
import secrets
import stat
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
#: the public key earlier versions signed development sessions with: refused in production
DEV_SECRET_KEY = "dev-only-not-secret"


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise RuntimeError(f"{name} must be a whole number, got {value!r}")
    return int(value)


class Config:
    # Unset outside production: the site makes its own random key under instance/ on first
    # run (instance_secret_key below); a key written in the code would let anyone forge a
    # signed-in session cookie.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SECRET_KEY_FILE = os.environ.get("SECRET_KEY_FILE", str(INSTANCE_DIR / "secret_key"))
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'helpdesk.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled PostgreSQL connection idle this long is pinged before use (the server may have
    # restarted meanwhile); one in use within it is not (a ping is a round trip a request).
    DATABASE_PING_AFTER_IDLE_S = float(os.environ.get("DATABASE_PING_AFTER_IDLE_S", "1"))
    REDIS_URL = os.environ.get("REDIS_URL") or None
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search-index"))
    # Megabytes of frequent words' search scores each process keeps for the open index
    # (0: none; every search then reads those words' postings again).
    SEARCH_SCORE_CACHE_MB = _int_env("SEARCH_SCORE_CACHE_MB", 256)
    # "bulk" (block-wise scoring, the default) or "whoosh" (Whoosh's own, slower search
    # loop, for comparison).
    SEARCH_READ_PATH = os.environ.get("SEARCH_READ_PATH", "bulk")
    CTI_TOKEN = os.environ.get("CTI_TOKEN")
    SMS_TOKEN = os.environ.get("SMS_TOKEN")
    # Seconds within which an answered call counts towards the call report's service level.
    CALL_ANSWER_THRESHOLD_S = _int_env("CALL_ANSWER_THRESHOLD_S", 20)
    # Dotted path of the SmsGateway class that sends texts; the default only logs them.
    SMS_GATEWAY = os.environ.get("SMS_GATEWAY", "helpdesk.calls.gateways:LoggingGateway")
    # Category of tickets opened by SMS (agents re-categorise them at triage).
    SMS_CATEGORY = os.environ.get("SMS_CATEGORY", "business-opportunity")
    RQ_QUEUE = os.environ.get("RQ_QUEUE", "helpdesk")
    # E-mail out (SMTP). Unset MAIL_SERVER: nothing is sent, nothing is queued.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int_env("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    # STARTTLS after connecting (port 587); MAIL_USE_SSL: TLS from the start (port 465).
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0").lower() in ("1", "true", "yes")
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0").lower() in ("1", "true", "yes")
    MAIL_FROM = os.environ.get("MAIL_FROM", "helpdesk@localhost")
    MAIL_TIMEOUT_S = float(os.environ.get("MAIL_TIMEOUT_S", "20"))
    # Seconds to wait before each new attempt after a temporary SMTP failure; after the
    # last one the mail is marked failed.
    MAIL_RETRY_DELAYS = os.environ.get("MAIL_RETRY_DELAYS", "60,300,1800,7200")
    # Where the site is reached from outside: the links in mails start with it.
    HELPDESK_URL = os.environ.get("HELPDESK_URL", "http://localhost:5000")
    # Days a mentor's signed link to an escalated ticket stays valid.
    MAIL_LINK_DAYS = _int_env("MAIL_LINK_DAYS", 14)
    # E-mail in: the webhook's shared secret (X-Email-Token) and the mailbox the worker polls
    # (imaps://user:password@host/INBOX; imap:// for a local server).
    EMAIL_TOKEN = os.environ.get("EMAIL_TOKEN")
    IMAP_URL = os.environ.get("IMAP_URL") or None
    IMAP_POLL_SECONDS = _int_env("IMAP_POLL_SECONDS", 60)
    # Largest mail taken in, attachments included.
    EMAIL_MAX_MB = _int_env("EMAIL_MAX_MB", 25)
    # New tickets one sender may open by mail per hour; later mail goes onto their latest one.
    EMAIL_NEW_TICKETS_PER_HOUR = _int_env("EMAIL_NEW_TICKETS_PER_HOUR", 10)
    # Category of tickets opened by mail (agents re-categorise them at triage).
    EMAIL_CATEGORY = os.environ.get("EMAIL_CATEGORY", "business-opportunity")
    # Login attempts per client address; the call-centre shares a few NAT addresses,
    # so the limit is per address *and* e-mail (see agents/routes.py).
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    # ...and a looser cap per address alone, against guessing across many e-mails.
    LOGIN_ADDRESS_RATE_LIMIT = os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "100 per minute")
    # Wrong X-CTI-Token / X-SMS-Token attempts per client address, both webhooks together;
    # requests with the right token are never counted.
    GATEWAY_TOKEN_FAILURE_LIMIT = os.environ.get("GATEWAY_TOKEN_FAILURE_LIMIT", "10 per minute")
    # How many reverse proxies (nginx, a load balancer) stand in front of the app and set
    # X-Forwarded-For / X-Forwarded-Proto. 0: none, the headers are ignored (a client could
    # forge them). Rate limits are per client address only when this is right.
    PROXY_HOPS = _int_env("PROXY_HOPS", 0)
    # Live-console websockets accept the browser's permessage-deflate offer only when this is
    # 1: off, an event costs each console's socket no compression (helpdesk/console/transport.py).
    CONSOLE_WEBSOCKET_COMPRESSION = os.environ.get("CONSOLE_WEBSOCKET_COMPRESSION", "0") == "1"
    # Pages, JSON and CSV go out compressed (helpdesk/static_assets.py): brotli where the
    # browser takes it, else gzip. Versioned static files are compressed there, once.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["br", "deflate"]
    COMPRESS_BR_LEVEL = 5
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/plain",
        "text/csv",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
    ]
    # Lifetime of a bearer token from POST /api/v1/auth/tokens.
    API_TOKEN_DAYS = _int_env("API_TOKEN_DAYS", 30)
    # A browser session unused this long is signed out; its row (and those of sessions signed
    # out this long ago) is deleted at the next sign-in, so user_sessions does not grow forever.
    SESSION_IDLE_DAYS = _int_env("SESSION_IDLE_DAYS", 30)
    # A served process opens its search index and warms its scores (~2 s at 100k documents)
    # on a thread after its first request, rather than on its first search.
    SEARCH_WARM_UP_ON_START = os.environ.get("SEARCH_WARM_UP_ON_START", "1") == "1"
    RATELIMIT_ENABLED = True
    # Shared across app processes when Redis is there, so the limit holds per site.
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # JSON bodies and forms; uploads of attachments get MAX_ATTACHMENT_MB (attachments/limits.py).
    MAX_CONTENT_LENGTH = 1024 * 1024
    # SQLite (no DATABASE_URL) takes one writer at a time; the others wait this long before
    # giving up with "database is locked" (then a 503 with Retry-After, never a 500).
    SQLITE_BUSY_TIMEOUT_S = float(os.environ.get("SQLITE_BUSY_TIMEOUT_S", "30"))
    # Imported history may not be older than this day (UTC): each ticket's SLA clocks are
    # replayed over every business day since, so decades-old dates are refused, not ground.
    IMPORT_EARLIEST = os.environ.get("IMPORT_EARLIEST", "2000-01-01")
    # Largest file one may attach to a ticket, in MB; a phone photo is 2 to 4 MB.
    MAX_ATTACHMENT_MB = _int_env("MAX_ATTACHMENT_MB", 10)
    ATTACHMENTS_DIR = os.environ.get("ATTACHMENTS_DIR", str(INSTANCE_DIR / "attachments"))
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PASSWORD_HASH_METHOD = "scrypt"
    TESTING = False


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    # The test run's own key: never a file under instance/, never a public constant.
    SECRET_KEY = secrets.token_urlsafe(32)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    REDIS_URL = os.environ.get("TEST_REDIS_URL") or None
    RQ_QUEUE = "helpdesk-test"
    # Deliberately cheap hashing: hundreds of test users, none of them real.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    # Each test builds the index it searches; no thread opening it behind the test's back.
    SEARCH_WARM_UP_ON_START = False


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"

    @classmethod
    def validate(cls) -> None:
        """Refuse to run production with the public development secret."""
        key = os.environ.get("SECRET_KEY")
        if not key or key == DEV_SECRET_KEY or len(key) < 16:
            raise RuntimeError(
                "HELPDESK_ENV=production needs SECRET_KEY set to a random value of 16+ characters"
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def instance_secret_key(path: str | os.PathLike) -> str:
    """The site's own random secret key, made on first run in ``path`` (mode 0600) and
    reused after. Processes starting together agree: one creates, the others read."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            path.chmod(0o600)  # readable by others, it would be no secret
        for _ in range(50):
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.1)  # another process has just created it and is writing
        raise RuntimeError(f"{path} is empty: delete it and a new secret key is made") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as file:
        file.write(key + "\n")
    return key


def config_for_environment() -> type[Config]:
    return CONFIGS.get(os.environ.get("HELPDESK_ENV", "development"), DevelopmentConfig)
