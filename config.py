"""Configuration: one class per environment, each reading the contract's environment variables."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
DEV_SECRET_KEY = "dev-only-not-secret"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'helpdesk.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search-index"))
    CTI_TOKEN = os.environ.get("CTI_TOKEN")
    SMS_TOKEN = os.environ.get("SMS_TOKEN")
    # Dotted path of the SmsGateway class that sends texts; the default only logs them.
    SMS_GATEWAY = os.environ.get("SMS_GATEWAY", "helpdesk.calls.gateways:LoggingGateway")
    # Block code for texts from numbers nobody has on file; unset: such texts are refused.
    SMS_DEFAULT_BLOCK = os.environ.get("SMS_DEFAULT_BLOCK") or None
    # Category of tickets opened by SMS (agents re-categorise them at triage).
    SMS_CATEGORY = os.environ.get("SMS_CATEGORY", "business-opportunity")
    RQ_QUEUE = os.environ.get("RQ_QUEUE", "helpdesk")
    # Login attempts per client address; the call-centre shares a few NAT addresses,
    # so the limit is per address *and* e-mail (see agents/routes.py).
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    # ...and a looser cap per address alone, against guessing across many e-mails.
    LOGIN_ADDRESS_RATE_LIMIT = os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "100 per minute")
    RATELIMIT_ENABLED = True
    # Shared across app processes when Redis is there, so the limit holds per site.
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    MAX_CONTENT_LENGTH = 1024 * 1024
    # SQLite (no DATABASE_URL) takes one writer at a time; the others wait this long before
    # giving up with "database is locked" (then a 503 with Retry-After, never a 500).
    SQLITE_BUSY_TIMEOUT_S = float(os.environ.get("SQLITE_BUSY_TIMEOUT_S", "30"))
    # Imported history may not be older than this day (UTC): each ticket's SLA clocks are
    # replayed over every business day since, so decades-old dates are refused, not ground.
    IMPORT_EARLIEST = os.environ.get("IMPORT_EARLIEST", "2000-01-01")
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PASSWORD_HASH_METHOD = "scrypt"
    TESTING = False


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    REDIS_URL = os.environ.get("TEST_REDIS_URL") or None
    RQ_QUEUE = "helpdesk-test"
    # Deliberately cheap hashing: hundreds of test users, none of them real.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"


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


def config_for_environment() -> type[Config]:
    return CONFIGS.get(os.environ.get("HELPDESK_ENV", "development"), DevelopmentConfig)
