"""The development issuer: an OpenID Connect issuer of the project's own, for `make run` and
the tests, where no real one (Keycloak, Auth0, Entra ID, Google) is configured. It refuses
to start in production.

- Its signing key (RSA) is made once and kept (`.run/dev-issuer-key.pem`); its public half
  is served as a JWKS, with a discovery document, as any issuer's.
- `POST /token`: client credentials for the services (their secrets from
  SERVICE_CLIENT_SECRETS), and the authorization code with PKCE (S256 only) for the console.
- `GET /authorize`: the dev sign-in page: pick who to be (`PERSONAS`), no password. It
  sends the code only back to a service of the stack or to CONSOLE_BASE_URL (the redirect
  URI's origin is checked), for one of the pages' clients (`PAGE_CLIENTS`).
- `mint()` and `python -m deploy.dev_issuer token --role agent --sellers A1DEMOSELLER`
  (`make token`): a token printed for curl and the benches.
"""

import argparse
import html
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

import jwt
import uvicorn
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.security import HTTPBasic

from deploy.components import RUN_DIR
from services.analytics.settings import AnalyticsSettings
from shared.identity import Role
from shared.settings import SERVICE_NAMES, ServiceSettings

KEY_FILE = RUN_DIR / "dev-issuer-key.pem"
TOKEN_SECONDS = 3600
CODE_SECONDS = 120
CONSOLE = "console"  # the console's client id: a public client, PKCE
# The pages people sign in to, each a public client (PKCE): the console, the technician's
# bench, the warehouse floor.
PAGE_CLIENTS = frozenset({CONSOLE, "bench", "floor"})

# The demo seller's accounts, one per channel (deploy/channel_accounts.json).
DEMO_SELLERS = (
    "demo-seller",
    "demo-outlet.myshopify.com",
    "10000000001",
    "demo_outlet",
    "A1DEMOSELLER",
)


@dataclass(frozen=True)
class Persona:
    """Someone the dev sign-in page lets you be."""

    subject: str
    name: str
    roles: tuple[Role, ...]
    sellers: tuple[str, ...] = ()
    warehouses: tuple[str, ...] = ()
    repair_shops: tuple[str, ...] = ()

    def claims(self) -> dict[str, Any]:
        return {
            "sub": self.subject,
            "name": self.name,
            "roles": [r.value for r in self.roles],
            "sellers": list(self.sellers),
            "warehouses": list(self.warehouses),
            "repair_shops": list(self.repair_shops),
        }


PERSONAS = {
    p.subject: p
    for p in (
        Persona("demo-agent", "Demo seller's agent", (Role.AGENT,), DEMO_SELLERS),
        Persona("demo-seller-admin", "Demo seller's admin", (Role.SELLER_ADMIN,), DEMO_SELLERS),
        Persona("demo-operations", "Operations, demo seller", (Role.OPERATIONS,), DEMO_SELLERS),
        Persona("platform-admin", "Platform admin", (Role.PLATFORM_ADMIN,)),
        Persona("other-agent", "Another seller's agent", (Role.AGENT,), ("another-seller",)),
        Persona(
            "demo-technician",
            "Demo technician, Boston and Nuremberg",
            (Role.TECHNICIAN,),
            repair_shops=("BOS1", "NUE1"),
        ),
        Persona(
            "demo-warehouse",
            "Demo warehouse staff, Boston and Nuremberg",
            (Role.WAREHOUSE_STAFF,),
            warehouses=("BOS1", "NUE1"),
        ),
    )
}


def load_or_make_key(path: Path = KEY_FILE) -> rsa.RSAPrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    path.chmod(0o600)
    return key


@dataclass
class DevIssuer:
    url: str
    audience: str
    key: rsa.RSAPrivateKey
    clients: dict[str, str]  # service client id → secret
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    personas: dict[str, Persona] = field(default_factory=lambda: dict(PERSONAS))
    # Where the sign-in may send its code: the origins (scheme://host:port) of its redirects.
    redirect_origins: set[str] = field(default_factory=set)

    @property
    def kid(self) -> str:
        return create_s256_code_challenge(self.jwks()["keys"][0]["n"])[:16]

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        jwk.update(use="sig", alg="RS256")
        jwk["kid"] = create_s256_code_challenge(jwk["n"])[:16]
        return {"keys": [jwk]}

    def mint(self, claims: dict[str, Any], seconds: int = TOKEN_SECONDS, **more: Any) -> str:
        now = int(time.time())
        body = {"iss": self.url, "aud": self.audience, "iat": now, "exp": now + seconds}
        body |= claims | more
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": self.kid})


def issuer_of(settings: ServiceSettings, key_file: Path = KEY_FILE) -> DevIssuer:
    if settings.environment == "production":
        raise RuntimeError("the development issuer does not run in production: set AUTH_ISSUER")
    return DevIssuer(
        settings.issuer_url,
        settings.auth_audience,
        load_or_make_key(key_file),
        {name: s.get_secret_value() for name, s in settings.service_client_secrets.items()},
        redirect_origins=redirect_origins_of(settings),
    )


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def redirect_origins_of(settings: ServiceSettings) -> set[str]:
    """The stack's services (on HOST, and on localhost when HOST is the loopback address)
    and CONSOLE_BASE_URL."""
    hosts = {settings.host, "localhost"} if settings.host == "127.0.0.1" else {settings.host}
    origins = {f"http://{h}:{settings.port_of(s)}" for h in hosts for s in SERVICE_NAMES}
    console = AnalyticsSettings.narrowed(settings).console_base_url
    return origins | ({origin_of(console)} if console else set())


def token_answer(token: str) -> JSONResponse:
    body = {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def create_app(issuer: DevIssuer) -> FastAPI:
    app = FastAPI(title="after-sales development issuer", docs_url=None, redoc_url=None)
    basic = HTTPBasic(auto_error=False)

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, Any]:
        return {
            "issuer": issuer.url,
            "authorization_endpoint": f"{issuer.url}/authorize",
            "token_endpoint": f"{issuer.url}/token",
            "jwks_uri": f"{issuer.url}/jwks.json",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "client_credentials"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "none"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["public"],
        }

    @app.get("/jwks.json")
    async def jwks() -> dict[str, Any]:
        return issuer.jwks()

    @app.get("/authorize", response_class=HTMLResponse)
    async def sign_in_page(
        client_id: str,
        redirect_uri: str,
        code_challenge: str,
        response_type: str = "code",
        code_challenge_method: str = "",
        state: str = "",
    ) -> HTMLResponse:
        refuse_authorization(client_id, response_type, code_challenge_method)
        refuse_redirect(issuer, redirect_uri)
        hidden = {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "code_challenge": code_challenge,
            "state": state,
        }
        page = sign_in_html(hidden, issuer.personas)
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    @app.post("/authorize")
    async def signed_in(
        persona: Annotated[str, Form()],
        client_id: Annotated[str, Form()],
        redirect_uri: Annotated[str, Form()],
        code_challenge: Annotated[str, Form()],
        state: Annotated[str, Form()] = "",
    ) -> RedirectResponse:
        refuse_authorization(client_id, "code", "S256")
        refuse_redirect(issuer, redirect_uri)
        if persona not in issuer.personas:
            raise HTTPException(400, f"no persona {persona!r}")
        code = secrets.token_urlsafe(24)
        issuer.codes[code] = {
            "persona": persona,
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "challenge": code_challenge,
            "until": time.monotonic() + CODE_SECONDS,
        }
        query = urlencode({"code": code, **({"state": state} if state else {})})
        return RedirectResponse(f"{redirect_uri}?{query}", status_code=303)

    @app.post("/token")
    async def token(
        request: Request,
        grant_type: Annotated[str, Form()],
        code: Annotated[str | None, Form()] = None,
        redirect_uri: Annotated[str | None, Form()] = None,
        code_verifier: Annotated[str | None, Form()] = None,
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[str | None, Form()] = None,
    ) -> JSONResponse:
        given = await basic(request)
        if grant_type == "client_credentials":
            name = given.username if given else client_id
            secret = given.password if given else client_secret
            known = issuer.clients.get(name or "")
            if not known or not secret or not secrets.compare_digest(known, secret):
                return oauth_error("invalid_client", "unknown client or wrong secret", 401)
            claims = {"sub": name, "name": name, "roles": [Role.SERVICE.value]}
            return token_answer(issuer.mint(claims, azp=name))
        if grant_type == "authorization_code":
            held = issuer.codes.pop(code or "", None)
            if held is None or held["until"] < time.monotonic():
                return oauth_error("invalid_grant", "unknown or expired code")
            if redirect_uri != held["redirect_uri"]:
                return oauth_error("invalid_grant", "redirect_uri differs from the request's")
            if not code_verifier or create_s256_code_challenge(code_verifier) != held["challenge"]:
                return oauth_error("invalid_grant", "the PKCE code_verifier does not match")
            claims = issuer.personas[held["persona"]].claims()
            return token_answer(issuer.mint(claims, azp=held["client_id"]))
        return oauth_error("unsupported_grant_type", f"grant_type {grant_type!r}")

    return app


def refuse_authorization(client_id: str, response_type: str, method: str) -> None:
    if client_id not in PAGE_CLIENTS:
        raise HTTPException(400, f"unknown client {client_id!r}")
    if response_type != "code":
        raise HTTPException(400, "only the authorization code flow is offered")
    if method != "S256":
        raise HTTPException(400, "PKCE with code_challenge_method=S256 is required")


def refuse_redirect(issuer: DevIssuer, redirect_uri: str) -> None:
    if origin_of(redirect_uri) not in issuer.redirect_origins:
        raise HTTPException(400, f"redirect_uri {redirect_uri!r} is not one of the stack's")


def sign_in_html(hidden: dict[str, str], personas: dict[str, Persona]) -> str:
    fields = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
        for name, value in hidden.items()
    )
    buttons = "".join(
        f'<li><button name="persona" value="{html.escape(p.subject)}">{html.escape(p.name)}'
        f"</button> <small>{html.escape(', '.join(r.value for r in p.roles))}"
        f"{' · ' + html.escape(', '.join(p.sellers)) if p.sellers else ''}"
        f"{' · ' + html.escape(', '.join(p.repair_shops)) if p.repair_shops else ''}"
        f"{' · ' + html.escape(', '.join(p.warehouses)) if p.warehouses else ''}</small></li>"
        for p in personas.values()
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Sign in (development issuer)</title></head><body>"
        "<main><h1>Sign in</h1><p>The development issuer: choose who to be.</p>"
        f'<form method="post" action="/authorize">{fields}<ul>{buttons}</ul></form>'
        "</main></body></html>"
    )


def local_bearer(
    settings: ServiceSettings,
    role: Role,
    name: str,
    sellers: tuple[str, ...] = (),
    warehouses: tuple[str, ...] = (),
) -> dict[str, str]:
    """The Authorization header of someone of the local stack (`make run`'s scripted agents,
    staff and technicians), from the development issuer's key."""
    persona = Persona(name, name, (role,), sellers, warehouses, warehouses)
    return {"authorization": f"Bearer {issuer_of(settings).mint(persona.claims())}"}


def main(argv: list[str] | None = None) -> None:
    """`make token` prints a token of the development issuer; `serve` runs it (make run)."""
    parser = argparse.ArgumentParser(prog="python -m deploy.dev_issuer")
    parser.add_argument("command", choices=["token", "serve"])
    parser.add_argument("--role", default="agent", choices=[r.value for r in Role])
    parser.add_argument("--sellers", default="", help="comma-separated seller accounts")
    parser.add_argument("--warehouses", default="", help="comma-separated warehouse codes")
    parser.add_argument("--repair-shops", default="", help="comma-separated repair shops")
    parser.add_argument("--subject", default="cli")
    parser.add_argument("--seconds", type=int, default=TOKEN_SECONDS)
    args = parser.parse_args(argv)
    issuer = issuer_of(AnalyticsSettings())  # CONSOLE_BASE_URL, where sign-ins may return
    if args.command == "serve":
        port = ServiceSettings().dev_issuer_port
        uvicorn.run(create_app(issuer), host="127.0.0.1", port=port, log_level="warning")
        return
    persona = Persona(
        args.subject,
        args.subject,
        (Role(args.role),),
        tuple(filter(None, args.sellers.split(","))),
        tuple(filter(None, args.warehouses.split(","))),
        tuple(filter(None, args.repair_shops.split(","))),
    )
    sys.stdout.write(issuer.mint(persona.claims(), seconds=args.seconds) + "\n")


if __name__ == "__main__":
    main()
