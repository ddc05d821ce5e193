"""Identity providers for the sign-in tests, each on a free loopback port.

- `RealProvider`: the certified `oidc-provider` package from npm (tests/oidc_provider/, installed by
  `make test`), run by Node.js. Its own sign-in page takes any login name; `accounts` decides the claims.
- `ForgingProvider`: a small provider of the test's own, speaking the same HTTP (discovery, JWKS,
  authorize, token), whose ID tokens the test forges: another audience, an unknown key, a wrong
  nonce, an expired token. A code works once, as at a real provider."""
from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.server_support import free_port

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "oidc_provider"
CLIENT_ID, CLIENT_SECRET = "burden-tracker", "test-client-secret"


def settings(issuer: str, **extra) -> dict:
    """The app's settings for a provider at `issuer`."""
    return {"OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_TIMEOUT_SECONDS": 5, **extra}


class RealProvider:
    def __init__(self, app_url: str, accounts: dict):
        if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError("oidc-provider is not installed: run `make test` (it runs npm ci in tests/oidc_provider)")
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PORT": str(self.port), "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
               "REDIRECT_URI": f"{app_url}/login/organisation/callback",
               "POST_LOGOUT_REDIRECT_URI": f"{app_url}/login", "ACCOUNTS": json.dumps(accounts)}
        self.process = subprocess.Popen(["node", "provider.mjs"], cwd=PROVIDER_DIR, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.issuer}/.well-known/openid-configuration", timeout=2):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"oidc-provider exited: {self.process.stdout.read()}")
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("oidc-provider did not start within 30 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class ForgingProvider:
    """Discovery, JWKS, authorize (straight back with a code) and token, with ID tokens made by `forge`."""

    def __init__(self):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "published"})
        self.claims: dict = {}  # what the next ID token says (beyond iss, aud, exp, iat, nonce)
        self.forge: dict = {}  # how to spoil it: audience, nonce, expired, signing_key
        self.nonces: dict[str, str] = {}  # code -> the nonce its authorize request carried
        self.used_codes: set[str] = set()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path == "/.well-known/openid-configuration":
                    return self._json(200, provider.metadata())
                if parts.path == "/jwks":
                    return self._json(200, {"keys": [provider.key.as_dict(private=False)]})
                if parts.path == "/authorize":
                    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                    code = f"code-{len(provider.nonces) + 1}"
                    provider.nonces[code] = query.get("nonce", "")
                    self.send_response(302)
                    self.send_header("Location", f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}")
                    self.end_headers()
                    return None
                return self._json(404, {})

            def do_POST(self):
                body = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
                code = body.get("code", [""])[0]
                if code not in provider.nonces or code in provider.used_codes:
                    return self._json(400, {"error": "invalid_grant", "error_description": "code already used"})
                provider.used_codes.add(code)
                return self._json(200, {"access_token": "at", "token_type": "Bearer", "expires_in": 300,
                                        "id_token": provider.id_token(provider.nonces[code])})

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def metadata(self) -> dict:
        return {"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                "id_token_signing_alg_values_supported": ["RS256"], "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "code_challenge_methods_supported": ["S256"]}

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        expired = self.forge.get("expired")
        claims = {"iss": self.issuer, "aud": self.forge.get("audience", CLIENT_ID),
                  "iat": now - 7200 if expired else now, "exp": now - 3600 if expired else now + 300,
                  "nonce": self.forge.get("nonce", nonce), **self.claims}
        key = self.forge.get("signing_key", self.key)
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
