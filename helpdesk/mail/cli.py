"""`flask --app wsgi email poll`: take mail from IMAP_URL and send mail whose retry is due."""

import logging
import time

import click
from flask import current_app
from flask.cli import AppGroup

log = logging.getLogger(__name__)
email_cli = AppGroup("email", help="E-mail: poll the mailbox, retry deliveries.")


def poll_once() -> dict[str, int]:
    """One pass: the unseen mail of IMAP_URL (when set), then mail due for a retry."""
    from helpdesk.mail.delivery import retry_due_mail
    from helpdesk.mail.imap import poll_mailbox

    counts: dict[str, int] = {}
    url = current_app.config.get("IMAP_URL")
    if url:
        counts |= poll_mailbox(url)
    retried = retry_due_mail()
    counts |= {"retried": retried["tried"], "retried_sent": retried["sent"]}
    return counts


@email_cli.command("poll")
@click.option("--loop", is_flag=True, help="keep polling, every IMAP_POLL_SECONDS")
@click.option("--every", type=int, default=None, help="seconds between passes (with --loop)")
def poll_command(loop: bool, every: int | None):
    """Take new mail from IMAP_URL into tickets and retry deliveries that are due."""
    every = every or current_app.config.get("IMAP_POLL_SECONDS", 60)
    while True:
        try:
            counts = poll_once()
            click.echo(" ".join(f"{key}={value}" for key, value in counts.items()))
        except Exception as exc:  # the mailbox may be down: say so, keep looping
            if not loop:
                raise click.ClickException(f"poll failed: {exc}") from exc
            log.exception("mail poll failed")
            click.echo(f"poll failed: {exc}", err=True)
        if not loop:
            return
        time.sleep(every)
