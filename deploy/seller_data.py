"""The demo seller's own data for analytics, loaded before the sample cases: a sales feed
(units of every sample listing sold in each market each of the last 28 days, so reports
show return rates per listing and market, the earbuds and the slicer selling few enough
to stand out from their category),
its reason labels, and a few pre-sale FAQ entries (so FAQ gaps show what is not answered
yet). All in seller_data.json."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from deploy.secrets import demo_account
from deploy.settings import StackSettings
from deploy.warehouse_play import operator

SELLER_DATA = json.loads((Path(__file__).resolve().parent / "seller_data.json").read_text())
SALES_DAYS = 28


def sample_sales(cases: list[dict], days: int = SALES_DAYS) -> list[dict]:
    """Units per listing, market and day: a steady number per listing (`daily_units`) in
    every market the samples sell in."""
    skus = sorted({case["items"][0]["sku"] for case in cases})
    markets = sorted({case["market"] for case in cases})
    units = SELLER_DATA["daily_units"]
    today = datetime.now(UTC).date()
    return [
        {
            "sku": sku,
            "market": market,
            "day": (today - timedelta(days=back)).isoformat(),
            "units": units.get(sku, units["default"]),
        }
        for sku in skus
        for market in markets
        for back in range(days)
    ]


async def load_seller_data(settings: StackSettings, cases: list[dict]) -> None:
    seller = demo_account("generic")["account"]
    headers = operator(settings)
    base = settings.base_url_of("analytics")
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
        (await http.put(f"/sales/{seller}", json=sample_sales(cases))).raise_for_status()
        taxonomy = SELLER_DATA["taxonomy"]
        (await http.put(f"/taxonomy/{seller}", json=taxonomy)).raise_for_status()
        for entry in SELLER_DATA["faq"]:
            sku, entry_id = entry["sku"], entry["entry_id"]
            body = {k: v for k, v in entry.items() if k not in ("sku", "entry_id")}
            (await http.put(f"/faq/{seller}/{sku}/{entry_id}", json=body)).raise_for_status()
