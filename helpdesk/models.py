"""Imports every model so metadata is complete for create_all() and Alembic."""

from helpdesk.administration.models import AdminAuditEntry  # noqa: F401
from helpdesk.agents.models import ApiToken, User, UserSession  # noqa: F401
from helpdesk.attachments.models import Attachment  # noqa: F401
from helpdesk.calls.models import Call, Callback, SmsMessage  # noqa: F401
from helpdesk.console.models import ConsoleSettings, Notification  # noqa: F401
from helpdesk.contacts.models import Contact  # noqa: F401
from helpdesk.enterprises.models import Enterprise  # noqa: F401
from helpdesk.geography.models import Block, District, State  # noqa: F401
from helpdesk.jobs.models import OutboxJob  # noqa: F401
from helpdesk.knowledge.models import Article, ArticleRevision, ArticleTicketLink, ArticleVote  # noqa: F401
from helpdesk.mail.models import EmailMessage  # noqa: F401
from helpdesk.replies.models import CannedResponse  # noqa: F401
from helpdesk.satisfaction.models import SatisfactionRating  # noqa: F401
from helpdesk.sla.models import SlaCalendar, SlaHoliday, SlaPolicy  # noqa: F401
from helpdesk.tickets.models import (  # noqa: F401
    Category,
    Message,
    SavedView,
    Ticket,
    TicketEvent,
)
