"""Pickups of returns whose label the carrier sold, booked with the emulated EasyPost over
the real PostgreSQL: scheduled with the carrier's confirmation, booked once however often
it is asked, moved (the carrier's earlier pickup cancelled by the worker), and answered
503 with Retry-After while EasyPost is down."""

from tests.factories import AGENT
from tests.handlers.fulfillment.conftest import decided_return, ledger, outbox


async def carriers_return(api) -> dict:
    decided = await decided_return(api)
    await api.return_labels.work_once()
    return (await api.get("/returns", params={"case_id": decided.case_id}, headers=AGENT)).json()


async def pickups_of(api, parcel: dict) -> list[dict]:
    return [p for p in await ledger(api, "pickups") if p["reference"].startswith(parcel["rma_id"])]


async def test_a_pickup_is_booked_with_the_carrier_once_and_moved_with_it(carrier_api):
    parcel = await carriers_return(carrier_api)
    path = f"/returns/{parcel['rma_id']}"
    first, other = (await carrier_api.get(f"{path}/pickup-windows", headers=AGENT)).json()[:2]
    booked = await carrier_api.post(f"{path}/pickup", json=first, headers=AGENT)
    assert booked.status_code == 200, booked.text
    (pickup,) = await pickups_of(carrier_api, parcel)
    assert (pickup["status"], pickup["carrier"]) == ("scheduled", "USPS")
    assert booked.json()["pickup_confirmation"] == pickup["confirmation"]
    again = await carrier_api.post(f"{path}/pickup", json=first, headers=AGENT)
    assert again.json()["pickup_confirmation"] == pickup["confirmation"]
    assert len(await pickups_of(carrier_api, parcel)) == 1

    moved = await carrier_api.post(f"{path}/pickup", json=other, headers=AGENT)
    assert moved.status_code == 200 and moved.json()["pickup_starts"] == other["starts"]
    await carrier_api.cancellations.work_once()
    before, after = await pickups_of(carrier_api, parcel)
    assert (before["status"], after["status"]) == ("canceled", "scheduled")
    assert moved.json()["pickup_confirmation"] == after["confirmation"]
    events = [e for e in await outbox(carrier_api, parcel["case_id"])]
    confirmations = [
        e["data"]["confirmation"] for e in events if e["type"] == "fulfillment.pickup_scheduled"
    ]
    assert confirmations == [pickup["confirmation"], pickup["confirmation"], after["confirmation"]]


async def test_while_easypost_is_down_a_booking_answers_503_and_booking_again_succeeds(
    carrier_api,
):
    parcel = await carriers_return(carrier_api)
    path = f"/returns/{parcel['rma_id']}"
    window = (await carrier_api.get(f"{path}/pickup-windows", headers=AGENT)).json()[0]
    await carrier_api.easypost.put("/_emulator/faults/easypost", json={"outage_seconds": 60})
    down = await carrier_api.post(f"{path}/pickup", json=window, headers=AGENT)
    assert down.status_code == 503 and int(down.headers["Retry-After"]) >= 1
    assert (await carrier_api.get(path, headers=AGENT)).json()["pickup_day"] is None
    await carrier_api.easypost.delete("/_emulator/faults/easypost")
    booked = await carrier_api.post(f"{path}/pickup", json=window, headers=AGENT)
    assert booked.status_code == 200
    assert len(await pickups_of(carrier_api, parcel)) == 1


async def test_a_window_the_carrier_does_not_offer_is_refused_before_easypost_is_asked(
    carrier_api,
):
    parcel = await carriers_return(carrier_api)
    past = {"day": "2020-01-06", "starts": "09:00", "ends": "12:00"}
    refused = await carrier_api.post(
        f"/returns/{parcel['rma_id']}/pickup", json=past, headers=AGENT
    )
    assert refused.status_code == 422 and "past" in refused.json()["detail"]
    assert await pickups_of(carrier_api, parcel) == []
