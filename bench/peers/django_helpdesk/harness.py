"""django-helpdesk side by side with the helpdesk in bench/intake.py (``--peer django-helpdesk``).

What it does:

1. Installs django-helpdesk (pinned), gunicorn and psycopg, the last two at the versions the
   helpdesk's own virtualenv runs, into bench/.peer-venv/django-helpdesk/ (made once, reused
   while the pins match). It is never a dependency of the app.
2. Empties the PostgreSQL database ``peer_dh_bench`` (``--peer-database``), runs Django's
   ``migrate`` and seed.py: one queue, one staff user with a DRF token.
3. Serves peer_site (this directory) with gunicorn and the same worker settings as the
   helpdesk, and turns the helpdesk's request bodies into django-helpdesk ones for
   POST /api/tickets/ (title, description, queue, submitter_email, priority).

What differs from the helpdesk's request is said in ``DIFFERENCES``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from http_load import (
    ROOT,
    Server,
    call,
    log,
    raw_posts,
    reset_database,
    run,
    start_gunicorn,
    table_counts,
    wait_until_answering,
)

NAME = "django-helpdesk"
VERSION = "2.6.1"
HERE = Path(__file__).resolve().parent
VENV = ROOT / "bench" / ".peer-venv" / "django-helpdesk"
API_PATH = "/api/tickets/"
PRIORITIES = {"urgent": 1, "high": 2, "normal": 3, "low": 4}  # django-helpdesk: 1 is critical

DIFFERENCES = (
    "django-helpdesk: DRF 'Authorization: Token' (one SELECT of token and user) where the "
    "helpdesk takes a bearer token (kept per worker process after its first SELECT); a "
    "requester becomes a "
    "submitter_email (no contact, block, category or language: it has none); it writes the "
    "ticket and an opening follow-up and renders and sends the submitter's e-mail inside "
    "the request (locmem backend: built in memory, no SMTP), where the helpdesk enqueues "
    "its acknowledgement on RQ"
)


def requirements() -> list[str]:
    """The peer's pins: gunicorn and psycopg as the helpdesk runs them, so only the app differs."""
    return [
        f"django-helpdesk=={VERSION}",
        f"gunicorn=={metadata.version('gunicorn')}",
        f"psycopg[binary]=={metadata.version('psycopg')}",
    ]


def ensure_venv() -> Path:
    """bench/.peer-venv/django-helpdesk with ``requirements()`` installed; its bin directory."""
    wanted = "\n".join(requirements())
    stamp = VENV / "bench-requirements.txt"
    if stamp.exists() and stamp.read_text() == wanted:
        return VENV / "bin"
    log(f"installing {', '.join(requirements())} into {VENV} ...")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    run([sys.executable, "-m", "venv", "--clear", str(VENV)], env, "python -m venv")
    pip = [
        str(VENV / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    done = subprocess.run(pip + requirements(), env=env, capture_output=True, text=True)
    if done.returncode != 0:
        errors = [line for line in done.stderr.splitlines() if "is ignored" not in line]
        raise SystemExit(f"pip could not install {NAME}:\n" + "\n".join(errors[-25:]))
    stamp.write_text(wanted)
    return VENV / "bin"


class DjangoHelpdeskPeer:
    """One django-helpdesk installation, prepared once, served for every round of a run."""

    name = NAME
    version = VERSION
    differences = DIFFERENCES

    def __init__(self, database: str):
        self.database = database
        self.bin = ensure_venv()
        self.env = {
            "PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONPATH": str(HERE),
            "DJANGO_SETTINGS_MODULE": "peer_site.settings",
            "PEER_DATABASE": database,
            "PYTHONUNBUFFERED": "1",
        }
        self.queue: int | None = None
        self.token: str | None = None

    def prepare(self) -> None:
        """Empty the database, migrate, and seed a queue and a staff user with a token."""
        log(f"preparing {NAME} {VERSION} in database {self.database} (migrate, queue, token) ...")
        reset_database(self.database)
        python = str(self.bin / "python")
        run([python, "-m", "django", "migrate", "--noinput"], self.env, "django migrate", HERE)
        seeded = json.loads(run([python, "seed.py"], self.env, "seeding the peer", HERE))
        self.queue, self.token = seeded["queue"], seeded["token"]

    def start(self, args) -> Server:
        return start_gunicorn(
            NAME, "peer_site.wsgi:application", HERE, self.env, args, self.bin / "gunicorn"
        )

    async def check(self, server: Server, first_body: bytes) -> None:
        """Wait for the server, then one real ticket: SystemExit when it is not a 201."""
        await wait_until_answering(server, API_PATH)
        body = self.ticket(json.loads(first_body))
        status, data = await call(server.port, "POST", API_PATH, body, self.token, "Token")
        if status != 201:
            raise SystemExit(f"{NAME}: a first POST {API_PATH} failed: {status} {data}")

    def ticket(self, ours: dict) -> dict:
        """The helpdesk's request body as django-helpdesk's API takes it."""
        body = {
            "queue": self.queue,
            "title": ours["subject"],
            "description": ours["description"],
            "priority": PRIORITIES[ours["priority"]],
        }
        if "requester" in ours:
            digits = "".join(c for c in ours["requester"]["phone"] if c.isdigit())[-10:]
            body["submitter_email"] = f"caller.{digits}@example.org"
        return body

    def requests(self, port: int, bodies: list[bytes]) -> list[bytes]:
        converted = [
            json.dumps(self.ticket(json.loads(b)), ensure_ascii=False).encode() for b in bodies
        ]
        return raw_posts(port, API_PATH, f"Token {self.token}", converted)

    def counts(self) -> str:
        return table_counts(self.database, ("helpdesk_ticket", "helpdesk_followup"))
