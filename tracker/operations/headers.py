"""Security headers on every response: pages, the API, static files and error pages.

The Content-Security-Policy allows scripts, styles, images and fonts from this
app only: no inline <script> or style= (the templates have none; JavaScript
lives in tracker/static/), no other origin, no framing. A few explicit lines
rather than a library: there is nothing to configure but HSTS."""
from __future__ import annotations

from flask import Flask

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def strict_transport_security(app: Flask) -> str | None:
    """HSTS outside development (`HSTS_SECONDS`, 0 turns it off): the app is served over HTTPS there."""
    seconds = int(app.config.get("HSTS_SECONDS") or 0)
    return f"max-age={seconds}; includeSubDomains" if seconds > 0 else None


def register(app: Flask) -> None:
    hsts = strict_transport_security(app)

    @app.after_request
    def add_security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        return response
