"""Fulfillment's pickup adapter against the emulated EasyPost: a pickup made for a bought
return label, bought with a confirmation, read back, cancelled; a second purchase or
cancellation answered with the pickup read back."""

from datetime import UTC, datetime

import httpx
import pytest

from deploy.emulators.app import create_app
from services.fulfillment.adapters.carrier_labels import CarrierLabels
from services.fulfillment.adapters.carrier_pickups import CarrierPickups
from services.fulfillment.adapters.easypost import EasyPostApi
from shared.labels import PostalAddress
from shared.outbound import Refused

BOSTON = PostalAddress(
    "Boston Fulfillment Center", "88 Black Falcon Ave", None, "Boston, MA", None, "02210", "US"
)
JANE = PostalAddress("Jane Doe", "1 Main St", None, "Cambridge", "MA", "02139", "US")
EARLIEST = datetime(2026, 11, 24, 14, tzinfo=UTC)
LATEST = datetime(2026, 11, 24, 18, tzinfo=UTC)


@pytest.fixture
def emulators():
    return create_app()


@pytest.fixture
async def easypost(emulators):
    transport = httpx.ASGITransport(app=emulators)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulators/easypost") as http:
        yield EasyPostApi(http, "EZTK-test")


async def return_shipment(easypost: EasyPostApi) -> str:
    labels = CarrierLabels(easypost)
    shipment = await labels.create("RMA-1", BOSTON, JANE, 900, is_return=True)
    await labels.buy(shipment.shipment_id, shipment.rates[0].rate_id)
    return shipment.shipment_id


async def test_a_pickup_is_made_bought_and_cancelled(easypost, emulators):
    pickups = CarrierPickups(easypost)
    shipment_id = await return_shipment(easypost)
    made = await pickups.create("RMA-1@w", JANE, shipment_id, EARLIEST, LATEST, "Return RMA-1")
    assert (made.reference, made.status, made.confirmation) == ("RMA-1@w", "unknown", None)
    assert [(r.carrier, r.service) for r in made.rates] == [("USPS", "NextDay")]
    held = emulators.state.easypost.pickups[made.pickup_id]
    assert (held["min_datetime"], held["max_datetime"]) == (
        "2026-11-24T14:00:00Z",
        "2026-11-24T18:00:00Z",
    )
    scheduled = await pickups.buy(made.pickup_id, "USPS", "NextDay")
    assert scheduled.is_scheduled and scheduled.confirmation.startswith("WTC")
    again = await pickups.buy(made.pickup_id, "USPS", "NextDay")
    assert again.confirmation == scheduled.confirmation
    assert (await pickups.pickup(made.pickup_id)).is_scheduled
    assert (await pickups.cancel(made.pickup_id)).is_cancelled
    assert (await pickups.cancel(made.pickup_id)).is_cancelled
    (entry,) = emulators.state.easypost.booked_pickups()
    assert entry["status"] == "canceled"


async def test_a_pickup_for_a_label_never_bought_is_refused_with_easyposts_code(easypost):
    shipment = await CarrierLabels(easypost).create("RMA-1", BOSTON, JANE, 900, is_return=True)
    with pytest.raises(Refused) as refused:
        await CarrierPickups(easypost).create(
            "RMA-1@w", JANE, shipment.shipment_id, EARLIEST, LATEST, "Return RMA-1"
        )
    assert (refused.value.status, refused.value.code) == (422, "PICKUP.SHIPMENT.INVALID")


async def test_a_purchase_refused_for_a_pickup_not_scheduled_is_refused(easypost):
    pickups = CarrierPickups(easypost)
    made = await pickups.create(
        "RMA-1@w", JANE, await return_shipment(easypost), EARLIEST, LATEST, "Return RMA-1"
    )
    with pytest.raises(Refused) as refused:
        await pickups.buy(made.pickup_id, "UPS", "Pickup")
    assert refused.value.code == "PICKUP.RATE.INVALID"
