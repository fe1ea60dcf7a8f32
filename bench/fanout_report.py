"""What bench/console_fanout.py prints: each run's figures, then each variant's over its
rounds, and the production setup against the goal and the setup before."""

from __future__ import annotations

import os

from fanout_servers import PRODUCTION, REFERENCE, VARIANTS

TARGET_P95_MS = 250.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def latency_line(name: str, values: list[float]) -> str:
    return (
        f"{name:<34} p50 {percentile(values, 50):7.1f} ms  p95 {percentile(values, 95):7.1f} ms"
        f"  p99 {percentile(values, 99):7.1f} ms  max {max(values, default=float('nan')):7.1f} ms"
    )


def met_goal(run: dict) -> bool:
    return (
        run["connected"] == run["consoles"]
        and run["delivered"] == run["expected"]
        and percentile(run["since_sent"], 95) <= TARGET_P95_MS
    )


def print_run(args, variant: str, run: dict) -> None:
    settings = " ".join(f"{k}={v}" for k, v in VARIANTS[variant].items())
    wall, app_cpu = run["wall"], run["app_cpu"]
    expected = run["expected"]
    print(f"== {variant} ({settings})")
    print(
        f"machine load average before/after: {run['load'][0]:.2f} / {run['load'][1]:.2f}"
        f" ({os.cpu_count()} CPUs, shared)"
    )
    print(
        f"consoles connected: {run['connected']} of {run['consoles']} by"
        f" {run['client_processes']} client processes ({args.client} client,"
        f" {'no deflate offered' if args.no_deflate else 'offering permessage-deflate'})"
        f" (websocket; still connected at the end: {run['alive']})"
    )
    errors = run["errors"]
    print(
        f"tickets created:    {run['tickets']} of {int(args.rate * args.duration)}"
        f"  (API errors {len(errors)})" + (f"  first error: {errors[0][:200]}" if errors else "")
    )
    print(
        f"ticket.created:     expected {expected}, delivered {run['delivered']}"
        f" ({100 * run['delivered'] / expected if expected else 0:.2f}%);"
        f" ticket.updated received {run['updated']}"
    )
    print(latency_line("latency since POST sent", run["since_sent"]))
    print(latency_line("latency since created_at (commit)", run["since_created"]))
    print(latency_line("API POST /api/v1/tickets", run["api"]))
    print(latency_line("POST sent to first console", run["to_first"]))
    print(latency_line("first to last console (fan-out)", run["spread"]))
    print(
        f"CPU over {wall:.1f}s (user+sys s): app processes {app_cpu:.1f}"
        f" ({100 * app_cpu / wall:.0f}% of a core), RQ workers {run['rq_cpu']:.1f},"
        f" Redis {run['redis_cpu']:.1f} (whole server), console clients {run['client_cpu']:.1f}"
    )
    print(f"app processes' threads waited for a CPU {run['app_wait']:.1f}s (runnable, not running)")
    print(f"p95 <= {TARGET_P95_MS:.0f} ms since POST sent: {'yes' if met_goal(run) else 'NO'}")


def print_summary(args, runs: dict[str, list[dict]]) -> None:
    """Each variant over its rounds (latencies pooled), then the production setup against
    the goal and against the reference measured in the same sitting."""
    print(
        f"== summary: {args.clients} consoles, {args.processes} app processes, p95 since POST sent"
    )
    p95 = {}
    for variant, done in runs.items():
        pooled = [v for run in done for v in run["since_sent"]]
        p95[variant] = percentile(pooled, 95)
        loads = ", ".join(f"{r['load'][0]:.1f}/{r['load'][1]:.1f}" for r in done)
        app = sum(r["app_cpu"] for r in done) / len(done)
        wait = sum(r["app_wait"] for r in done) / len(done)
        delivered = sum(r["delivered"] for r in done)
        expected = sum(r["expected"] for r in done)
        print(
            f"{variant:<16} p50 {percentile(pooled, 50):6.1f} ms  p95 {p95[variant]:6.1f} ms"
            f"  p99 {percentile(pooled, 99):6.1f} ms  delivered {delivered}/{expected}"
            f"  app CPU {app:.1f} s/run, waited {wait:.1f} s/run  load before/after {loads}"
        )
    if PRODUCTION in runs:
        kept = p95[PRODUCTION]
        goal = all(met_goal(r) for r in runs[PRODUCTION])
        line = (
            f"production setup ({PRODUCTION}, scripts/serve): p95 {kept:.1f} ms;"
            f" goal p95 <= {TARGET_P95_MS:.0f} ms: {'met' if goal else 'NOT met'}"
        )
        if REFERENCE in runs:
            line += (
                f"; {kept / p95[REFERENCE]:.2f}x the p95 of {REFERENCE}"
                f" ({p95[REFERENCE]:.1f} ms, the setup before, same sitting)"
            )
        print(line)
