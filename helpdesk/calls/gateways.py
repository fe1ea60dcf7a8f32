"""SMS gateways: how a text leaves the helpdesk.

``SMS_GATEWAY`` names the class as a dotted path (``package.module:Class`` or
``package.module.Class``); it is built with no arguments and may read ``current_app.config``.
The default, ``LoggingGateway``, sends nothing: it logs each text and keeps the last ones in
memory, for development and tests.
"""

import itertools
import logging
from collections import deque
from importlib import import_module
from typing import Protocol

from flask import current_app

log = logging.getLogger(__name__)
DEFAULT_GATEWAY = "helpdesk.calls.gateways:LoggingGateway"


class SmsGateway(Protocol):
    def send(self, to: str, text: str) -> str:
        """Send ``text`` to the E.164 number ``to``; return the provider's message id.
        Raise any exception when the provider refuses it (the message is marked failed)."""


class LoggingGateway:
    """Logs instead of sending; ``LoggingGateway.sent`` holds the last 100 (to, text, id)."""

    sent: deque = deque(maxlen=100)
    _ids = itertools.count(1)

    def send(self, to: str, text: str) -> str:
        provider_id = f"log-{next(self._ids)}"
        log.info("SMS to %s (%s): %s", to, provider_id, text)
        self.sent.append((to, text, provider_id))
        return provider_id


def load_gateway(path: str) -> type:
    module_name, _, name = path.replace(":", ".").rpartition(".")
    return getattr(import_module(module_name), name)


def gateway_for_app() -> SmsGateway:
    """The configured gateway (one instance per app and path)."""
    path = current_app.config.get("SMS_GATEWAY") or DEFAULT_GATEWAY
    cache = current_app.extensions.setdefault("sms_gateways", {})
    if path not in cache:
        cache[path] = load_gateway(path)()
    return cache[path]
