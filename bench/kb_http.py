"""The app over HTTP for bench/kb_search.py: gunicorn wsgi:app servers on one throwaway
SQLite database and one index, a bearer token, and requests timed by the client."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
USER_EMAIL = "bench.kb@example.org"
USER_PASSWORD = "bench-" + secrets.token_hex(8)


def log(message: str) -> None:
    import sys

    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_environment(work: str, index_path: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("REDIS_URL", "RQ_QUEUE", "TEST_DATABASE_URL", "TEST_REDIS_URL"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=f"sqlite:///{os.path.join(work, 'helpdesk.sqlite3')}",
        HELPDESK_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(32),
        SESSION_COOKIE_SECURE="0",
        SEARCH_INDEX_DIR=index_path,
        PYTHONUNBUFFERED="1",
    )
    return env


def run(cmd: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def request(
    port: int, method: str, path: str, body: dict | None = None, token: str | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Connection": "close"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def prepare_database(work: str, index_path: str, languages) -> None:
    """A fresh SQLite database with the schema and one agent (USER_EMAIL)."""
    env = app_environment(work, index_path)
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(work, "helpdesk.sqlite3" + suffix))
    flask = str(VENV_BIN / "flask")
    log("[http] flask db upgrade, flask users create ...")
    run([flask, "--app", "wsgi", "db", "upgrade"], env, "flask db upgrade")
    user = ["--email", USER_EMAIL, "--name", "Bench Reader", "--role", "agent"]
    user += ["--password", USER_PASSWORD, "--languages", ",".join(languages)]
    run([flask, "--app", "wsgi", "users", "create", *user], env, "flask users create")


@contextlib.contextmanager
def serve(work: str, index_path: str, workers: int, extra_env: dict[str, str]):
    """A gunicorn server of the app (``workers`` sync workers); yields its port."""
    env = app_environment(work, index_path) | extra_env
    port = free_port()
    log_fd, log_path = tempfile.mkstemp(prefix="bench-kb-gunicorn-", suffix=".log")
    cmd = [str(VENV_BIN / "gunicorn"), "--chdir", str(ROOT), "-w", str(workers), "-k", "sync"]
    cmd += ["-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log_fd, stderr=subprocess.STDOUT, start_new_session=True
    )
    os.close(log_fd)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit("gunicorn exited:\n" + Path(log_path).read_text()[-3000:])
            try:
                request(port, "GET", "/api/v1/categories")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not answer in 60s") from None
                time.sleep(0.2)
        yield port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        with open(log_path, errors="replace") as fh:
            errors = [line for line in fh if "Traceback" in line or "ERROR" in line]
        if errors:
            log(f"[http] gunicorn log has {len(errors)} error lines: {log_path}")
        else:
            os.unlink(log_path)


def token(port: int) -> str:
    body = {"email": USER_EMAIL, "password": USER_PASSWORD}
    status, data = request(port, "POST", "/api/v1/auth/tokens", body)
    if status != 201:
        raise SystemExit(f"POST /api/v1/auth/tokens: {status} {data[:300]!r}")
    return json.loads(data)["token"]


def timed_get(port: int, path: str, bearer: str) -> tuple[float, int, dict | None]:
    """(ms, status, payload) of one GET on a new connection."""
    t0 = time.perf_counter()
    status, data = request(port, "GET", path, token=bearer)
    ms = (time.perf_counter() - t0) * 1000
    return ms, status, (json.loads(data) if status == 200 else None)
