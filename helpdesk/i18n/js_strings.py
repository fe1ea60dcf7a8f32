"""The sentences the browser scripts (static/js/*.js) write, for the page's catalogue.

base.html puts them, translated, in ``<script type="application/json" id="i18n">`` (a data
block: the Content-Security-Policy allows no inline script); ``static/js/i18n.js`` reads it
and ``t("English text", {name: ...})`` answers the translation, or the English text when the
catalogue has none. Placeholders are ``{name}``. A new string in a script goes here too.
"""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from helpdesk.i18n import DEFAULT
from helpdesk.i18n.durations import duration_units
from helpdesk.i18n.labels import ROLES

JS_STRINGS = (
    # app.js: the caller lookup while logging a call, suggested answers
    _l("New caller: no record of {phone} yet."),
    _l("Known caller: {name}"),
    _l("Also on file: {name}"),
    _l("no block yet"),
    _l("No open tickets."),
    _l("This does not look like a valid phone number."),
    _l("No article matches yet. Keep typing, or log the ticket."),
    _l("Suggestions are unavailable while search is being rebuilt."),
    _l("Suggestions could not be loaded just now."),
    _l("{name} has a login ({role})"),
    _l(" (opens in a new tab)"),
    _l("{n} article may answer this. Each opens in a new tab."),
    _l("{n} articles may answer this. Each opens in a new tab."),
    # calls.js: incoming-call cards and the screen-pop
    _l("Unknown caller"),
    _l("Dismiss"),
    _l("Incoming call"),
    _l("{n} open ticket:"),
    _l("{n} open tickets:"),
    _l("Call from {name}"),
    _l("On the line"),
    _l("Latest open ticket: {number} · {subject}"),
    _l("Open {number}"),
    _l("Log a new call"),
    _l("No open ticket for this caller."),
    _l("Log this call"),
    # console.js: live rows, SLA chips, presence
    _l("Ticket"),
    _l("Block"),
    _l("Priority"),
    _l("Status"),
    _l("SLA"),
    _l("Assignee"),
    _l("Triage"),
    _l("paused"),
    _l("The SLA clock stops while the ticket waits on the requester."),
    _l("1st response"),
    _l("resolve"),
    _l("{label} in {time}"),
    _l("{label} overdue {time}"),
    _l("{label} due {when} IST"),
    _l("No one else is online."),
    _l("(you)"),
    _l("online"),
    _l("away"),
    _l("offline"),
    _l("live"),
    _l("reconnecting…"),
    _l("Only agents, managers and admins see who is online."),
    # ticket-live.js
    _l("Also viewing: {names}"),
    _l("{names} is typing…"),
    _l("{names} are typing…"),
    _l("This ticket is now {status}."),
    _l("Reload to see every change"),
    # tray.js
    _l("{n} unread notification"),
    _l("{n} unread notifications"),
    _l("Notifications"),
    _l("Mark read"),
    _l("No notifications."),
    _l("Notifications could not be loaded just now."),
    # csat.js: the satisfaction report's chart legends
    _l("Average"),
    _l("Ratings"),
    # reports.js: chart legends
    _l("First response"),
    _l("Resolution"),
    _l("First response median"),
    _l("First response p90"),
    _l("Resolution median"),
    _l("Resolution p90"),
    _l("Open tickets"),
    _l("Created"),
    _l("Resolved"),
    _l("First response compliance %"),
    _l("Resolution compliance %"),
    # statuses and priorities as the scripts draw badges
    _l("New"),
    _l("Open"),
    _l("Pending"),
    _l("Escalated"),
    _l("Closed"),
    _l("Low"),
    _l("Normal"),
    _l("High"),
    _l("Urgent"),
    # callbacks.js: the console's queue of missed calls to return
    _l("What came of it?"),
    _l("Save"),
    _l("Cancel"),
    _l("Write what came of the call back."),
    _l("Could not save."),
    _l("Could not reach the helpdesk. Try again."),
    _l("{n} missed call, latest {when}"),
    _l("{n} missed calls, latest {when}"),
    _l("Call back"),
    _l("Mark done"),
    # call-report.js: legends and tooltips of the call figures' charts
    _l("Answered"),
    _l("Abandoned"),
    _l("Offered"),
    _l("Calls offered"),
    _l("{n} call"),
    _l("{n} calls"),
    _l("Service level %"),
    _l("Abandoned %"),
    # attachments.js: photos and files sent with a ticket or a reply
    _l("Send at most {n} files at once."),
    _l("{name} is {size}: larger than {max} MB. Send a smaller photo or file."),
    _l("{name} is empty."),
    _l("Sending… {progress} of {size}"),
    _l("Sent. Opening…"),
    _l("The file is too large."),
    _l("The files could not be sent ({status})."),
    _l("The upload stopped. Check the connection and send again."),
    # replies.js: the reply box's canned-response picker
    _l("mine"),
    _l("Responses could not be loaded."),
    _l("The response could not be inserted."),
    # enterprise.js: the chart's series
    _l("Tickets"),
    _l("Calls"),
)


def js_catalogue() -> dict[str, str]:
    """English → the page's language, for the strings that differ; each role's name
    under ``role:<code>`` (the API answers codes); the duration units under
    ``duration:<unit>:one|other``."""
    roles = {f"role:{code}": str(label) for code, label in ROLES.items()}
    keyed = roles | duration_units()  # app.js's helpdeskDuration speaks as the pages do
    if str(get_locale()) == DEFAULT:
        return keyed
    return keyed | {s._args[0]: str(s) for s in JS_STRINGS if str(s) != s._args[0]}
