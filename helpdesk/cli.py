"""Command line: `flask --app wsgi users create|seed-demo|jobs ...` (`db upgrade` is Flask-Migrate's)."""

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from helpdesk.errors import DomainError

users_cli = AppGroup("users", help="Manage users.")
jobs_cli = AppGroup("jobs", help="Background jobs: RQ worker and outbox relay.")
kb_cli = AppGroup("kb", help="Knowledge base.")
sla_cli = AppGroup("sla", help="SLA clocks.")
tickets_cli = AppGroup("tickets", help="Tickets.")
attachments_cli = AppGroup("attachments", help="Attachment files.")


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role", required=True, type=click.Choice(["agent", "mentor", "brc", "manager", "admin"])
)
@click.option("--password", required=True)
@click.option("--block", default=None, help="block code (required for brc)")
@click.option("--languages", default="", help="e.g. hi,en")
@click.option("--skills", default="", help="category slugs, e.g. business-plan,bank-linkage")
@click.option("--states", default="", help="e.g. IN-JH,IN-BR")
@click.option("--phone", default=None)
def create_user_command(email, name, role, password, block, languages, skills, states, phone):
    """Create a user."""
    from helpdesk.agents.services import create_user

    try:
        user = create_user(
            email=email,
            name=name,
            role=role,
            password=password,
            block=block,
            languages=_split(languages),
            skills=_split(skills),
            states=_split(states),
            phone=phone,
        )
    except DomainError as exc:  # invalid fields (422) or an e-mail already in use (409)
        for field, why in exc.fields.items():
            click.echo(f"--{field}: {why}", err=True)
        raise click.exceptions.Exit(2) from exc
    click.echo(f"created {user.role} {user.email} (id {user.id})")


@users_cli.command("deactivate")
@click.option("--email", required=True)
def deactivate_user_command(email):
    """Cut a user off at once: no more sign-in, API tokens deleted, open consoles closed."""
    from helpdesk.agents.services import deactivate_user, user_by_email

    user = user_by_email(email)
    if user is None:
        click.echo(f"--email: no user {email}", err=True)
        raise click.exceptions.Exit(2)
    deactivate_user(user)
    click.echo(f"deactivated {user.role} {user.email} (id {user.id})")


@jobs_cli.command("worker")
@click.option(
    "--queue",
    "queues",
    multiple=True,
    default=["default"],
    show_default=True,
    help="queue(s) to work: default, search. Run exactly ONE worker for 'search' "
    "(the single search-index writer).",
)
@click.option("--burst", is_flag=True, help="stop when the queue is empty")
@click.option("--relay-every", default=5.0, show_default=True, help="seconds between outbox relays")
def worker_command(queues: tuple[str, ...], burst: bool, relay_every: float):
    """Run an RQ worker inside the app, relaying the outbox to Redis meanwhile."""
    from helpdesk.jobs.worker import run_worker

    run_worker(
        current_app._get_current_object(),
        queues=tuple(queues),
        burst=burst,
        relay_every=relay_every,
    )


@jobs_cli.command("relay")
def relay_command():
    """Deliver jobs kept in the outbox (for example after a Redis outage)."""
    from helpdesk.jobs import relay_outbox

    click.echo(f"delivered {relay_outbox()} job(s)")


@click.command("seed-demo")
@click.option("--tickets", "ticket_count", default=240, show_default=True)
def seed_demo_command(ticket_count: int):
    """Load demo geography, users of every role and realistic tickets."""
    from helpdesk.demo.seed import seed_demo

    seed_demo(ticket_count=ticket_count)


@kb_cli.command("reindex")
def reindex_command():
    """Rebuild the search index from the database (articles and solved tickets)."""
    from helpdesk.knowledge import indexing, tasks

    total = indexing.document_count()
    with click.progressbar(length=total, label="indexing", show_pos=True) as bar:
        done = [0]

        def progress(count: int) -> None:
            bar.update(count - done[0])
            done[0] = count

        def writing() -> None:
            # The commit takes a fifth to a third of the rebuild, with the bar at its end:
            # the bar says what the wait is for.
            bar.label = "writing the index to disk"
            bar.render_progress()

        counts = tasks.rebuild(progress=progress, writing=writing)
    click.echo(
        f"indexed {counts['indexed']} document(s), skipped {counts['skipped']}, "
        f"in {counts['seconds']} s (writing {counts['commit_seconds']} s)"
    )


@sla_cli.command("reconcile")
def sla_reconcile_command():
    """Record SLA warnings and breaches that timers missed (run from cron without Redis)."""
    from helpdesk.sla.timers import reconcile_sla

    counts = reconcile_sla()
    click.echo(f"checked {counts['checked']} open ticket(s), {counts['breaches']} new breach(es)")


@tickets_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv"]),
    default=None,
    help="default: from the file's extension",
)
@click.option(
    "--batch-size",
    default=200,
    show_default=True,
    type=click.IntRange(1, 500),
    help="tickets per all-or-nothing batch",
)
@click.option(
    "--skip",
    default=0,
    show_default=True,
    type=click.IntRange(0),
    help="leave out the file's first N tickets (already imported)",
)
def import_tickets_command(file: Path, fmt: str | None, batch_size: int, skip: int):
    """Import historical tickets (JSON as the API takes them, or a CSV call log; see the
    README). Each batch is all or nothing; the first bad batch stops the import."""
    from pydantic import ValidationError

    from helpdesk.errors import DomainError, field_errors_from_pydantic
    from helpdesk.tickets import import_files, importing

    fmt = fmt or ("csv" if file.suffix.lower() == ".csv" else "json")
    try:
        sources = import_files.read_file(file, fmt)
    except import_files.ImportFileError as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    done = batches = 0
    offset, sources = min(skip, len(sources)), sources[skip:]
    with click.progressbar(length=len(sources), label="importing", show_pos=True) as bar:
        for start in range(0, len(sources), batch_size):
            chunk, first = sources[start : start + batch_size], offset + start
            try:
                batch = importing.ImportBatch.model_validate({"tickets": [s.data for s in chunk]})
                importing.import_batch(batch)
            except (ValidationError, DomainError) as exc:
                fields = (
                    field_errors_from_pydantic(exc)
                    if isinstance(exc, ValidationError)
                    else exc.fields or {"batch": exc.message}
                )
                click.echo("", err=True)
                click.echo(
                    f"batch {batches + 1} (tickets {first + 1}-{first + len(chunk)} of the "
                    "file) was not imported:",
                    err=True,
                )
                for problem in import_files.describe(fields, chunk, first):
                    click.echo(f"  {problem}", err=True)
                click.echo(
                    f"{batches} batch(es) with {done} ticket(s) were imported before it; "
                    f"fix the file and run again with --skip {first}.",
                    err=True,
                )
                raise click.exceptions.Exit(1) from exc
            done += len(chunk)
            batches += 1
            bar.update(len(chunk))
    click.echo(f"imported {done} ticket(s) in {batches} batch(es)")


@sla_cli.command("backfill")
@click.option("--batch", default=500, show_default=True, help="tickets per transaction")
def sla_backfill_command(batch: int):
    """Store the report figures (business minutes, breach flags) of existing tickets."""
    from helpdesk.sla.policies import backfill_figures, ticket_ids

    ids = ticket_ids()
    with click.progressbar(length=len(ids), label="tickets", show_pos=True) as bar:
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            backfill_figures(chunk)
            bar.update(len(chunk))
    click.echo(f"stored the SLA figures of {len(ids)} ticket(s)")


@attachments_cli.command("sweep")
@click.option(
    "--older-than-hours",
    default=24,
    show_default=True,
    type=click.IntRange(1),
    help="leave younger files alone (an upload may still be committing)",
)
def attachments_sweep_command(older_than_hours: int):
    """Delete attachment files that no ticket's attachment names (left by a crash between
    writing a file and committing it). Safe to run from cron."""
    from helpdesk.attachments.services import sweep_orphans

    removed = sweep_orphans(older_than_hours * 3600)
    click.echo(f"deleted {removed} orphan file(s)")


def register_cli(app: Flask) -> None:
    from helpdesk.mail.cli import email_cli

    app.cli.add_command(email_cli)
    app.cli.add_command(tickets_cli)
    app.cli.add_command(attachments_cli)
    app.cli.add_command(sla_cli)
    app.cli.add_command(kb_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(seed_demo_command)
