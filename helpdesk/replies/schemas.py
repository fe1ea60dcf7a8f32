"""What a canned-response request may contain."""

from helpdesk.tickets.schemas import Language, Slug, Strict, text
from helpdesk.validation import Id

Title = text(1, 120)
ResponseBody = text(1, 5000)


class ResponseIn(Strict):
    title: Title
    #: the text; ``{requester_name}``, ``{ticket_number}``, ``{agent_name}`` and
    #: ``{block_name}`` are filled in when it is sent
    body: ResponseBody
    language: Language
    #: category slug, or null for any category
    category: Slug | None = None
    #: true: everyone's (managers and admins only); false: the author's own
    shared: bool = False


class ResponseUpdate(Strict):
    title: Title | None = None
    body: ResponseBody | None = None
    language: Language | None = None
    category: Slug | None = None
    shared: bool | None = None


class FillIn(Strict):
    #: the ticket whose requester, number and block fill the placeholders
    ticket: Id
