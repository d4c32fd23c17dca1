"""What intake's buyer page reads of a case's parcels (`handlers/buyer_view.py`):
internal token only; a case without parcels has none."""

from tests.factories import INTERNAL_TOKEN

INTERNAL = {"authorization": f"Bearer {INTERNAL_TOKEN}"}


async def test_only_the_services_read_a_case_s_parcels(api):
    assert (await api.get("/cases/any/buyer-view")).status_code == 401
    seen = await api.get("/cases/case-without-parcels/buyer-view", headers=INTERNAL)
    assert seen.status_code == 200
    assert seen.json() == {"case_id": "case-without-parcels", "return": None, "shipments": []}
