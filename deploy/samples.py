"""The bundled sample cases and the stock that lets their remedies be carried out."""

import json
from pathlib import Path

from services.fulfillment.domain.shipments import spare_part_sku
from services.fulfillment.domain.warehouses import WAREHOUSES

SAMPLE_FILE = Path(__file__).resolve().parent / "sample_cases.json"
# Returns the demo Shopify shop's buyers ask for: the emulated order, each line's reason and
# words; replayed as real-format returns/request webhooks.
SHOPIFY_RETURNS_FILE = Path(__file__).resolve().parent / "shopify_returns.json"


def sample_cases() -> list[dict]:
    return json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))


def shopify_returns() -> list[dict]:
    return json.loads(SHOPIFY_RETURNS_FILE.read_text(encoding="utf-8"))


def sample_stock(cases: list[dict], units: int = 50) -> list[tuple[str, str, int, str]]:
    """(warehouse, sku, on hand, bin): every sample SKU and its spare part, everywhere."""
    skus = sorted({item["sku"] for case in cases for item in case["items"]})
    rows = []
    for warehouse in (w.code for w in WAREHOUSES):
        for index, sku in enumerate(skus):
            rows.append((warehouse, sku, units, f"A-{index:02d}"))
            rows.append((warehouse, spare_part_sku(sku), units, f"P-{index:02d}"))
    return rows
