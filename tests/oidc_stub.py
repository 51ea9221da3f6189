"""A minimal OpenID Connect provider for tests: real HTTP on 127.0.0.1, RS256-signed ID tokens,
a JWKS endpoint and userinfo. It grants whatever identity the test asked for."""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.services import free_port


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class OIDCProviderStub:
    def __init__(self, client_id: str = "passerelle", client_secret: str = "secret"):
        self.client_id, self.client_secret = client_id, client_secret
        self.port = free_port()
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.claims: dict = {}
        self.codes: dict[str, dict] = {}
        self.server = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self) -> dict:
        return {
            "OIDC_ENABLED": True,
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.base}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.base}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.base}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.base}/jwks",
            "OIDC_RP_SIGN_ALGO": "RS256",
        }

    def issue_code(self, nonce: str) -> str:
        code = f"code-{len(self.codes)}"
        self.codes[code] = {"nonce": nonce, "claims": dict(self.claims)}
        return code

    def app(self, environ, start_response):
        route = environ["PATH_INFO"]
        if route == "/jwks":
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
            return self._json(
                start_response, {"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}
            )
        if route == "/token":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = parse_qs(environ["wsgi.input"].read(size).decode())
            grant = self.codes.pop(form.get("code", [""])[0], None)
            if grant is None or form.get("client_secret", [""])[0] != self.client_secret:
                return self._json(start_response, {"error": "invalid_grant"}, "400 Bad Request")
            now = int(time.time())
            id_token = jwt.encode(
                {"iss": self.base, "aud": self.client_id, "sub": grant["claims"]["email"],
                 "iat": now, "exp": now + 300, "nonce": grant["nonce"]},
                self.key, algorithm="RS256", headers={"kid": "k1"},
            )  # fmt: skip
            self._last_claims = grant["claims"]
            return self._json(
                start_response,
                {"access_token": "access-token", "id_token": id_token, "token_type": "Bearer"},
            )
        if route == "/userinfo":
            return self._json(start_response, self._last_claims)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    @staticmethod
    def _json(start_response, payload, status="200 OK"):
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(payload).encode()]

    def start(self) -> OIDCProviderStub:
        self.server = make_server("127.0.0.1", self.port, self.app, handler_class=QuietHandler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
