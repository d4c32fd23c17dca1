"""The labels bought from the carrier, for agents: listed by state and case, and only a
failed one owed again (the worker's failures and retries: test_return_labels.py)."""

from tests.factories import AGENT
from tests.handlers.fulfillment.conftest import pack, picked_task


async def test_the_labels_are_listed_by_state_for_agents(carrier_api):
    task = await picked_task(carrier_api)
    await pack(carrier_api, task)
    assert (await carrier_api.get("/carrier-labels")).status_code == 401
    listed = await carrier_api.get(
        "/carrier-labels", params={"state": "bought", "case_id": task["case_id"]}, headers=AGENT
    )
    assert [label["reference"] for label in listed.json()] == [task["shipment_id"]]
    retry = await carrier_api.post(f"/carrier-labels/{task['shipment_id']}/retry", headers=AGENT)
    assert retry.status_code == 409 and "bought" in retry.json()["detail"]
