"""The console's what-if page asks resolution (here a fake of its API): every answer
passed on as it came, asked with the caller's own token (their bearer header, or the
signed-in console's session), another seller's a 404 before resolution is asked, 503 when
resolution gives none."""

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from deploy.components import free_port
from services.analytics.workflows.context import Analytics
from tests.factories import AGENT, TEST_SELLER_AGENT, bearer, token_of
from tests.handlers.analytics.conftest import FROM_CONSOLE, sign_in

QUESTION = {"policy": {"restocking_fee_share": 0.1}}


@pytest.fixture
async def resolution(api, httpserver: HTTPServer):
    """Resolution's API as the running service would reach it (the app is not started
    here, so its context is set by hand)."""
    async with httpx.AsyncClient(base_url=httpserver.url_for("")) as client:
        api.service.context = Analytics(client)
        yield httpserver


def asked_with(authorization: str):
    """Resolution's answer to a question asked with `authorization`: the question back."""

    def replan(request: Request) -> Response:
        if request.headers.get("Authorization") != authorization:
            return Response('{"detail": "agents only"}', 401, content_type="application/json")
        return Response(request.get_data(), 200, content_type="application/json")

    return replan


async def test_the_policy_in_force_comes_from_resolution(api, resolution):
    resolution.expect_request(
        "/policies/seller-1", headers={"Authorization": AGENT["authorization"]}
    ).respond_with_json({"version": 2})
    resolution.expect_request("/policies/nobody").respond_with_json({"detail": "no"}, status=404)
    answer = await api.get("/console/policies/seller-1", headers=AGENT)
    assert (answer.status_code, answer.json()) == (200, {"version": 2})
    assert (await api.get("/console/policies/nobody", headers=AGENT)).status_code == 404
    assert (await api.get("/console/policies/seller-1")).status_code == 401


async def test_a_what_if_goes_with_the_callers_credentials_and_comes_back_as_answered(
    api, resolution
):
    handler = asked_with(AGENT["authorization"])
    resolution.expect_request("/what-if/seller-1", method="POST").respond_with_handler(handler)
    answer = await api.post("/console/what-if/seller-1", json=QUESTION, headers=AGENT)
    assert (answer.status_code, answer.json()) == (200, QUESTION)
    refused = await api.post("/console/what-if/seller-1", json=QUESTION)
    assert refused.status_code == 401  # analytics' own answer: no token, nothing asked
    assert len(resolution.log) == 1


async def test_another_sellers_policy_and_what_if_are_404_and_never_asked(api, resolution):
    theirs = bearer(token_of(["agent"], sellers=["seller-2"]))
    assert (await api.get("/console/policies/seller-1", headers=theirs)).status_code == 404
    answer = await api.post("/console/what-if/seller-1", json=QUESTION, headers=theirs)
    assert answer.status_code == 404
    operations = bearer(token_of(["operations"], sellers=["seller-1"]))  # reads, never replans
    answer = await api.post("/console/what-if/seller-1", json=QUESTION, headers=operations)
    assert answer.status_code == 403
    assert resolution.log == []


@pytest.mark.usefixtures("issuer_sends_back_to_the_console")
async def test_the_signed_in_consoles_what_if_goes_with_its_sessions_token(api, resolution):
    await sign_in(api, TEST_SELLER_AGENT.subject)
    seen: list[str | None] = []

    def replan(request: Request) -> Response:
        seen.append(request.headers.get("Authorization"))
        return Response(request.get_data(), 200, content_type="application/json")

    resolution.expect_request("/what-if/test-seller", method="POST").respond_with_handler(replan)
    # Without the console's header, a session's write is refused before anything is asked.
    refused = await api.post("/console/what-if/test-seller", json=QUESTION)
    assert refused.status_code == 403 and seen == []
    answer = await api.post("/console/what-if/test-seller", json=QUESTION, headers=FROM_CONSOLE)
    assert (answer.status_code, answer.json()) == (200, QUESTION)
    token = seen[0].removeprefix("Bearer ")
    assert seen[0].startswith("Bearer ") and token.count(".") == 2  # the session's JWT
    me = await api.get("/console/me", headers=bearer(token))
    assert me.json()["subject"] == "test-seller-agent"


async def test_resolution_unreachable_is_503_with_the_reason(api):
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port()}") as client:
        api.service.context = Analytics(client)
        answer = await api.get("/console/policies/seller-1", headers=AGENT)
    assert answer.status_code == 503
    assert answer.json()["detail"].startswith("resolution is unreachable: ")
