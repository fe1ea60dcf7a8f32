"""How this process serves the console's Socket.IO connections: the async mode it runs in, and
whether its websockets compress their messages.

- **Async mode.** Socket.IO runs in threads (the embedded server, the tests, the RQ workers,
  and ``scripts/serve``'s default gthread worker) unless the process runs under gevent's
  monkey-patching (``SERVE_WORKER=gevent``: gunicorn's gevent worker patches the standard
  library before it loads the app); there it must run on greenlets.
- **Compression.** Browsers offer permessage-deflate and simple-websocket accepts it, so
  every event would be compressed once per console, and each compressing websocket keeps
  its own zlib state: measured, it cost the app processes 70 to 80 % more CPU per event
  (docs/benchmarks.md). ``CONSOLE_WEBSOCKET_COMPRESSION`` is off by default.
- **Message queue.** With ``REDIS_URL`` set, app processes pass events to each other over
  Redis pub/sub; an event emitted after a commit joins that commit's one round trip to Redis
  (``helpdesk.commit_pipeline``).
"""

import logging
import sys

import socketio
from redis.exceptions import RedisError

from helpdesk import commit_pipeline

log = logging.getLogger(__name__)

#: where Engine.IO answers; the only requests whose websocket handshake is touched
SOCKETIO_PATH = "/socket.io"


def async_mode() -> str:
    """``gevent`` when this process runs under gevent's monkey-patching, else ``threading``."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("socket"):
        return "gevent"
    return "threading"


class WithoutWebsocketCompression:
    """WSGI middleware: a Socket.IO websocket handshake loses its ``Sec-WebSocket-Extensions``
    offer, so simple-websocket accepts no permessage-deflate and the browser sends and
    receives plain frames. Every other request passes untouched."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(SOCKETIO_PATH):
            environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return self.app(environ, start_response)


class CommitPipelineRedisManager(socketio.RedisManager):
    """Socket.IO's Redis message queue, except that an event emitted inside a commit's round
    trip to Redis is published on that round trip's pipeline rather than on its own."""

    def _publish(self, data):
        pipe = commit_pipeline.pipeline(on_failure=_not_published)
        if pipe is None:
            return super()._publish(data)
        pipe.publish(self.channel, self.json.dumps(data))
        return None


def _not_published(exc: RedisError) -> None:
    log.warning("live console events not sent to the other app processes: %s", exc)


def message_queue(redis_url: str | None, channel: str) -> socketio.RedisManager | None:
    """The Socket.IO client manager of an app process: None (this process alone) without
    Redis."""
    if not redis_url:
        return None
    return CommitPipelineRedisManager(redis_url, channel=channel, write_only=False)
