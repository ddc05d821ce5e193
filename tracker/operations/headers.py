"""Security headers on every response: pages, the API, static files and error pages.

The Content-Security-Policy allows scripts, styles, images and fonts from this
app only: no inline <script> or style= (the templates have none; JavaScript
lives in tracker/static/), no other origin, no framing. A few explicit lines
rather than a library: there is nothing to configure but HSTS."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask


def content_security_policy(app: Flask) -> str:
    """The policy; a form may also lead to the organisation's identity provider (OIDC_ISSUER): signing
    out is a form, and it ends at the provider's sign-out page (a redirect a form's CSP governs)."""
    form_action = "form-action 'self'"
    issuer = urlsplit(app.config.get("OIDC_ISSUER") or "")
    if issuer.scheme in ("http", "https") and issuer.netloc:
        form_action += f" {issuer.scheme}://{issuer.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            form_action,
            "frame-ancestors 'none'",
        ]
    )


SECURITY_HEADERS = {
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
    policy = content_security_policy(app)

    @app.after_request
    def add_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        return response
