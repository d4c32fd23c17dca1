"""The console's sign-in: OAuth 2's authorization code flow with PKCE (S256) against the
issuer, run by analytics for the page (a backend for the frontend: no token ever reaches
the page's JavaScript).

- `GET /console/sign-in` keeps a new state and code verifier in the session and sends the
  browser to the issuer's authorization endpoint.
- `GET /console/signed-in` (the redirect URI) checks the state, trades the code and the
  verifier for a token at the issuer's token endpoint, verifies the token as any bearer's,
  and keeps it in the session (`shared.identity.SESSION_TOKEN`), where analytics' routes
  read it when a request has no Authorization header.
- `POST /console/sign-out` forgets it; `GET /console/me` says who is signed in.

The session is Starlette's signed cookie: HttpOnly, SameSite=Lax (the issuer's redirect
back is a top-level GET from another site), Secure outside development. A request that may
change something and comes with a signed-in session must say `X-Requested-With: console`
(`ConsoleWrites`): another site's form cannot set that header, and another origin's script
cannot without a CORS preflight, which analytics never grants.
"""

import logging
import secrets
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from services.analytics.settings import AnalyticsSettings
from shared.identity import SESSION_TOKEN, SellerReader, TokenRefused, discovery_of, public
from shared.identity import verifier_of as token_verifier_of

log = logging.getLogger(__name__)

router = APIRouter(prefix="/console", tags=["console"])

COOKIE = "console_session"
SIGN_IN = "sign_in"  # the session's key for a sign-in under way: state, verifier, redirect
SIGNED_IN_PATH = "/console/signed-in"
CONSOLE_HEADER = "x-requested-with"
CONSOLE = "console"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NO_STORE = {"Cache-Control": "no-store"}


def settings_of(request: Request) -> AnalyticsSettings:
    return request.app.state.service.settings


def redirect_uri_of(request: Request, settings: AnalyticsSettings) -> str:
    base = settings.console_base_url or str(request.base_url)
    return f"{base.rstrip('/')}{SIGNED_IN_PATH}"


def unreachable(error: Exception) -> HTTPException:
    return HTTPException(503, f"the issuer cannot be reached: {error}")


async def issuer_document(settings: AnalyticsSettings) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=settings.marketplace_timeout_seconds) as http:
        try:
            return await discovery_of(http, settings.issuer_url)
        except (httpx.HTTPError, ValueError) as error:
            raise unreachable(error) from None


@router.get(
    "/sign-in",
    summary="Sign in to the console at the issuer (authorization code with PKCE)",
    dependencies=[public("starts a sign-in: sends the browser to the issuer")],
    status_code=303,
    response_class=RedirectResponse,
)
async def sign_in(request: Request) -> RedirectResponse:
    settings = settings_of(request)
    endpoint = (await issuer_document(settings))["authorization_endpoint"]
    state, verifier = generate_token(32), generate_token(64)
    redirect_uri = redirect_uri_of(request, settings)
    request.session[SIGN_IN] = {"state": state, "verifier": verifier, "redirect_uri": redirect_uri}
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.console_client_id,
            "redirect_uri": redirect_uri,
            "scope": settings.console_scope,
            "state": state,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    joiner = "&" if "?" in endpoint else "?"
    return RedirectResponse(f"{endpoint}{joiner}{query}", status_code=303, headers=NO_STORE)


@router.get(
    "/signed-in",
    summary="The issuer's redirect back: the code traded for a token kept in the session",
    dependencies=[public("the issuer's redirect back; its state must be the session's own")],
    status_code=303,
    response_class=RedirectResponse,
)
async def signed_in(
    request: Request,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
) -> RedirectResponse:
    pending = request.session.pop(SIGN_IN, None)  # one try per sign-in, whatever comes
    if not pending or not state or not secrets.compare_digest(state, pending["state"]):
        raise HTTPException(400, "this sign-in was not started here (or started again since)")
    if error:
        raise HTTPException(400, f"the issuer did not sign you in: {error_description or error}")
    if not code:
        raise HTTPException(400, "the issuer sent no code")
    token = await traded(settings_of(request), code, pending)
    try:
        principal = await token_verifier_of(request).principal(token)
    except TokenRefused as refused:
        raise HTTPException(401, f"the issuer's token is refused: {refused}") from None
    request.session.clear()  # nothing from before the sign-in carries over
    request.session[SESSION_TOKEN] = token
    log.info("%s signed in to the console", principal.subject)
    return RedirectResponse("/console", status_code=303, headers=NO_STORE)


async def traded(settings: AnalyticsSettings, code: str, pending: dict[str, str]) -> str:
    """The access token the issuer gives for the code and the sign-in's own verifier."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": pending["redirect_uri"],
        "code_verifier": pending["verifier"],
        "client_id": settings.console_client_id,
    }
    secret = settings.console_client_secret
    auth = (settings.console_client_id, secret.get_secret_value()) if secret else None
    async with httpx.AsyncClient(timeout=settings.marketplace_timeout_seconds) as http:
        try:
            url = (
                settings.auth_token_url
                or (await discovery_of(http, settings.issuer_url))["token_endpoint"]
            )
            answer = await http.post(url, data=form, auth=auth)
            body = answer.json()
        except (httpx.HTTPError, ValueError, KeyError) as error:
            raise unreachable(error) from None
    body = body if isinstance(body, dict) else {}
    if answer.status_code != 200 or not isinstance(body.get("access_token"), str):
        why = body.get("error_description") or body.get("error") or answer.status_code
        raise HTTPException(400, f"the issuer refused the code: {why}")
    return body["access_token"]


@router.post(
    "/sign-out",
    summary="Sign out of the console (the session forgets its token)",
    dependencies=[public("forgets the caller's own session; guarded by ConsoleWrites")],
    status_code=204,
)
async def sign_out(request: Request) -> Response:
    request.session.clear()
    return Response(status_code=204, headers=NO_STORE)


class Me(BaseModel):
    subject: str
    name: str
    roles: list[str]
    sellers: list[str]
    every_seller: bool


@router.get("/me", summary="Who is signed in: name, roles, the sellers they serve")
async def me(caller: SellerReader, response: Response) -> Me:
    response.headers.update(NO_STORE)
    return Me(
        subject=caller.subject,
        name=caller.name,
        roles=sorted(caller.roles),
        sellers=sorted(caller.sellers),
        every_seller=caller.every_seller,
    )


class ConsoleWrites:
    """ASGI middleware, inside the session's: a request that may change something (any
    method but GET, HEAD, OPTIONS) and comes with a signed-in session is refused (403)
    unless it says `X-Requested-With: console`, as the console's own calls do."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] not in SAFE_METHODS
            and (scope.get("session") or {}).get(SESSION_TOKEN)
            and not from_console(scope)
        ):
            refusal = JSONResponse(
                {"detail": f"a signed-in console's request must say {CONSOLE_HEADER}: console"},
                status_code=403,
            )
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


def from_console(scope: Scope) -> bool:
    said = dict(scope.get("headers") or ()).get(CONSOLE_HEADER.encode(), b"")
    return said.decode("latin-1").strip().lower() == CONSOLE


def with_console_sessions(app: FastAPI, settings: AnalyticsSettings) -> None:
    """The signed session cookie the console signs in with, and its guard on writes."""
    secret = settings.console_session_secret
    app.add_middleware(ConsoleWrites)
    app.add_middleware(
        SessionMiddleware,  # added last: runs first, so the guard sees the session
        # Unset outside production only (production refuses to start without it).
        secret_key=secret.get_secret_value() if secret else secrets.token_urlsafe(32),
        session_cookie=COOKIE,
        max_age=settings.console_session_seconds,
        same_site="lax",
        https_only=settings.environment != "development",
    )
