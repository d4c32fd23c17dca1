"""A returned parcel received (FastStream's test broker, the real PostgreSQL) opens one
inspection on the bench, however often it is delivered."""

from tests.handlers.refurbish.conftest import SPEAKER, outbox, received


async def test_a_parcel_received_twice_opens_one_inspection_with_what_it_holds(api):
    inspection = await received(api)  # delivered twice
    assert (inspection["status"], inspection["rma_id"][:4]) == ("open", "RMA-")
    assert (inspection["warehouse"], inspection["notes"], inspection["currency"]) == (
        "BOS1",
        "box dented",
        "USD",
    )
    assert [item["sku"] for item in inspection["items"]] == [SPEAKER.sku]
    (opened,) = await outbox(api, inspection["case_id"])
    assert opened["type"] == "refurbish.inspection_opened"
    assert opened["data"]["inspection_id"] == inspection["inspection_id"]
