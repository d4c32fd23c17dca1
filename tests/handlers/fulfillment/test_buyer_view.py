"""What intake's buyer page reads of a case's parcels (`handlers/buyer_view.py`):
internal token only; a case without parcels has none."""

from tests.factories import INTERNAL_TOKEN
from tests.handlers.fulfillment.conftest import returned

INTERNAL = {"authorization": f"Bearer {INTERNAL_TOKEN}"}


async def test_only_the_services_read_a_case_s_parcels(api):
    assert (await api.get("/cases/any/buyer-view")).status_code == 401
    seen = await api.get("/cases/case-without-parcels/buyer-view", headers=INTERNAL)
    assert seen.status_code == 200
    assert seen.json() == {"case_id": "case-without-parcels", "return": None, "shipments": []}


async def test_intake_reads_the_return_its_windows_label_and_books_for_the_buyer(api):
    parcel = await returned(api)
    seen = (await api.get(f"/cases/{parcel['case_id']}/buyer-view", headers=INTERNAL)).json()
    the_return = seen["return"]
    assert (the_return["rma_id"], the_return["pickup"]) == (parcel["rma_id"], None)
    assert the_return["tracking_number"] == parcel["tracking_number"]
    window = the_return["pickup_windows"][0]
    label = await api.get(f"/returns/{parcel['rma_id']}/label.pdf", headers=INTERNAL)
    assert label.status_code == 200 and label.content.startswith(b"%PDF")
    booked = await api.post(f"/returns/{parcel['rma_id']}/pickup", json=window, headers=INTERNAL)
    assert booked.status_code == 200, booked.text
    seen = (await api.get(f"/cases/{parcel['case_id']}/buyer-view", headers=INTERNAL)).json()
    assert seen["return"]["pickup"] == window
    wrong = {"authorization": "Bearer nope"}
    assert (
        await api.get(f"/returns/{parcel['rma_id']}/label.pdf", headers=wrong)
    ).status_code == 401
