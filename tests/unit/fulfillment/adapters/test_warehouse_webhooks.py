"""A dispatch task POSTed to a warehouse system's webhook (pytest-httpserver), signed per
Standard Webhooks; what the warehouse answered, in the outbound vocabulary."""

import httpx
import pytest
from pytest_httpserver import HTTPServer
from standardwebhooks.webhooks import Webhook
from werkzeug import Request, Response

from services.fulfillment.adapters.warehouse_webhooks import WarehouseWebhooks, new_secret
from shared.outbound import Refused, Unavailable

BODY = '{"type": "fulfillment.dispatch_requested", "data": {"case_id": "case-1"}}'


@pytest.fixture
async def webhooks():
    async with httpx.AsyncClient(timeout=0.5) as client:
        yield WarehouseWebhooks(client, ["127.0.0.1", "localhost"])  # pytest-httpserver


async def test_a_task_is_sent_signed_with_the_endpoints_secret(webhooks, httpserver: HTTPServer):
    secret, received = new_secret(), []

    def warehouse_system(request: Request) -> Response:
        received.append(request)
        return Response("", status=202)

    httpserver.expect_request("/wms", method="POST").respond_with_handler(warehouse_system)
    assert await webhooks.send(httpserver.url_for("/wms"), secret, "d-1", BODY) == 202
    (request,) = received
    assert request.headers["webhook-id"] == "d-1"
    assert Webhook(secret).verify(request.get_data(as_text=True), dict(request.headers))
    with pytest.raises(Exception, match="signature"):
        Webhook(new_secret()).verify(request.get_data(as_text=True), dict(request.headers))


@pytest.mark.parametrize(
    ("status", "error"), [(500, Unavailable), (429, Unavailable), (410, Refused)]
)
async def test_any_other_answer_says_why(webhooks, httpserver: HTTPServer, status, error):
    httpserver.expect_request("/wms").respond_with_data("gone fishing", status=status)
    with pytest.raises(error, match=f"answered {status} for delivery d-1") as failed:
        await webhooks.send(httpserver.url_for("/wms"), new_secret(), "d-1", BODY)
    assert failed.value.status == status


async def test_a_warehouse_system_that_cannot_be_reached_is_unavailable(webhooks):
    with pytest.raises(Unavailable) as failed:
        await webhooks.send("http://127.0.0.1:9/wms", new_secret(), "d-1", BODY)
    assert failed.value.status is None


@pytest.mark.parametrize(
    ("allowed", "url", "refused"),
    [
        (["10.0.0.0/8"], "http://10.1.2.3:8080/wms", False),  # the warehouse's own network
        (["10.0.0.0/8"], "https://192.168.0.9/wms", True),
        (["wms.internal"], "http://wms.internal/tasks", False),  # by name, not resolved
        ([], "https://[fd00::5]/wms", True),
        ([], "https://100.64.0.1/wms", True),  # carrier-grade NAT is not public either
    ],
)
async def test_only_allowlisted_hosts_and_networks_may_be_private(allowed, url, refused):
    async with httpx.AsyncClient() as client:
        refusal = await WarehouseWebhooks(client, allowed).refusal_of(url)
    assert (refusal is not None) == refused
