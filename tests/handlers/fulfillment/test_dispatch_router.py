"""The dispatch router over the real PostgreSQL: a dispatch waits while intake cannot say
the buyer's postcode, and is routed on the region's farthest zones after a few tries."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from services.fulfillment.tables import DispatchRequest
from services.fulfillment.workers.dispatch_router import LOOKUP_ATTEMPTS
from tests.factories import resolution_decided
from tests.handlers.fulfillment.conftest import new_sku, outbox, publish, stock, task_of


async def test_a_dispatch_waits_for_intake_then_is_routed_without_the_postcode(api):
    sku = new_sku()
    await stock(api, "BOS1", f"{sku}-PART", 1)
    decided = resolution_decided(sku)
    decided = decided.model_copy(update={"case_id": f"case-unreachable-{uuid.uuid4()}"})
    await publish(api, decided)  # intake answers 503: the dispatch waits
    assert await outbox(api, decided.case_id) == []
    async with api.service.sessions() as session:
        owed = await session.scalar(
            select(DispatchRequest).where(DispatchRequest.case_id == decided.case_id)
        )
    assert owed.state == "pending" and owed.next_attempt_at > datetime.now(UTC)

    async with api.service.transaction() as session:
        await session.execute(
            update(DispatchRequest)
            .where(DispatchRequest.request_id == owed.request_id)
            .values(
                attempts=LOOKUP_ATTEMPTS - 1,
                next_attempt_at=datetime.now(UTC) - timedelta(seconds=1),
            )
        )
    await api.router.work_once()
    assert (await task_of(api, decided.case_id))["warehouse"] == "BOS1"
    async with api.service.sessions() as session:
        assert (await session.get(DispatchRequest, owed.request_id)).state == "done"
