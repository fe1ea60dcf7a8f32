"""Protective headers on every response the site sends: pages, the API, static files, error
pages, and Socket.IO's own answers (which never reach Flask's after_request, hence a WSGI
middleware around the whole app)."""

from collections.abc import Callable, Iterable

#: Scripts, styles and sockets come from this site only; no inline script, no inline style
#: attribute, no framing (clickjacking), no plugins, no <base> rewriting. Data blocks such as
#: <script type="application/json"> are not executed, so the policy leaves them alone.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    # Ticket URLs name people's problems: other sites learn nothing of where a link was.
    ("Referrer-Policy", "same-origin"),
    # frame-ancestors for browsers that predate it.
    ("X-Frame-Options", "DENY"),
)


class SecurityHeaders:
    """WSGI middleware adding :data:`SECURITY_HEADERS` to every response that does not set
    its own value for one of them (a route may send a stricter policy, e.g. for a file)."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        def start_with_headers(status: str, headers: list[tuple[str, str]], exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers.extend(
                (name, value) for name, value in SECURITY_HEADERS if name.lower() not in present
            )
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_with_headers)
