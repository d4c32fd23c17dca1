"""The console's what-if page asks resolution (here a fake of its API) with the caller's own
token: every answer passed on as it came, 503 when resolution gives none; nothing asked for
a caller without a token, of another seller, or who may not replan."""

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from deploy.components import free_port
from services.analytics.workflows.context import Analytics
from tests.factories import AGENT, STAFF, bearer, token_of


@pytest.fixture
async def resolution(api, httpserver: HTTPServer):
    """Resolution's API as the running service would reach it (the app is not started
    here, so its context is set by hand)."""
    async with httpx.AsyncClient(base_url=httpserver.url_for("")) as client:
        api.service.context = Analytics(client)
        yield httpserver


async def test_the_policy_in_force_comes_from_resolution_asked_with_the_callers_token(
    api, resolution
):
    as_agent = {"Authorization": AGENT["authorization"]}
    resolution.expect_request("/policies/seller-1", headers=as_agent).respond_with_json(
        {"version": 2}
    )
    resolution.expect_request("/policies/nobody").respond_with_json({"detail": "no"}, status=404)
    answer = await api.get("/console/policies/seller-1", headers=AGENT)
    assert (answer.status_code, answer.json()) == (200, {"version": 2})
    assert (await api.get("/console/policies/nobody", headers=AGENT)).status_code == 404


def echoed_for(token: str):
    """Resolution's what-if, faked: the question back, for the one token expected."""

    def replan(request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {token}":
            return Response('{"detail": "not this token"}', 401, content_type="application/json")
        return Response(request.get_data(), 200, content_type="application/json")

    return replan


async def test_a_what_if_goes_with_the_callers_own_token_and_comes_back_as_answered(
    api, resolution
):
    agent = token_of(["agent"], sellers=["seller-1"], name="ida")
    asked = resolution.expect_request("/what-if/seller-1", method="POST")
    asked.respond_with_handler(echoed_for(agent))
    question = {"policy": {"restocking_fee_share": 0.1}}
    answer = await api.post("/console/what-if/seller-1", json=question, headers=bearer(agent))
    assert (answer.status_code, answer.json()) == (200, question)
    # Whatever resolution says to another token is passed on as it came.
    refused = await api.post("/console/what-if/seller-1", json=question, headers=AGENT)
    assert (refused.status_code, refused.json()) == (401, {"detail": "not this token"})


async def test_the_console_asks_resolution_nothing_for_whom_it_may_not(api, resolution):
    agent = bearer(token_of(["agent"], sellers=["seller-1"], name="ida"))
    operations = bearer(token_of(["operations"], sellers=["seller-1"], name="ops"))
    question = {"policy": {}}
    assert (await api.post("/console/what-if/seller-1", json=question)).status_code == 401
    assert (await api.get("/console/policies/seller-1")).status_code == 401
    assert (await api.get("/console/policies/seller-2", headers=agent)).status_code == 404
    other = await api.post("/console/what-if/seller-2", json=question, headers=agent)
    assert other.status_code == 404
    replay = await api.post("/console/what-if/seller-1", json=question, headers=operations)
    assert replay.status_code == 403
    assert (await api.get("/console/policies/seller-1", headers=STAFF)).status_code == 403
    assert resolution.log == []  # resolution was never asked


async def test_resolution_unreachable_is_503_with_the_reason(api):
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port()}") as client:
        api.service.context = Analytics(client)
        answer = await api.get("/console/policies/seller-1", headers=AGENT)
    assert answer.status_code == 503
    assert answer.json()["detail"].startswith("resolution is unreachable: ")
