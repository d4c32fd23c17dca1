"""Back to origin over the real PostgreSQL: units refurbish routes to the factory leave
together, with their customs data and commercial invoice."""

import uuid

import pypdfium2 as pdfium

from shared.events import CaseItem, Disposition, DispositionDecided, Grade, ProductFacts
from shared.markets import Currency
from tests.factories import STAFF
from tests.handlers.fulfillment.conftest import (
    outbox,
    publish,
    returned,
)


async def test_units_routed_to_origin_leave_together_with_a_commercial_invoice(api):
    parcels = [await returned(api) for _ in range(2)]
    for parcel in parcels:
        item = CaseItem(
            sku="BT-SPK-200-BLK",
            title="Portable Bluetooth Speaker 20W",
            category="electronics",
            quantity=1,
            unit_price_minor=15900,
        )
        await publish(
            api,
            DispositionDecided(
                case_id=parcel["case_id"],
                inspection_id=f"insp-{uuid.uuid4()}",
                rma_id=parcel["rma_id"],
                warehouse="BOS1",
                grade=Grade.D,
                disposition=Disposition.RETURN_TO_ORIGIN,
                net_minor=4200,
                currency=Currency.USD,
                items=[item],
                alternatives=[],
            ),
        )
    listed = (await api.get("/warehouses/BOS1/origin-shipments", headers=STAFF)).json()
    open_one = next(c for c in listed if c["status"] == "open")
    assert {p["rma_id"] for p in parcels} <= {u["rma_id"] for u in open_one["units"]}
    path = f"/origin-shipments/{open_one['consolidation_id']}"
    assert (await api.get(f"{path}/invoice.pdf", headers=STAFF)).status_code == 409
    draft = (await api.get(f"{path}/customs", headers=STAFF)).json()
    ours = [line for line in draft["lines"] if line["unit_value_minor"] == 15900]
    assert len(ours) == 2 and draft["status"] == "open" and draft["currency"] == "USD"
    assert {(line["hs_code"], line["origin_country"]) for line in ours} == {("8518.22", "CN")}
    assert draft["total_value_minor"] == sum(line["value_minor"] for line in draft["lines"])
    dispatched = await api.post(f"{path}/dispatch", headers=STAFF)
    assert dispatched.status_code == 200 and dispatched.json()["invoice_number"]
    invoice = await api.get(f"{path}/invoice.pdf", headers=STAFF)
    text = pdfium.PdfDocument(invoice.content)[0].get_textpage().get_text_range()
    assert "8518.22" in text and dispatched.json()["invoice_number"] in text and "CN" in text
    for parcel in parcels:
        types = [e["type"] for e in await outbox(api, parcel["case_id"])]
        assert types[-1] == "fulfillment.returned_to_origin"
    again = (await api.get("/warehouses/BOS1/origin-shipments", headers=STAFF)).json()
    assert all(c["status"] == "dispatched" for c in again if c["units"])


async def test_the_invoice_declares_the_catalogs_hs_code_and_origin_else_the_categorys(api):
    known, unknown = f"Air purifier {uuid.uuid4().hex[:6]}", f"Kettle {uuid.uuid4().hex[:6]}"
    facts = ProductFacts(
        product_id="prod-purifier", hs_code="8421392000", origin_country="VN", weight_g=4300
    )
    for title, product in [(known, facts), (unknown, None)]:
        parcel = await returned(api)
        item = CaseItem(
            sku="AP-300",
            title=title,
            category="home",
            quantity=2,
            unit_price_minor=18900,
            product=product,
        )
        await publish(api, to_origin(parcel, item))
    listed = (await api.get("/warehouses/BOS1/origin-shipments", headers=STAFF)).json()
    open_one = next(c for c in listed if c["status"] == "open")
    path = f"/origin-shipments/{open_one['consolidation_id']}"
    customs = (await api.get(f"{path}/customs", headers=STAFF)).json()
    lines = {line["description"]: line for line in customs["lines"]}
    assert (lines[known]["hs_code"], lines[known]["origin_country"]) == ("8421392000", "VN")
    assert lines[known]["weight_g"] == 2 * 4300
    assert (lines[unknown]["hs_code"], lines[unknown]["origin_country"]) == ("6303.92", "CN")
    assert (await api.post(f"{path}/dispatch", headers=STAFF)).status_code == 200
    invoice = await api.get(f"{path}/invoice.pdf", headers=STAFF)
    text = pdfium.PdfDocument(invoice.content)[0].get_textpage().get_text_range()
    assert "8421392000" in text and "VN" in text and "6303.92" in text


def to_origin(parcel: dict, item: CaseItem) -> DispositionDecided:
    return DispositionDecided(
        case_id=parcel["case_id"],
        inspection_id=f"insp-{uuid.uuid4()}",
        rma_id=parcel["rma_id"],
        warehouse="BOS1",
        grade=Grade.D,
        disposition=Disposition.RETURN_TO_ORIGIN,
        net_minor=4200,
        currency=Currency.USD,
        items=[item],
        alternatives=[],
    )
