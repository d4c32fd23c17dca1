"""Fulfillment's label adapter against the emulated EasyPost (in this process, through the
ASGI transport): shipments rated, bought, read back, refunded, their label files; and how
EasyPost's answers are read (read-backs, `Unavailable` to retry, `Refused` with its code)."""

import base64
from decimal import Decimal

import httpx
import pytest

from deploy.emulators.app import create_app
from services.fulfillment.adapters.carrier_labels import CarrierLabels
from services.fulfillment.adapters.easypost import EasyPostApi
from services.fulfillment.domain.carrier_services import customs_for
from shared.events import CaseItem
from shared.labels import PostalAddress
from shared.outbound import Refused, Unavailable

KEY = "EZTK-test"
BOSTON = PostalAddress(
    "Boston Fulfillment Center", "88 Black Falcon Ave", None, "Boston, MA", None, "02210", "US"
)
JANE = PostalAddress("Jane Doe", "1 Main St", "Apt 2", "Cambridge", "MA", "02139", "US")


@pytest.fixture
def emulators():
    return create_app()


@pytest.fixture
async def labels(emulators):
    transport = httpx.ASGITransport(app=emulators)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulators/easypost") as http:
        yield CarrierLabels(EasyPostApi(http, KEY))


def ledger(emulators) -> list[dict]:
    return emulators.state.easypost.labels()


async def test_a_shipment_is_rated_for_the_parcel_in_ounces_from_the_warehouse(labels, emulators):
    shipment = await labels.create("shp-task-1", BOSTON, JANE, 450)
    assert (shipment.reference, shipment.weight_oz, shipment.is_bought) == (
        "shp-task-1",
        Decimal("15.9"),
        False,
    )
    assert ("USPS", "GroundAdvantage") in {(r.carrier, r.service) for r in shipment.rates}
    held = emulators.state.easypost.shipments[shipment.shipment_id]
    assert (held["from_address"]["city"], held["from_address"]["state"]) == ("Boston", "MA")
    assert (held["to_address"]["street2"], held["options"]["label_format"]) == ("Apt 2", "PDF")


async def test_a_parcel_the_catalog_measures_is_sent_with_its_size_in_inches(labels, emulators):
    shipment = await labels.create("shp-task-1", BOSTON, JANE, 1250, dimensions_mm=(220, 140, 110))
    held = emulators.state.easypost.shipments[shipment.shipment_id]["parcel"]
    assert (held["weight"], held["length"], held["width"], held["height"]) == (
        44.1,
        8.7,
        5.6,
        4.4,
    )
    unmeasured = await labels.create("shp-task-2", BOSTON, JANE, 1250)
    held = emulators.state.easypost.shipments[unmeasured.shipment_id]["parcel"]
    assert (held["weight"], held["length"], held["width"], held["height"]) == (
        44.1,
        None,
        None,
        None,
    )


async def test_a_label_is_bought_and_its_file_fetched(labels, emulators):
    shipment = await labels.create("shp-task-1", BOSTON, JANE, 450)
    rate = next(r for r in shipment.rates if r.service == "Priority")
    bought = await labels.buy(shipment.shipment_id, rate.rate_id)
    assert bought.is_bought and bought.bought == rate
    assert bought.tracking_number == ledger(emulators)[0]["tracking_code"]
    assert bought.label_type == "application/pdf"
    content, media_type = await labels.label_file(bought.label_url)
    assert media_type == "application/pdf" and content.startswith(b"%PDF")


async def test_buying_a_shipment_bought_already_reads_it_back_without_buying_again(
    labels, emulators
):
    shipment = await labels.create("shp-task-1", BOSTON, JANE, 450)
    first = await labels.buy(shipment.shipment_id, shipment.rates[0].rate_id)
    again = await labels.buy(shipment.shipment_id, shipment.rates[1].rate_id)
    assert again.tracking_number == first.tracking_number and again.bought == first.bought
    assert len(ledger(emulators)) == 1


async def test_a_shipment_is_read_back_bought_or_not(labels):
    shipment = await labels.create("shp-task-1", BOSTON, JANE, 450)
    assert not (await labels.shipment(shipment.shipment_id)).is_bought
    await labels.buy(shipment.shipment_id, shipment.rates[0].rate_id)
    assert (await labels.shipment(shipment.shipment_id)).is_bought


async def test_an_unused_label_is_refunded_and_a_second_refund_reads_it_back(labels, emulators):
    shipment = await labels.create("shp-task-1", BOSTON, JANE, 450)
    await labels.buy(shipment.shipment_id, shipment.rates[0].rate_id)
    assert (await labels.refund(shipment.shipment_id)).refund_status == "submitted"
    assert (await labels.refund(shipment.shipment_id)).refund_status == "submitted"
    assert ledger(emulators)[0]["refund_status"] == "submitted"


async def test_a_refund_of_a_label_never_bought_is_refused_with_easyposts_code(labels):
    shipment = await labels.create("shp-task-1", BOSTON, JANE, 450)
    with pytest.raises(Refused) as refused:
        await labels.refund(shipment.shipment_id)
    assert (refused.value.status, refused.value.code) == (422, "SHIPMENT.REFUND.UNAVAILABLE")


async def test_a_carriers_rate_error_is_read_from_easyposts_messages(labels, emulators):
    emulators.state.easypost.rate_errors["USPS"] = "USPS is down"
    shipment = await labels.create("shp-task-1", BOSTON, JANE, 450)
    assert shipment.rate_errors == {"USPS": "USPS is down"}
    assert "USPS" not in {r.carrier for r in shipment.rates}


async def test_an_outage_is_unavailable_with_easyposts_retry_after(labels, emulators):
    emulators.state.faults.arm("easypost", _fault(outage_seconds=30))
    with pytest.raises(Unavailable) as unavailable:
        await labels.create("shp-task-1", BOSTON, JANE, 450)
    assert unavailable.value.status == 503 and 29 <= unavailable.value.retry_after <= 30


async def test_a_throttled_purchase_is_unavailable_and_nothing_is_bought(labels, emulators):
    shipment = await labels.create("shp-task-1", BOSTON, JANE, 450)
    emulators.state.faults.arm("easypost", _fault(status=429, retry_after=7))
    with pytest.raises(Unavailable) as unavailable:
        await labels.buy(shipment.shipment_id, shipment.rates[0].rate_id)
    assert unavailable.value.retry_after == 7 and ledger(emulators) == []


async def test_an_unknown_shipment_is_refused_with_easyposts_code(labels):
    with pytest.raises(Refused) as refused:
        await labels.shipment("shp_nothing")
    assert (refused.value.status, refused.value.code) == (404, "NOT_FOUND")
    assert "could not be found" in refused.value.reason


async def test_a_refused_key_is_refused_with_its_code_and_the_key_never_shown(caplog):
    seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        error = {"code": "APIKEY.INACTIVE", "message": "This api key is no longer active."}
        return httpx.Response(401, json={"error": {**error, "errors": []}})

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(answer), base_url="http://easypost"
    ) as http:
        with pytest.raises(Refused) as refused:
            await CarrierLabels(EasyPostApi(http, KEY)).create("shp-1", BOSTON, JANE, 450)
    assert seen == ["Basic " + base64.b64encode(f"{KEY}:".encode()).decode()]
    assert (refused.value.status, refused.value.code) == (401, "APIKEY.INACTIVE")
    assert KEY not in str(refused.value) and KEY not in caplog.text


def test_an_empty_key_is_refused_at_start():
    with pytest.raises(ValueError, match="API key"):
        EasyPostApi(httpx.AsyncClient(), " ")


async def test_a_purchase_answered_with_no_shipment_is_unavailable_so_it_is_read_back():
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"ok": True})

    transport = httpx.MockTransport(answer)
    async with httpx.AsyncClient(transport=transport, base_url="http://easypost") as http:
        with pytest.raises(Unavailable, match="not the documented resource"):
            await CarrierLabels(EasyPostApi(http, KEY)).buy("shp_1", "rate_1")


def _fault(**fault):
    from deploy.emulators.faults import Fault

    return Fault(**fault)


async def test_a_parcel_across_a_customs_border_carries_its_declaration(labels, emulators):
    mississauga = PostalAddress(
        "Mississauga Fulfilment Centre",
        "6350 Tomken Rd",
        None,
        "Mississauga, ON",
        None,
        "L5T 1Y3",
        "CA",
    )
    item = CaseItem(
        sku="SPK-1", quantity=2, unit_price_minor=4999, title="Speaker", category="electronics"
    )
    customs = customs_for("CA", "US", [item], "USD", returned_goods=False)
    shipment = await labels.create("shp-task-1", mississauga, JANE, 1800, customs=customs)
    bought = await labels.buy(shipment.shipment_id, shipment.rates[0].rate_id)
    assert bought.is_bought
    declared = emulators.state.easypost.shipments[shipment.shipment_id]["customs_info"]
    assert (declared["contents_type"], declared["customs_signer"]) == (
        "merchandise",
        "Mississauga Fulfilment Centre",
    )
    assert declared["customs_items"] == [
        {
            "description": "Speaker",
            "quantity": 2,
            "value": "99.98",
            "currency": "USD",
            "weight": 63.5,
            "hs_tariff_number": "851822",
            "origin_country": "CN",
        }
    ]
