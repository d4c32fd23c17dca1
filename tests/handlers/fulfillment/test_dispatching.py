"""Dispatching over the real PostgreSQL: the last unit, wanted by many cases at once."""

import asyncio
import uuid

from services.fulfillment.workflows import dispatching
from shared.events import CaseItem, Remedy
from shared.markets import Market
from tests.handlers.fulfillment.conftest import (
    level,
    new_sku,
    outbox,
    stock,
)


async def test_many_cases_racing_for_the_last_unit_one_wins(api):
    sku = new_sku()
    await stock(api, "BOS1", sku, 1)
    item = CaseItem(sku=sku, category="electronics", quantity=1, unit_price_minor=4999)
    case_ids = [f"case-race-{uuid.uuid4()}" for _ in range(24)]

    async def exchange(case_id: str):
        async with api.service.transaction() as session:
            return await dispatching.request_dispatch(
                session, case_id, Remedy.EXCHANGE, Market.US, [item]
            )

    won = await asyncio.gather(*(exchange(case_id) for case_id in case_ids))
    assert sum(shipment is not None for shipment in won) == 1
    unit = await level(api, "BOS1", sku)
    assert (unit.on_hand, unit.reserved) == (1, 1)
    unavailable = 0
    for case_id in case_ids:
        unavailable += [e["type"] for e in await outbox(api, case_id)] == [
            "fulfillment.stock_unavailable"
        ]
    assert unavailable == len(case_ids) - 1
