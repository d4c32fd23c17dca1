"""The console's sign-in through the tests' issuer (the development issuer, served): the
authorization code with PKCE, the token kept in a signed session cookie, and what is
refused on the way: a state not the session's, a code issued for another verifier, a token
the verifier refuses, a cookie not signed by analytics, a session write without the
console's header. A confidential client's code traded with its secret at another issuer's
token endpoint (a fake); the cookie Secure and its secret required in production."""

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from cryptography.hazmat.primitives.asymmetric import rsa
from itsdangerous import TimestampSigner
from pydantic import SecretStr
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from deploy.components import free_port
from deploy.dev_issuer import DevIssuer
from services.analytics.app import create_app
from services.analytics.settings import AnalyticsSettings
from shared.identity import SESSION_TOKEN
from shared.production import problems_in
from tests.factories import AGENT_TOKEN, ISSUER, TEST_SELLER_AGENT
from tests.handlers.analytics.conftest import (
    CONSOLE,
    FROM_CONSOLE,
    sign_in,
    signed_in_at_issuer,
)
from tests.handlers.conftest import api_of

pytestmark = pytest.mark.usefixtures("issuer_sends_back_to_the_console")
COOKIE = "console_session"


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def test_the_sign_in_sends_the_browser_to_the_issuer_with_pkce_and_a_state(api):
    started = await api.get("/console/sign-in")
    assert started.status_code == 303
    location = started.headers["location"]
    assert location.startswith(f"{ISSUER.url}/authorize?")
    asked = query_of(location)
    assert {k: asked[k] for k in ("response_type", "client_id", "scope")} == {
        "response_type": "code",
        "client_id": "console",
        "scope": "openid",
    }
    assert asked["redirect_uri"] == f"{CONSOLE}/console/signed-in"
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert len(asked["state"]) >= 32
    cookie = started.headers["set-cookie"].lower()
    assert cookie.startswith(f"{COOKIE}=") and "httponly" in cookie and "samesite=lax" in cookie
    assert "max-age=28800" in cookie and "secure" not in cookie  # development: plain http
    again = query_of((await api.get("/console/sign-in")).headers["location"])
    assert again["state"] != asked["state"] and again["code_challenge"] != asked["code_challenge"]


async def test_signed_in_the_console_knows_who_and_their_sellers(api):
    assert (await api.get("/console/me")).status_code == 401
    await sign_in(api, TEST_SELLER_AGENT.subject)
    me = await api.get("/console/me")
    assert me.status_code == 200 and me.headers["cache-control"] == "no-store"
    assert me.json() == {
        "subject": "test-seller-agent",
        "name": "Test seller's agent",
        "roles": ["agent"],
        "sellers": ["test-seller"],
        "every_seller": False,
    }


async def test_a_state_not_the_sessions_is_refused(api):
    back = await signed_in_at_issuer(api, TEST_SELLER_AGENT.subject)
    forged = back.replace("state=", "state=x")
    refused = await api.get(forged)
    assert refused.status_code == 400 and "not started here" in refused.json()["detail"]
    # The sign-in under way is spent: its right state is no good after a wrong one.
    assert (await api.get(back)).status_code == 400
    assert (await api.get("/console/me")).status_code == 401


async def test_a_redirect_back_without_a_sign_in_started_is_refused(api):
    answer = await api.get("/console/signed-in", params={"code": "c", "state": "s"})
    assert answer.status_code == 400
    assert (await api.get("/console/me")).status_code == 401


async def test_a_code_issued_for_another_verifier_is_refused_by_the_issuer(api):
    # Someone else's code (its challenge from their verifier) brought to this browser's
    # sign-in: the issuer refuses this session's verifier, and nobody is signed in.
    theirs = create_s256_code_challenge("a verifier that is not the session's " * 2)
    back = await signed_in_at_issuer(api, TEST_SELLER_AGENT.subject, code_challenge=theirs)
    refused = await api.get(back)
    assert refused.status_code == 400
    assert "PKCE code_verifier does not match" in refused.json()["detail"]
    assert (await api.get("/console/me")).status_code == 401


async def test_a_token_the_verifier_refuses_never_gets_in(settings, httpserver: HTTPServer):
    # A token endpoint that answers with a token of another key than the issuer's.
    impostor = DevIssuer(ISSUER.url, "after-sales", rsa.generate_private_key(65537, 2048), {})
    token = impostor.mint(TEST_SELLER_AGENT.claims())
    httpserver.expect_request("/token", method="POST").respond_with_json(
        {"access_token": token, "token_type": "Bearer"}
    )
    changed = settings.model_copy(update={"auth_token_url": httpserver.url_for("/token")})
    async with api_of(create_app(changed), "analytics") as api:
        refused = await api.get(await signed_in_at_issuer(api, TEST_SELLER_AGENT.subject))
        assert refused.status_code == 401
        assert refused.json()["detail"].startswith("the issuer's token is refused")
        assert (await api.get("/console/me")).status_code == 401


async def test_an_issuer_out_of_reach_is_503(settings):
    changed = settings.model_copy(update={"auth_issuer": f"http://127.0.0.1:{free_port()}"})
    async with api_of(create_app(changed), "analytics") as api:
        answer = await api.get("/console/sign-in")
    assert answer.status_code == 503 and "issuer cannot be reached" in answer.json()["detail"]


async def test_a_tampered_or_foreign_session_cookie_is_ignored(api):
    await sign_in(api, TEST_SELLER_AGENT.subject)
    signed = api.cookies[COOKIE]
    payload, rest = signed.split(".", 1)
    session = json.loads(base64.b64decode(payload))
    assert set(session) == {SESSION_TOKEN}  # the sign-in's state and verifier are gone
    # The payload changed (another token put in), the signature kept: not analytics' cookie.
    session[SESSION_TOKEN] = AGENT_TOKEN
    tampered = base64.b64encode(json.dumps(session).encode()).decode()
    api.cookies.set(COOKIE, f"{tampered}.{rest}")
    assert (await api.get("/console/me")).status_code == 401
    # A cookie signed with another secret, holding a good platform admin's token.
    other = TimestampSigner("not analytics' secret").sign(tampered.encode()).decode()
    api.cookies.set(COOKIE, other)
    assert (await api.get("/console/me")).status_code == 401
    api.cookies.set(COOKIE, signed)  # the real one still works
    assert (await api.get("/console/me")).status_code == 200


async def test_sign_out_forgets_the_token(api):
    await sign_in(api, TEST_SELLER_AGENT.subject)
    answer = await api.post("/console/sign-out", headers=FROM_CONSOLE)
    assert answer.status_code == 204
    assert "expires=thu, 01 jan 1970" in answer.headers["set-cookie"].lower()
    assert (await api.get("/console/me")).status_code == 401


async def test_a_signed_in_sessions_writes_need_the_consoles_header(api):
    await sign_in(api, TEST_SELLER_AGENT.subject)
    # What another page of the same site could send with the cookie: a form's POST.
    forged = await api.post("/console/sign-out", data={"x": "1"})
    assert forged.status_code == 403 and "x-requested-with" in forged.json()["detail"]
    assert (await api.get("/console/me")).status_code == 200  # still signed in
    # Reads need no header.
    assert (await api.get("/console/me", headers={})).status_code == 200


async def test_in_production_the_cookie_is_secure_and_its_secret_required(settings):
    own = AnalyticsSettings.model_validate(settings.model_dump())  # analytics' settings only
    unset = own.model_copy(update={"environment": "production"})
    assert "CONSOLE_SESSION_SECRET is not set" in problems_in(unset)
    secret = SecretStr("k3Y-of-the-console-session-0123456789")
    production = unset.model_copy(update={"console_session_secret": secret})
    assert not any("CONSOLE_SESSION" in problem for problem in problems_in(production))
    async with api_of(create_app(production), "analytics") as api:
        started = await api.get("/console/sign-in")
    assert started.status_code == 303 and "; secure" in started.headers["set-cookie"].lower()


async def test_a_confidential_client_trades_the_code_with_its_secret_and_the_verifier(
    settings, httpserver: HTTPServer
):
    asked: list[Request] = []

    def token_endpoint(request: Request) -> Response:
        asked.append(request)
        body = {"access_token": ISSUER.mint(TEST_SELLER_AGENT.claims()), "token_type": "Bearer"}
        return Response(json.dumps(body), 200, content_type="application/json")

    httpserver.expect_request("/token", method="POST").respond_with_handler(token_endpoint)
    changed = settings.model_copy(
        update={
            "auth_token_url": httpserver.url_for("/token"),
            "console_client_id": "ops-console",
            "console_client_secret": SecretStr("the-console's-client-s3cr3t"),
            "console_base_url": "https://ops.example.com/",
        }
    )
    async with api_of(create_app(changed), "analytics") as api:
        started = query_of((await api.get("/console/sign-in")).headers["location"])
        assert started["client_id"] == "ops-console"
        assert started["redirect_uri"] == "https://ops.example.com/console/signed-in"
        back = {"code": "the-code", "state": started["state"]}
        answer = await api.get("/console/signed-in", params=back)
        assert answer.status_code == 303, answer.text
        assert (await api.get("/console/me")).json()["subject"] == "test-seller-agent"
    form = asked[0].form
    assert asked[0].authorization.username == "ops-console"
    assert asked[0].authorization.password == "the-console's-client-s3cr3t"
    assert (form["grant_type"], form["code"]) == ("authorization_code", "the-code")
    assert form["redirect_uri"] == "https://ops.example.com/console/signed-in"
    assert create_s256_code_challenge(form["code_verifier"]) == started["code_challenge"]
