"""The seller's own reason taxonomy in and out, and its labels in the reports."""

from tests.factories import AGENT
from tests.handlers.analytics.conftest import pareto, report, seller_with_cases


async def test_the_seller_sees_reasons_in_its_own_taxonomy(api):
    seller = await seller_with_cases(api)
    taxonomy = {
        "reasons": {"size_fit": "Sizing", "defective": "Faulty", "damaged": "Faulty"},
        "codes": {"NOT_AS_DESCRIBED": "Listing text"},
    }
    path = f"/taxonomy/{seller}"
    assert (await api.put(path, json=taxonomy)).status_code == 401
    unknown = {"reasons": {"too_blue": "Colour"}}
    assert (await api.put(path, json=unknown, headers=AGENT)).status_code == 422
    assert (await api.put(path, json=taxonomy, headers=AGENT)).status_code == 200
    assert (await api.get(path, headers=AGENT)).json() == taxonomy

    listings = (
        await api.get("/reports/listings", params={"seller": seller}, headers=AGENT)
    ).json()["listings"]
    by_sku = {listing["sku"]: listing for listing in listings}
    assert pareto(by_sku["CRT-BLK-5284"]["seller_reasons"]) == [
        ("Sizing", 4, 0.8),
        ("Listing text", 1, 0.2),
    ]
    assert pareto(by_sku["BT-SPK-200"]["seller_reasons"]) == [
        ("Faulty", 4, 0.8),
        ("Sizing", 1, 0.2),
    ]
    markets = (await report(api, "markets", {"seller": seller}))["markets"]
    assert {m["market"]: pareto(m["seller_reasons"]) for m in markets}["UK"] == [
        ("Faulty", 1, 0.5),
        ("Sizing", 1, 0.5),
    ]
    everyone = (await api.get("/reports/listings", headers=AGENT)).json()["listings"]
    assert all(listing["seller_reasons"] is None for listing in everyone)
