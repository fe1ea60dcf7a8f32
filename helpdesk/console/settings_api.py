"""API: the console's settings (auto-assignment on or off)."""

from flask import g, jsonify

from helpdesk.api import api_v1
from helpdesk.api.auth import api_user
from helpdesk.api.spec import endpoint
from helpdesk.console.settings import console_settings, update_settings
from helpdesk.tickets.schemas import Strict


class ConsoleSettingsPatch(Strict):
    #: new tickets are assigned to an online agent who speaks their language
    auto_assign: bool


@api_v1.get("/console/settings")
@endpoint(summary="The console settings", roles=("agent", "manager", "admin"), tag="console")
def get_console_settings():
    """``{"auto_assign": bool, "updated_at"}``."""
    return jsonify(console_settings().to_dict())


@api_v1.patch("/console/settings")
@endpoint(
    summary="Switch auto-assignment on or off",
    body=ConsoleSettingsPatch,
    roles=("admin",),
    tag="console",
)
def patch_console_settings():
    """Admins only. With ``auto_assign`` on, each new ticket is assigned by a background job
    to an online agent who speaks its language, least open load first, taking turns."""
    return jsonify(update_settings(api_user(), auto_assign=g.body.auto_assign).to_dict())
