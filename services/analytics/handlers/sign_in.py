"""The console's sign-in: the stack's page sign-in (`shared/sign_in.py`: OAuth 2's
authorization code flow with PKCE against the issuer, the token kept in a signed session
cookie) under `/console`, with the console's client from analytics' settings.

- `GET /console/sign-in`, `GET /console/signed-in` (the redirect URI), `POST
  /console/sign-out`: `shared.sign_in`;
- `GET /console/me` says who is signed in.

A request that may change something and comes with a signed-in session must say
`X-Requested-With: console` (`shared.sign_in.PageWrites`): another site's form cannot set
that header, and another origin's script cannot without a CORS preflight, which analytics
never grants.
"""

from fastapi import FastAPI, Response
from pydantic import BaseModel

from services.analytics.settings import AnalyticsSettings
from shared.identity import SellerReader
from shared.sign_in import NO_STORE, PageClient, SignInPage, sign_in_router, with_page_sessions

COOKIE = "console_session"
CONSOLE = "console"


def console_client(settings: AnalyticsSettings) -> PageClient:
    return PageClient.of(settings, "console")


PAGE = SignInPage(
    prefix="/console", home="/console", cookie=COOKIE, header=CONSOLE, client_of=console_client
)
router = sign_in_router(PAGE, tags=["console"])


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


def with_console_sessions(app: FastAPI, settings: AnalyticsSettings) -> None:
    """The signed session cookie the console signs in with, and its guard on writes."""
    with_page_sessions(app, PAGE, settings)
