"""What fulfillment's handler tests share: the service's API over the real PostgreSQL,
with intake's ship-to lookup faked on the test HTTP server; decided remedies published
to it (FastStream's test broker) and the dispatches they owe routed; the events, stock
and tasks it wrote; labels read back from their PDFs. `api` has no carrier account (labels
drawn here, numbers minted); `carrier_api` buys them from the emulated EasyPost, in this
process, with its own state per test (`carrier_api.easypost`: its ledger and faults)."""

import json
import re
import uuid

import httpx
import pypdfium2 as pdfium
import pytest
import zxingcpp
from faststream.kafka import TestKafkaBroker
from sqlalchemy import update
from werkzeug import Request, Response

from deploy.emulators.app import create_app as create_emulators
from services.fulfillment.adapters.carrier_labels import CarrierLabels
from services.fulfillment.adapters.carrier_pickups import CarrierPickups
from services.fulfillment.adapters.easypost import EasyPostApi
from services.fulfillment.adapters.ship_to import ShipToLookup
from services.fulfillment.adapters.warehouse_webhooks import WarehouseWebhooks
from services.fulfillment.app import create_app
from services.fulfillment.tables import CarrierLabel, StockLevel
from services.fulfillment.workers.dispatch_router import DispatchRouter
from services.fulfillment.workers.label_voids import LabelVoider
from services.fulfillment.workers.pickup_cancellations import PickupCanceller
from services.fulfillment.workers.return_labels import ReturnLabelBuyer
from services.fulfillment.workflows.context import Fulfillment
from shared.events import Envelope, Remedy
from tests.factories import (
    AGENT,
    BASE_WEBHOOK,
    INTERNAL_TOKEN,
    STAFF,
    bearer,
    envelope_bytes,
    resolution_decided,
)
from tests.handlers.conftest import api_of, outbox_of

# The sample webhook's buyer, as intake's ship-to lookup answers.
BUYER = {key: BASE_WEBHOOK["buyer"][key] for key in ("name", "address")}


NO_CARRIER = {"easypost_api_base_url": None, "easypost_api_key": None}
EASYPOST = "http://emulators/easypost"
CARRIER = {"easypost_api_base_url": EASYPOST, "easypost_api_key": "EZTK-test"}


def fake_ship_to(httpserver) -> None:
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


LOCAL = ["127.0.0.1", "localhost"]  # where pytest-httpserver plays the warehouse systems


@pytest.fixture
async def api(settings, httpserver):
    app = create_app(settings.model_copy(update=NO_CARRIER))  # not started: no relay
    service = app.state.service
    fake_ship_to(httpserver)
    lookup_client = httpx.AsyncClient(
        base_url=httpserver.url_for("").rstrip("/"), headers=bearer(INTERNAL_TOKEN)
    )
    service.context = Fulfillment(
        ShipToLookup(lookup_client), WarehouseWebhooks(lookup_client, LOCAL)
    )
    async with api_of(app, "fulfillment") as client:
        client.router = DispatchRouter(service)
        yield client
    await lookup_client.aclose()


@pytest.fixture
async def carrier_api(settings, httpserver):
    """Fulfillment with a carrier account: the emulated EasyPost; its workers by hand."""
    app = create_app(settings.model_copy(update=CARRIER))
    service = app.state.service
    fake_ship_to(httpserver)
    emulators = create_emulators()
    transport = httpx.ASGITransport(app=emulators)
    lookup_client = httpx.AsyncClient(
        base_url=httpserver.url_for("").rstrip("/"), headers=bearer(INTERNAL_TOKEN)
    )
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://emulators") as easypost,
        httpx.AsyncClient(transport=transport, base_url=EASYPOST) as carrier_client,
    ):
        carrier = EasyPostApi(carrier_client, "EZTK-test")
        labels, pickups = CarrierLabels(carrier), CarrierPickups(carrier)
        lookup = ShipToLookup(lookup_client)
        webhooks = WarehouseWebhooks(lookup_client, LOCAL)
        service.context = Fulfillment(lookup, webhooks, labels, pickups)
        async with api_of(app, "fulfillment") as client:
            client.router = DispatchRouter(service)
            client.return_labels = ReturnLabelBuyer(service, labels)
            client.voids = LabelVoider(service, labels)
            client.cancellations = PickupCanceller(service, pickups)
            client.easypost = easypost
            client.emulators = emulators
            yield client
    await lookup_client.aclose()


async def ledger(api, what: str = "labels") -> list[dict]:
    """The emulated EasyPost's labels bought (or pickups booked)."""
    return (await api.easypost.get(f"/_emulator/easypost/{what}")).json()[what]


async def carrier_label(api, reference: str) -> CarrierLabel | None:
    async with api.service.sessions() as session:
        return await session.get(CarrierLabel, reference)


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
    shipments = (await api.get("/shipments", params={"case_id": case_id}, headers=AGENT)).json()
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
    answer = await api.get("/returns", params={"case_id": decided.case_id}, headers=AGENT)
    assert answer.status_code == 200, answer.text
    return answer.json()


# With a carrier account


async def picked_task(api) -> dict:
    """A part's dispatch task in Boston, picked: ready to pack."""
    sku = new_sku()
    await stock(api, "BOS1", f"{sku}-PART", 3)
    decided = resolution_decided(sku)
    await publish(api, decided)
    task = await task_of(api, decided.case_id)
    assert (await api.post(f"/tasks/{task['shipment_id']}/picked", headers=STAFF)).is_success
    return task


async def pack(api, task: dict, weight_g: int = 450) -> httpx.Response:
    path = f"/tasks/{task['shipment_id']}/packed"
    return await api.post(path, json={"weight_g": weight_g}, headers=STAFF)


async def bought_for(api, reference: str) -> list[dict]:
    return [label for label in await ledger(api) if label["reference"] == reference]


async def decided_return(api, case_id: str | None = None):
    decided = resolution_decided(new_sku(), remedy=Remedy.RETURN_FULL_REFUND)
    if case_id:
        decided = decided.model_copy(update={"case_id": case_id})
    await publish(api, decided)
    return decided


async def owed_label(api, case_id: str) -> CarrierLabel:
    """The case's label row, listed for agents."""
    listed = await api.get("/carrier-labels", params={"case_id": case_id}, headers=AGENT)
    (row,) = listed.json()
    return await carrier_label(api, row["reference"])


async def due_now(api, reference: str) -> None:
    """The label tried at the worker's next turn (as when its pause or lease runs out)."""
    async with api.service.transaction() as session:
        await session.execute(
            update(CarrierLabel)
            .where(CarrierLabel.reference == reference)
            .values(next_attempt_at=CarrierLabel.created_at)
        )
