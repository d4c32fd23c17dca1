"""The console's what-if page asks resolution (here a fake of its API): every answer
passed on as it came, 503 when resolution gives none."""

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from deploy.components import free_port
from services.analytics.workflows.context import Analytics
from tests.factories import AGENT


@pytest.fixture
async def resolution(api, httpserver: HTTPServer):
    """Resolution's API as the running service would reach it (the app is not started
    here, so its context is set by hand)."""
    async with httpx.AsyncClient(base_url=httpserver.url_for("")) as client:
        api.service.context = Analytics(client)
        yield httpserver


async def test_the_policy_in_force_comes_from_resolution(api, resolution):
    resolution.expect_request("/policies/seller-1").respond_with_json({"version": 2})
    resolution.expect_request("/policies/nobody").respond_with_json({"detail": "no"}, status=404)
    answer = await api.get("/console/policies/seller-1")
    assert (answer.status_code, answer.json()) == (200, {"version": 2})
    assert (await api.get("/console/policies/nobody")).status_code == 404


async def test_a_what_if_goes_with_the_callers_credentials_and_comes_back_as_answered(
    api, resolution
):
    def replan(request: Request) -> Response:
        if request.headers.get("Authorization") != AGENT["authorization"]:
            return Response('{"detail": "agents only"}', 401, content_type="application/json")
        return Response(request.get_data(), 200, content_type="application/json")

    resolution.expect_request("/what-if/seller-1", method="POST").respond_with_handler(replan)
    question = {"policy": {"restocking_fee_share": 0.1}}
    answer = await api.post("/console/what-if/seller-1", json=question, headers=AGENT)
    assert (answer.status_code, answer.json()) == (200, question)
    refused = await api.post("/console/what-if/seller-1", json=question)
    assert (refused.status_code, refused.json()) == (401, {"detail": "agents only"})


async def test_resolution_unreachable_is_503_with_the_reason(api):
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port()}") as client:
        api.service.context = Analytics(client)
        answer = await api.get("/console/policies/seller-1")
    assert answer.status_code == 503
    assert answer.json()["detail"].startswith("resolution is unreachable: ")
