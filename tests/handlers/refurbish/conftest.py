"""What refurbish's handler tests share: its API over the real PostgreSQL, a returned
parcel received through FastStream's test broker, the checklist a technician sends."""

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from faststream.kafka import TestKafkaBroker

from services.refurbish.app import create_app
from shared.events import CaseItem, Envelope, ReturnReceived, ReturnRoute
from shared.markets import Currency, Market
from tests.factories import TECHNICIAN, envelope_bytes
from tests.handlers.conftest import api_of, outbox_of

SPEAKER = CaseItem(
    sku="BT-SPK-200-BLK",
    asin="B0C7K2M4QX",
    title="Portable Bluetooth Speaker 20W",
    category="electronics",
    quantity=1,
    unit_price_minor=12000,
)
CABLE = CaseItem(
    sku="USB-C-1M", title="USB-C cable", category="electronics", quantity=1, unit_price_minor=900
)
TEE = CaseItem(
    sku="TEE-M", title="Linen T-shirt, M", category="apparel", quantity=1, unit_price_minor=2499
)


@pytest.fixture
async def api(settings):
    async with api_of(create_app(settings), "refurbish") as client:
        yield client


async def received(
    api,
    item: CaseItem | None = SPEAKER,
    route: ReturnRoute = ReturnRoute.LOCAL,
    currency: Currency | None = Currency.USD,
    case_id: str | None = None,
    warehouse: str = "BOS1",
    for_repair: bool = False,
) -> dict:
    """A returned parcel scanned in at `warehouse`, Boston unless said (holding `item`, or
    nothing listed; the buyer's own unit in for a repair when `for_repair`); its inspection,
    as the bench lists it."""
    parcel = ReturnReceived(
        case_id=case_id or f"case-{uuid.uuid4()}",
        rma_id=f"RMA-{uuid.uuid4().hex[:12].upper()}",
        warehouse=warehouse,
        condition_note="box dented",
        received_at=datetime.now(UTC),
        items=[item] if item else [],
        market=Market.US,
        currency=currency,
        route=route,
        photos=["https://photos.example.com/1.jpg"],
        for_repair=for_repair,
    )
    async with TestKafkaBroker(api.service.broker) as broker:
        raw = envelope_bytes(Envelope.wrap(parcel))
        for _ in range(2):  # redelivered: still one inspection
            await broker.publish(raw, "fulfillment.events", key=parcel.case_id.encode())
    inspections = (
        await api.get("/inspections", params={"case_id": parcel.case_id}, headers=TECHNICIAN)
    ).json()
    assert len(inspections) == 1
    return inspections[0]


async def outbox(api, case_id: str) -> list[dict]:
    return await outbox_of(api.service, case_id)


async def form_of(api, inspection: dict) -> dict:
    answer = await api.get(
        f"/inspections/{inspection['inspection_id']}/checklist", headers=TECHNICIAN
    )
    assert answer.status_code == 200
    return answer.json()


def checklist(form: dict, cosmetic="none", failing=(), packaging="original_opened", **more):
    return {
        "cosmetic": cosmetic,
        "functional": {test: test not in failing for test in form["tests"]},
        "accessories_complete": True,
        "packaging": packaging,
        "fault": None,
        **more,
    }


async def submit(api, inspection: dict, body: dict, headers=TECHNICIAN) -> httpx.Response:
    return await api.post(
        f"/inspections/{inspection['inspection_id']}/checklist", json=body, headers=headers
    )
