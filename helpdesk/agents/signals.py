"""What other features hear about people: sent by ``agents.services`` after the commit.

Receivers take ``**kwargs`` so a new argument breaks nobody, and never raise into the
sender (they log). The live console connects to these in the app factory.
"""

from blinker import Namespace

_signals = Namespace()

user_deactivated = _signals.signal(
    "user-deactivated",
    doc="""A user was deactivated and the change is committed: cut them off everywhere at
    once (their API tokens are already deleted; live connections must close). The sender
    is the User.""",
)

user_access_changed = _signals.signal(
    "user-access-changed",
    doc="""An active user's role, block or states changed (committed), so what they may see
    changed. The sender is the User; ``previous_role``, ``previous_block_id`` and
    ``previous_states`` say what they were.""",
)
