"""What fulfillment's handler tests share: the service's API over the real PostgreSQL,
with intake's ship-to lookup faked on the test HTTP server; decided remedies published
to it (FastStream's test broker) and the dispatches they owe routed; the events, stock
and tasks it wrote; labels read back from their PDFs."""

import json
import re
import uuid

import httpx
import pypdfium2 as pdfium
import pytest
import zxingcpp
from faststream.kafka import TestKafkaBroker
from werkzeug import Request, Response

from services.fulfillment.adapters.ship_to import ShipToLookup
from services.fulfillment.adapters.warehouse_webhooks import WarehouseWebhooks
from services.fulfillment.app import create_app
from services.fulfillment.tables import StockLevel
from services.fulfillment.workers.dispatch_router import DispatchRouter
from services.fulfillment.workflows.context import Fulfillment
from shared.events import Envelope, Remedy
from tests.factories import BASE_WEBHOOK, INTERNAL_TOKEN, STAFF, envelope_bytes, resolution_decided
from tests.handlers.conftest import api_of, outbox_of

# The sample webhook's buyer, as intake's ship-to lookup answers.
BUYER = {key: BASE_WEBHOOK["buyer"][key] for key in ("name", "address")}


@pytest.fixture
async def api(settings, httpserver):
    app = create_app(settings)  # not started: the API and the handlers, no relay
    service = app.state.service

    def ship_to(request: Request) -> Response:
        """Intake's ship-to lookup, faked: every case is Jane's, for the internal token;
        intake holds no address of a `case-erased-…` and cannot answer for a
        `case-unreachable-…`."""
        if request.headers.get("Authorization") != f"Bearer {INTERNAL_TOKEN}":
            return Response("", status=401)
        case_id = request.path.split("/")[2]
        if case_id.startswith("case-erased-"):
            detail = {"detail": f"no ship-to address for case {case_id} (unknown or erased)"}
            return Response(json.dumps(detail), status=404, content_type="application/json")
        if case_id.startswith("case-unreachable-"):
            return Response("", status=503)
        return Response(json.dumps({"case_id": case_id, **BUYER}), content_type="application/json")

    httpserver.expect_request(re.compile(r"^/cases/[^/]+/ship-to$")).respond_with_handler(ship_to)
    lookup_client = httpx.AsyncClient(base_url=httpserver.url_for("").rstrip("/"))
    service.context = Fulfillment(
        ShipToLookup(lookup_client, INTERNAL_TOKEN), WarehouseWebhooks(lookup_client)
    )
    async with api_of(app, "fulfillment") as client:
        client.router = DispatchRouter(service)
        yield client
    await lookup_client.aclose()


async def publish(api, payload) -> None:
    """The event consumed, then any dispatch it owes routed."""
    async with TestKafkaBroker(api.service.broker) as broker:
        await broker.publish(
            envelope_bytes(Envelope.wrap(payload)), f"{payload.owner}.events", key=b"k"
        )
    await api.router.work_once()


async def outbox(api, case_id: str) -> list[dict]:
    return await outbox_of(api.service, case_id)


async def stock(api, warehouse: str, sku: str, on_hand: int) -> None:
    answer = await api.put(
        f"/stock/{warehouse}/{sku}", json={"on_hand": on_hand, "bin": "B-7"}, headers=STAFF
    )
    assert answer.status_code == 200, answer.text


async def level(api, warehouse: str, sku: str) -> StockLevel:
    async with api.service.sessions() as session:
        return await session.get(StockLevel, (warehouse, sku))


def new_sku() -> str:
    return f"SPK-{uuid.uuid4().hex[:6]}"


async def task_of(api, case_id: str) -> dict:
    shipments = (await api.get("/shipments", params={"case_id": case_id})).json()
    assert shipments, "no dispatch task"
    return shipments[-1]


def read_pdf(content: bytes) -> tuple[str, list]:
    document = pdfium.PdfDocument(content)
    page = document[0]
    text = page.get_textpage().get_text_range()
    codes = zxingcpp.read_barcodes(page.render(scale=4).to_pil())
    return text, codes


async def returned(api) -> dict:
    decided = resolution_decided(new_sku(), remedy=Remedy.RETURN_FULL_REFUND)
    await publish(api, decided)
    answer = await api.get("/returns", params={"case_id": decided.case_id})
    assert answer.status_code == 200, answer.text
    return answer.json()
