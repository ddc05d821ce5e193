"""The organisation's identity provider (OpenID Connect), through Authlib: the client and the flow's two ends.

Configured by OIDC_ISSUER (discovery from its /.well-known/openid-configuration),
OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_SCOPES. The authorization code flow
with PKCE (S256), `state` and `nonce`; Authlib checks the ID token's signature
against the provider's JWKS (fetched again when a token names a key it does not
know, so keys the provider rotates are picked up), its issuer, audience, expiry
and nonce. With no OIDC_ISSUER nothing here is set up and nothing changes."""
from __future__ import annotations

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app, session, url_for
from joserfc.errors import JoseError

EXTENSION = "oidc_client"
ID_TOKEN_KEY = "oidc_id_token"  # kept in the session for the provider's sign-out (id_token_hint)


class ProviderAway(Exception):
    """The provider did not answer (discovery, keys or the token exchange)."""


class FlowRefused(Exception):
    """The answer that came back cannot be trusted; `reason` goes to the audit trail and the log."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def init_app(app) -> None:
    """Register the provider's client when OIDC_ISSUER is set (one per app, so tests may run several)."""
    issuer = (app.config.get("OIDC_ISSUER") or "").rstrip("/")
    if not issuer:
        return
    oauth = OAuth(app)
    app.extensions[EXTENSION] = oauth.register(
        "organisation",
        client_id=app.config.get("OIDC_CLIENT_ID"),
        client_secret=app.config.get("OIDC_CLIENT_SECRET"),
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": app.config.get("OIDC_SCOPES") or "openid email profile",
            "code_challenge_method": "S256",
            "timeout": app.config.get("OIDC_TIMEOUT_SECONDS", 10),
        },
    )


def enabled(app=None) -> bool:
    return EXTENSION in (app or current_app).extensions


def _client():
    return current_app.extensions[EXTENSION]


def issuer() -> str:
    """The issuer as the provider names itself (its discovery document), which ID tokens must carry."""
    return _client().load_server_metadata()["issuer"]


def start(redirect_uri: str):
    """The redirect to the provider's sign-in page (state, nonce and the PKCE verifier kept in the session)."""
    try:
        return _client().authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError, KeyError) as error:
        raise ProviderAway(str(error)) from None


def finish() -> dict:
    """The ID token's checked claims for the callback's code; FlowRefused or ProviderAway otherwise."""
    client = _client()
    try:
        token = client.authorize_access_token()
    except MismatchingStateError:
        raise FlowRefused("state", "This sign-in was not started here, or its page was already used. "
                          "Start again from the sign-in page.") from None
    except OAuthError as error:  # the provider refused the code: used already, expired, or access denied
        raise FlowRefused(f"provider:{error.error}", "Your organisation's sign-in did not accept this attempt "
                          f"({error.error}). Start again from the sign-in page.") from None
    except requests.RequestException as error:
        raise ProviderAway(str(error)) from None
    except (JoseError, AuthlibBaseError, ValueError) as error:  # signature, issuer, audience, expiry or nonce
        raise FlowRefused(f"id_token:{error.__class__.__name__}", "The answer from your organisation's sign-in "
                          "could not be checked, so you were not signed in. Start again from the sign-in page.") from None
    claims = token.get("userinfo")
    if not claims:
        raise FlowRefused("id_token:missing", "Your organisation's sign-in sent no ID token. Start again.")
    session[ID_TOKEN_KEY] = token.get("id_token")
    return dict(claims)


def provider_logout_url(post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser to sign out at the provider too, when it offers RP-initiated logout."""
    id_token = session.pop(ID_TOKEN_KEY, None)
    if not enabled() or not id_token:
        return None
    try:
        if not _client().load_server_metadata().get("end_session_endpoint"):
            return None
        return _client().create_logout_url(post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token)["url"]
    except (requests.RequestException, RuntimeError, ValueError):
        return None  # the provider is away: signed out here, which is what matters


def callback_url() -> str:
    return url_for("organisation_sign_in.callback", _external=True)
