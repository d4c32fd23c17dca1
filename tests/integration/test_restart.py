"""A consumer service stopped mid-flow and restarted loses nothing."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import eventually
from tests.factories import AGENT, post_case, webhook

FLOW = sorted(["case.opened", "resolution.offered", "case.buyer_messaged"])


async def test_cases_opened_while_resolution_is_down_are_decided_after_restart(
    stack, clients, settings
):
    await stack.stop("resolution")
    try:
        case_ids = []
        for _ in range(5):
            response = await post_case(clients["intake"], webhook(reason_code="COSMETIC_DAMAGE"))
            assert response.status_code == 202
            case_ids.append(response.json()["case_id"])
    finally:
        await stack.start("resolution")

    engine = create_async_engine(settings.async_database_url)
    try:

        async def decided():
            async with engine.connect() as connection:
                return await connection.scalar(
                    text("SELECT count(*) FROM resolution.decisions WHERE case_id = ANY(:ids)"),
                    {"ids": case_ids},
                ) == len(case_ids)

        assert await eventually(decided, timeout=90)
    finally:
        await engine.dispose()

    seen: dict[str, list[str]] = {}

    async def all_in_analytics():
        for case_id in case_ids:
            timeline = await clients["analytics"].get(f"/cases/{case_id}/timeline", headers=AGENT)
            events = timeline.json()["events"] if timeline.status_code == 200 else []
            seen[case_id] = sorted(event["type"] for event in events)
        # The offer's message to the buyer follows the offer by its own path and time.
        return all(types == FLOW for types in seen.values())

    try:
        assert await eventually(all_in_analytics, timeout=60)
    except AssertionError as failure:
        raise AssertionError(f"analytics' timelines: {seen}") from failure
