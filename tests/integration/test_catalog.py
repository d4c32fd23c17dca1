"""The seller's catalog through the running stack: a case whose SKU the seller uploaded is
published with its product's facts and resolved; one whose SKU the catalog does not know is
flagged on the case and resolved all the same."""

import uuid

from tests.conftest import eventually
from tests.factories import AGENT, BASE_WEBHOOK, post_case, webhook
from tests.integration.conftest import offers_of, scalar

ACCOUNT = "test-seller"  # the generic account post_case signs for


async def opened(clients, sku: str) -> str:
    item = {**BASE_WEBHOOK["items"][0], "sku": sku}
    response = await post_case(clients["intake"], webhook(items=[item]))
    assert response.status_code == 202, response.text
    return response.json()["case_id"]


async def stored(database, case_id: str, sql: str):
    async def probe():
        return await scalar(database, sql, case_id=case_id)

    return await eventually(probe)


async def test_a_case_carries_its_product_from_the_catalog_and_an_unknown_sku_flows(
    stack, clients, database
):
    sku = f"CAT-SPK-{uuid.uuid4().hex[:6].upper()}"
    csv = (
        "sku,product_id,category,fnsku,weight_g,length_mm,width_mm,height_mm,hs_code,"
        "origin_country,landed_cost_US,attr_color\n"
        f"{sku},CAT-SPK,electronics,X00CATSPK1,910,220,160,90,851822,CN,17.50,Black\n"
    )
    uploaded = await clients["intake"].post(
        f"/catalog/uploads/generic/{ACCOUNT}",
        content=csv.encode(),
        headers={**AGENT, "content-type": "text/csv"},
    )
    assert uploaded.status_code == 200, uploaded.text

    known = await opened(clients, sku)
    product = await stored(
        database,
        known,
        "SELECT c.case->'items'->0->'product' FROM intake.cases c WHERE c.case_id = :case_id",
    )
    assert product == {
        "product_id": "CAT-SPK",
        "attributes": {"color": "Black"},
        "fnsku": "X00CATSPK1",
        "weight_g": 910,
        "dimensions_mm": [220, 160, 90],
        "landed_cost_minor": 1750,
        "hs_code": "851822",
        "origin_country": "CN",
        "titles": {},  # a CSV row names no title in other languages
    }
    assert await eventually(lambda: offers_of(clients, known))

    unknown = await opened(clients, f"NOT-LISTED-{uuid.uuid4().hex[:6]}")
    flagged = await stored(
        database, unknown, "SELECT unknown_skus FROM intake.cases WHERE case_id = :case_id"
    )
    assert flagged and flagged[0].startswith("NOT-LISTED-")
    assert await eventually(lambda: offers_of(clients, unknown))
