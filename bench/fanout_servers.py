"""The servers of bench/console_fanout.py: ``scripts/serve`` started in one server setup (a
*variant*), and the CPU its processes and Redis spent."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")

#: The server setups the benchmark can compare: the environment each adds to scripts/serve's.
#: ``threads+deflate`` is how the app processes ran before: gunicorn's threaded worker, its
#: websockets accepting the consoles' permessage-deflate offer. ``threads`` is what
#: scripts/serve runs now (docs/deploy.md): the same worker, websockets uncompressed.
VARIANTS = {
    "threads+deflate": {"SERVE_WORKER": "gthread", "CONSOLE_WEBSOCKET_COMPRESSION": "1"},
    "threads": {"SERVE_WORKER": "gthread", "CONSOLE_WEBSOCKET_COMPRESSION": "0"},
    "gevent+deflate": {"SERVE_WORKER": "gevent", "CONSOLE_WEBSOCKET_COMPRESSION": "1"},
    "gevent": {"SERVE_WORKER": "gevent", "CONSOLE_WEBSOCKET_COMPRESSION": "0"},
}
REFERENCE = "threads+deflate"
PRODUCTION = "threads"


def free_port_run(count: int) -> int:
    """A port P with P .. P + count - 1 all free (scripts/serve takes consecutive ports)."""
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count > 65535:
            continue
        held = []
        try:
            for port in range(first, first + count):
                s = socket.socket()
                held.append(s)
                s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
    raise SystemExit("no run of free ports")


def _waited(pid: str) -> float:
    """Seconds the threads of ``pid`` spent runnable but waiting for a CPU (schedstat)."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0
    for task in tasks:
        try:
            total += int(Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1e9


def group_cpu(pgid: int) -> dict[str, float]:
    """User+sys CPU seconds of the live processes of a process group, by kind, and how long
    the app processes' live threads waited for a CPU (what other work on the machine costs
    them: the scheduler shares the CPUs per thread, not per process)."""
    totals = {"app": 0.0, "rq": 0.0, "app_wait": 0.0}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) != pgid:  # field 5 of stat: the process group
            continue
        seconds = (int(fields[11]) + int(fields[12])) / CLK_TCK
        if b"gunicorn" in cmdline:
            totals["app"] += seconds
            totals["app_wait"] += _waited(entry)
        elif b"jobs worker" in cmdline or b"rq" in cmdline:
            totals["rq"] += seconds
    return totals


def redis_cpu(redis_url: str) -> float:
    from redis import Redis

    info = Redis.from_url(redis_url).info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


class Servers:
    """``scripts/serve N`` in one variant, as its own process group, its output in a file."""

    def __init__(self, args, env: dict[str, str], variant: str):
        self.port = free_port_run(args.processes)
        self.bases = [f"http://127.0.0.1:{self.port + i}" for i in range(args.processes)]
        fd, self.log_path = tempfile.mkstemp(prefix="bench-fanout-", suffix=".log")
        room = args.clients // args.processes + 100  # a console holds a thread or a connection
        self.proc = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "serve"), str(args.processes)],
            cwd=ROOT,
            env=env
            | VARIANTS[variant]
            | {
                "SERVE_PORT": str(self.port),
                "SERVE_THREADS": str(room),
                "SERVE_CONNECTIONS": str(2 * room),
                "SERVE_NO_UPGRADE": "1",
            },
            stdout=fd,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        os.close(fd)

    def log_tail(self, lines: int = 40) -> str:
        text = Path(self.log_path).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    async def wait_until_answering(self, session, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        for base in self.bases:
            while True:
                if self.proc.poll() is not None:
                    raise SystemExit(f"scripts/serve exited:\n{self.log_tail()}")
                if time.monotonic() > deadline:
                    raise SystemExit(f"{base} did not answer:\n{self.log_tail()}")
                try:
                    async with session.get(f"{base}/api/v1/openapi.json") as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                await asyncio.sleep(0.3)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        Path(self.log_path).unlink(missing_ok=True)
