"""Dispatching over the real PostgreSQL: the last unit, wanted by many cases at once; the
postage estimated from the units' real weight when the seller's catalog gives it."""

import asyncio
import uuid

from services.fulfillment.workflows import dispatching
from shared.events import CaseItem, ProductFacts, Remedy
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


async def dispatched(api, remedy: Remedy, product: ProductFacts | None = None):
    """A task for two units of a new electronics SKU (or a part of it), in Boston."""
    sku = new_sku()
    await stock(api, "BOS1", sku, 2)
    await stock(api, "BOS1", f"{sku}-PART", 1)
    item = CaseItem(
        sku=sku, category="electronics", quantity=2, unit_price_minor=4999, product=product
    )
    async with api.service.transaction() as session:
        task = await dispatching.request_dispatch(
            session, f"case-{uuid.uuid4()}", remedy, Market.US, [item]
        )
    assert task is not None
    return task


async def test_the_postage_of_a_unit_the_catalog_weighs_is_estimated_at_its_real_weight(api):
    heavy = ProductFacts(product_id="prod-heavy", weight_g=7_500)
    estimated = await dispatched(api, Remedy.EXCHANGE)  # 2 × 600 g by its category
    real = await dispatched(api, Remedy.EXCHANGE, heavy)
    assert real.postage_minor > estimated.postage_minor
    # A spare part weighs what parts weigh, whatever its unit does.
    part, part_of_unknown = (
        await dispatched(api, Remedy.PART_SHIPMENT, heavy),
        await dispatched(api, Remedy.PART_SHIPMENT),
    )
    assert part.postage_minor == part_of_unknown.postage_minor < estimated.postage_minor
