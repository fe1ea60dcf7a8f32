"""The timed part of the intake benchmarks: drive a server at a fixed concurrency for a
warm-up and a measured window, record what it answered and what it cost (CPU of the
server, PostgreSQL and Redis per response), and the lines that report it.

bench/intake.py and its peers (bench/peers/) are driven and reported by this one module.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import random
import resource
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from http_load import Connection, Server

# --------------------------------------------------------------------------- load


@dataclass
class Result:
    name: str
    unit: str
    duration: float
    latencies: list[float] = field(default_factory=list)  # seconds, of the 201 responses
    finished_at: list[float] = field(default_factory=list)  # seconds into the window, each
    statuses: Counter = field(default_factory=Counter)
    error_samples: dict = field(default_factory=dict)
    warmup_done: int = 0
    connects: int = 0
    client_cpu: float = 0.0
    server_cpu: dict = field(default_factory=dict)  # CPU ms per 201 response, per process kind
    machine_busy: float = 0.0
    busy_before: float = 0.0

    @property
    def ok(self) -> int:
        return self.statuses.get(201, 0)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 201)

    @property
    def rate(self) -> float:
        return self.ok / self.duration

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))  # nearest rank
        return ordered[index] * 1000


def cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def server_cpu(pgid: int) -> dict[str, float]:
    """CPU seconds (user + system) used so far by the server's processes (gunicorn's process
    group), PostgreSQL and Redis: what a request costs, whatever else runs on the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    spent = {"gunicorn": 0.0, "postgres": 0.0, "redis": 0.0}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick
        if int(fields[2]) == pgid:
            spent["gunicorn"] += seconds
        elif comm == "postgres":
            spent["postgres"] += seconds
        elif comm.startswith("redis-server"):
            spent["redis"] += seconds
    return spent


def machine_busy_now(seconds: float = 1.0) -> float:
    """How busy the CPUs are with other work (other processes), over ``seconds``."""
    before = cpu_times()
    time.sleep(seconds)
    after = cpu_times()
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else 0.0


async def drive(name: str, unit: str, server: Server, requests: list[bytes], args) -> Result:
    result = Result(name, unit, args.duration, busy_before=machine_busy_now())
    start = time.perf_counter()
    measure_from = start + args.warmup
    stop_at = measure_from + args.duration
    picks = itertools.count(random.Random(args.seed).randrange(len(requests)))
    conns = [Connection("127.0.0.1", server.port) for _ in range(args.concurrency)]
    marks: dict[str, object] = {}

    async def worker(conn: Connection) -> None:
        latencies, statuses = result.latencies, result.statuses
        while True:
            t0 = time.perf_counter()
            if t0 >= stop_at:
                return
            raw = requests[next(picks) % len(requests)]
            try:
                status, body = await conn.request(raw)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                conn.close()
                status, body = f"{type(exc).__name__}", str(exc).encode()
            t1 = time.perf_counter()
            if t0 < measure_from:
                result.warmup_done += 1
                continue
            if t1 > stop_at:
                return
            statuses[status] += 1
            if status == 201:
                latencies.append(t1 - t0)
                result.finished_at.append(t1 - measure_from)
            elif status not in result.error_samples:
                result.error_samples[status] = body[:300].decode(errors="replace")

    async def progress() -> None:
        tty = sys.stderr.isatty()
        last_print = 0.0
        while True:
            await asyncio.sleep(0.5)
            now = time.perf_counter()
            if "cpu" not in marks and now >= measure_from:
                marks["cpu"] = (
                    resource.getrusage(resource.RUSAGE_SELF),
                    cpu_times(),
                    server_cpu(server.proc.pid),
                )
            if now < measure_from:
                line = f"[{name}] warm-up {now - start:4.1f}/{args.warmup:g}s  {result.warmup_done} requests"
            else:
                done = sum(result.statuses.values())
                elapsed = min(now, stop_at) - measure_from
                line = (
                    f"[{name}] measuring {elapsed:4.1f}/{args.duration:g}s  {done} requests  "
                    f"{result.ok / max(elapsed, 1e-9):7.1f} {unit}/s  errors {result.errors}"
                )
            if tty:
                print(f"\r{line:<90}", end="", file=sys.stderr, flush=True)
            elif now - last_print >= 2:
                print(line, file=sys.stderr, flush=True)
                last_print = now

    ticker = asyncio.create_task(progress())
    await asyncio.gather(*(worker(c) for c in conns))
    ticker.cancel()
    end_usage, end_cpu = resource.getrusage(resource.RUSAGE_SELF), cpu_times()
    end_server = server_cpu(server.proc.pid)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    for conn in conns:
        result.connects += conn.connects
        conn.close()
    if "cpu" in marks:
        usage, machine, server_start = marks["cpu"]
        result.server_cpu = {
            kind: (end_server[kind] - server_start[kind]) * 1000 / max(result.ok, 1)
            for kind in end_server
        }
        spent = (end_usage.ru_utime + end_usage.ru_stime) - (usage.ru_utime + usage.ru_stime)
        result.client_cpu = spent / args.duration
        busy, total = end_cpu[0] - machine[0], end_cpu[1] - machine[1]
        result.machine_busy = busy / total if total else 0.0
    return result


# --------------------------------------------------------------------------- report


def line_for(r: Result, label_width: int = 7) -> str:
    return (
        f"{r.name + ':':<{label_width}} {r.rate:8.1f} {r.unit}/s  p50 {r.percentile(50):6.1f} ms  "
        f"p99 {r.percentile(99):6.1f} ms  errors {r.errors}"
    )


def details_for(r: Result) -> str:
    return (
        f"         {r.ok} x 201 in {r.duration:g}s, p90 {r.percentile(90):.1f} ms, "
        f"max {r.percentile(100):.1f} ms, {r.connects} connections, "
        f"client CPU {r.client_cpu * 100:.0f}% of a core, machine busy {r.machine_busy * 100:.0f}% "
        f"(idle server: {r.busy_before * 100:.0f}%)\n"
        f"         server CPU per response: "
        + ", ".join(f"{kind} {ms:.2f} ms" for kind, ms in r.server_cpu.items())
        + f"; {ceiling(r):.0f}/s would fill all {os.cpu_count()} cores (client excluded)"
        + (f"\n         {slow_windows(r)}" if r.latencies else "")
    )


def slow_windows(r: Result, width: float = 0.5) -> str:
    """When the responses slower than the p99 finished: bunched in a few windows of
    ``width`` seconds (the whole server stalled) or spread over the round."""
    p99, p50 = r.percentile(99) / 1000, r.percentile(50) / 1000
    windows: dict[int, list[float]] = {}
    for at, latency in zip(r.finished_at, r.latencies, strict=True):
        windows.setdefault(int(at // width), []).append(latency)
    slow = {w: sum(1 for x in lat if x > p99) for w, lat in windows.items()}
    worst = max(slow, key=lambda w: (slow[w], statistics.median(windows[w])))
    median = statistics.median(windows[worst])
    return (
        f"over the p99: {sum(slow.values())} responses in {sum(1 for n in slow.values() if n)} "
        f"of {len(windows)} windows of {width:g}s; {slow[worst]} in the worst (at {worst * width:g}s, "
        f"its median {median * 1000:.1f} ms = {median / p50:.2f}x the round's p50)"
    )


def ceiling(r: Result) -> float:
    per_request_ms = sum(r.server_cpu.values())
    return (os.cpu_count() or 1) * 1000 / per_request_ms if per_request_ms else float("nan")


def noisy(results: list[Result]) -> str | None:
    busiest = max(results, key=lambda r: r.busy_before)
    if busiest.busy_before < 0.10:
        return None
    return (
        f"note: before the {busiest.name} run the machine was already "
        f"{busiest.busy_before * 100:.0f}% busy with other processes; figures are depressed"
    )


def print_errors(r: Result) -> None:
    if not r.errors:
        return
    print(
        f"  {r.name} errors by status: "
        + ", ".join(f"{status}: {n}" for status, n in r.statuses.items() if status != 201)
    )
    for status, sample in r.error_samples.items():
        print(f"    {status}: {sample}")


def medians(results: list[Result]) -> tuple[float, float, float]:
    """Median over rounds of (rate, p50 ms, p99 ms): each figure's own median."""
    return (
        statistics.median(r.rate for r in results),
        statistics.median(r.percentile(50) for r in results),
        statistics.median(r.percentile(99) for r in results),
    )
