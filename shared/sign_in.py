"""People's sign-in to a page of the stack (the operations console, the technician's
bench): OAuth 2's authorization code flow with PKCE (S256) against the issuer, run by the
service that serves the page (a backend for the frontend: no token ever reaches the page's
JavaScript).

- `GET <prefix>/sign-in` keeps a new state and code verifier in the session and sends the
  browser to the issuer's authorization endpoint.
- `GET <prefix>/signed-in` (the redirect URI) checks the state, trades the code and the
  verifier for a token at the issuer's token endpoint, verifies the token as any bearer's,
  and keeps it in the session (`shared.identity.SESSION_TOKEN`), where the service's routes
  read it when a request has no Authorization header; with it, a form token (`FORM_TOKEN`)
  that the page's plain HTML forms carry back.
- `POST <prefix>/sign-out` forgets it.

The session is Starlette's signed cookie: HttpOnly, SameSite=Lax (the issuer's redirect
back is a top-level GET from another site), Secure outside development. A request that may
change something and comes with a signed-in session must prove it comes from the page
(`PageWrites`): by the page's `X-Requested-With` header (another site's form cannot set it,
and another origin's script cannot without a CORS preflight, which is never granted) or,
for a page whose forms work without JavaScript, by the session's form token in the form
(`form_token_checked`).
"""

import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import SecretStr
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.identity import SESSION_TOKEN, TokenRefused, discovery_of, public
from shared.identity import verifier_of as token_verifier_of
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

SIGN_IN = "sign_in"  # the session's key for a sign-in under way: state, verifier, redirect
FORM_TOKEN = "form_token"  # the session's key (and the forms' field) proving a form is ours
PAGE_HEADER = "x-requested-with"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NO_STORE = {"Cache-Control": "no-store"}


@dataclass(frozen=True)
class PageClient:
    """A page's client at the issuer, and its session, as its service's settings say."""

    client_id: str
    client_secret: SecretStr | None
    scope: str
    base_url: str | None  # where people reach the page; None: the address the browser used
    session_secret: SecretStr | None
    session_seconds: int

    @classmethod
    def of(cls, settings: Any, page: str) -> "PageClient":
        """The client a service's settings name `<page>_client_id`, `<page>_scope`... ."""
        return cls(**{name: getattr(settings, f"{page}_{name}") for name in PAGE_CLIENT_FIELDS})


PAGE_CLIENT_FIELDS = (
    "client_id",
    "client_secret",
    "scope",
    "base_url",
    "session_secret",
    "session_seconds",
)


@dataclass(frozen=True)
class SignInPage:
    """A page people sign in to: its routes under `prefix` (`/console`), where the browser
    lands signed in (`home`), its cookie, the header its own scripts send on writes
    (`X-Requested-With: <header>`), and how its client is read from the service's
    settings."""

    prefix: str
    home: str
    cookie: str
    header: str
    client_of: Any  # Callable[[ServiceSettings], PageClient]
    forms: bool = False  # plain HTML forms write too, with the session's form token

    @property
    def signed_in_path(self) -> str:
        return f"{self.prefix}/signed-in"

    def client(self, request: Request) -> PageClient:
        return self.client_of(request.app.state.service.settings)

    def redirect_uri(self, request: Request) -> str:
        base = self.client(request).base_url or str(request.base_url)
        return f"{base.rstrip('/')}{self.signed_in_path}"


def unreachable(error: Exception) -> HTTPException:
    return HTTPException(503, f"the issuer cannot be reached: {error}")


async def issuer_document(settings: ServiceSettings) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=settings.marketplace_timeout_seconds) as http:
        try:
            return await discovery_of(http, settings.issuer_url)
        except (httpx.HTTPError, ValueError) as error:
            raise unreachable(error) from None


def sign_in_router(page: SignInPage, tags: list[str]) -> APIRouter:
    """The page's sign-in, signed-in (the issuer's redirect back) and sign-out routes."""
    router = APIRouter(prefix=page.prefix, tags=list(tags))

    @router.get(
        "/sign-in",
        summary="Sign in at the issuer (authorization code with PKCE)",
        dependencies=[public("starts a sign-in: sends the browser to the issuer")],
        status_code=303,
        response_class=RedirectResponse,
    )
    async def sign_in(request: Request) -> RedirectResponse:
        return await started(page, request)

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
        return await came_back(page, request, code, state, error_description or error, error)

    @router.post(
        "/sign-out",
        summary="Sign out (the session forgets its token)",
        dependencies=[public("forgets the caller's own session; guarded by PageWrites")],
        status_code=204,
    )
    async def sign_out(request: Request) -> Response:
        request.session.clear()
        if page.forms and "text/html" in request.headers.get("accept", ""):
            return RedirectResponse(page.home, status_code=303, headers=NO_STORE)
        return Response(status_code=204, headers=NO_STORE)

    return router


async def started(page: SignInPage, request: Request) -> RedirectResponse:
    client, settings = page.client(request), request.app.state.service.settings
    endpoint = (await issuer_document(settings))["authorization_endpoint"]
    state, verifier = generate_token(32), generate_token(64)
    redirect_uri = page.redirect_uri(request)
    request.session[SIGN_IN] = {"state": state, "verifier": verifier, "redirect_uri": redirect_uri}
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client.client_id,
            "redirect_uri": redirect_uri,
            "scope": client.scope,
            "state": state,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    joiner = "&" if "?" in endpoint else "?"
    return RedirectResponse(f"{endpoint}{joiner}{query}", status_code=303, headers=NO_STORE)


async def came_back(
    page: SignInPage,
    request: Request,
    code: str | None,
    state: str | None,
    why: str | None,
    error: str | None,
) -> RedirectResponse:
    pending = request.session.pop(SIGN_IN, None)  # one try per sign-in, whatever comes
    if not pending or not state or not secrets.compare_digest(state, pending["state"]):
        raise HTTPException(400, "this sign-in was not started here (or started again since)")
    if error:
        raise HTTPException(400, f"the issuer did not sign you in: {why}")
    if not code:
        raise HTTPException(400, "the issuer sent no code")
    settings = request.app.state.service.settings
    token = await traded(settings, page.client(request), code, pending)
    try:
        principal = await token_verifier_of(request).principal(token)
    except TokenRefused as refused:
        raise HTTPException(401, f"the issuer's token is refused: {refused}") from None
    request.session.clear()  # nothing from before the sign-in carries over
    request.session[SESSION_TOKEN] = token
    if page.forms:
        request.session[FORM_TOKEN] = secrets.token_urlsafe(24)
    log.info("%s signed in to %s", principal.subject, page.home)
    return RedirectResponse(page.home, status_code=303, headers=NO_STORE)


async def traded(
    settings: ServiceSettings, client: PageClient, code: str, pending: dict[str, str]
) -> str:
    """The access token the issuer gives for the code and the sign-in's own verifier."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": pending["redirect_uri"],
        "code_verifier": pending["verifier"],
        "client_id": client.client_id,
    }
    secret = client.client_secret
    auth = (client.client_id, secret.get_secret_value()) if secret else None
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


def form_token(request: Request) -> str:
    """The signed-in session's form token, for the page's forms to carry ('' signed out)."""
    if "session" not in request.scope:
        return ""
    return request.session.get(FORM_TOKEN, "")


def form_token_checked(request: Request, given: str | None) -> None:
    """A form of the page's own: its token is the session's (403 otherwise)."""
    held = form_token(request)
    if not held or not given or not secrets.compare_digest(held, given):
        raise HTTPException(403, "this form is not one of the page's: reload the page")


class PageWrites:
    """ASGI middleware, inside the session's: a request that may change something (any
    method but GET, HEAD, OPTIONS) and comes with a signed-in session is refused (403)
    unless it says `X-Requested-With: <header>`, as the page's own calls do; a page whose
    plain forms write (`forms`) lets them through to its own routes under its prefix, which
    check the session's form token (`form_token_checked`); there, a request without a live
    sign-in is sent to the page's start (303) rather than answered 401."""

    def __init__(self, app: ASGIApp, page: SignInPage) -> None:
        self.app, self.page = app, page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] not in SAFE_METHODS
            and (scope.get("session") or {}).get(SESSION_TOKEN)
            and not said_by(scope, self.page.header)
            and not self.own_form(scope)
        ):
            said = f"{PAGE_HEADER}: {self.page.header}"
            refusal = JSONResponse(
                {"detail": f"a signed-in page's request must say {said}"}, status_code=403
            )
            await refusal(scope, receive, send)
            return
        if self.page.forms and self.own_page(scope):
            await self.app(scope, receive, self.signed_out_to_sign_in(scope, send))
            return
        await self.app(scope, receive, send)

    def own_page(self, scope: Scope) -> bool:
        return scope["type"] == "http" and scope["path"].startswith(f"{self.page.prefix}/")

    def signed_out_to_sign_in(self, scope: Scope, send: Send) -> Send:
        """A page of forms asked for without a live sign-in (none, or its token run out):
        the browser is sent to the page's start, which offers the sign-in, instead of a
        bare 401."""
        swallowing = False

        async def sending(message: Message) -> None:
            nonlocal swallowing
            if message["type"] == "http.response.start" and message["status"] == 401:
                swallowing = True
                headers = [(b"location", self.page.home.encode()), (b"cache-control", b"no-store")]
                await send({"type": "http.response.start", "status": 303, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
            if not swallowing:
                await send(message)

        return sending

    def own_form(self, scope: Scope) -> bool:
        """A plain form of the page, posted to the page's own routes (which check its
        token); the service's API routes still need the header."""
        return self.page.forms and scope["path"].startswith(f"{self.page.prefix}/")


def said_by(scope: Scope, header: str) -> bool:
    said = dict(scope.get("headers") or ()).get(PAGE_HEADER.encode(), b"")
    return said.decode("latin-1").strip().lower() == header


def with_page_sessions(app: FastAPI, page: SignInPage, settings: ServiceSettings) -> None:
    """The signed session cookie the page signs in with, and its guard on writes."""
    client = page.client_of(settings)
    secret = client.session_secret
    app.add_middleware(PageWrites, page=page)
    app.add_middleware(
        SessionMiddleware,  # added last: runs first, so the guard sees the session
        # Unset outside production only (production refuses to start without it).
        secret_key=secret.get_secret_value() if secret else secrets.token_urlsafe(32),
        session_cookie=page.cookie,
        max_age=client.session_seconds,
        same_site="lax",
        https_only=settings.environment != "development",
    )
