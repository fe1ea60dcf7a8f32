"""E-mail as a channel: mail in (a webhook and an IMAP mailbox, through one intake
service) becomes tickets and replies; public replies, escalations and SLA alerts go out by
SMTP through jobs.

Built on the ticket services and the domain signals (``helpdesk.signals``); the base
packages never import it.
"""
