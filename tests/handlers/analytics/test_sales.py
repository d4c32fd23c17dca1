"""The seller's sales feed in (JSON or CSV uploads of any size), a bad upload refused with
its line."""

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from services.analytics.tables import UnitsSold
from tests.factories import AGENT


async def test_a_years_sales_of_many_listings_is_taken_in_one_upload(api):
    """9,000 rows: more parameters than one PostgreSQL statement may carry as one VALUES list."""
    seller = f"seller-{uuid.uuid4().hex[:8]}"
    start = datetime(2026, 1, 1).date()
    lines = [
        f"SKU-{listing},{start + timedelta(days=day)},{day % 7}"
        for listing in range(30)
        for day in range(300)
    ]
    upload = "sku,day,units\n" + "\n".join(lines) + "\nSKU-0,2026-01-01,5\n"  # sent twice
    headers = {**AGENT, "content-type": "text/csv"}
    answer = await api.put(f"/sales/{seller}", content=upload, headers=headers)
    assert answer.status_code == 200 and answer.json()["days"] == 9001
    async with api.service.sessions() as session:
        kept = list(
            await session.scalars(select(UnitsSold).where(UnitsSold.seller_account == seller))
        )
    assert len(kept) == 9000
    assert sum(row.units for row in kept) == 30 * sum(day % 7 for day in range(300)) + 5


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("sku,day\nA,2026-10-01\n", "lacks units"),
        ("sku,day,units\nA,2026-10-01,3\nA,2026-13-01,3\n", "line 3: day"),
        ("sku,day,units\nA,2026-10-01,-4\n", "line 2: units"),
    ],
)
async def test_a_bad_sales_upload_is_refused_with_its_line_and_keeps_nothing(api, body, reason):
    seller = f"seller-{uuid.uuid4().hex[:8]}"
    headers = {**AGENT, "content-type": "text/csv"}
    answer = await api.put(f"/sales/{seller}", content=body, headers=headers)
    assert answer.status_code == 422 and reason in answer.json()["detail"]
    async with api.service.sessions() as session:
        kept = await session.scalars(select(UnitsSold).where(UnitsSold.seller_account == seller))
        assert list(kept) == []
    assert (await api.put(f"/sales/{seller}", content=body)).status_code == 401
