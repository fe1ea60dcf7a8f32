"""What a rating request may contain (the API and the portal form alike)."""

from typing import Literal

from helpdesk.tickets.schemas import Strict
from helpdesk.validation import text

Comment = text(0, 2000)


class RatingIn(Strict):
    rating: Literal[1, 2, 3, 4, 5]
    comment: Comment = ""
