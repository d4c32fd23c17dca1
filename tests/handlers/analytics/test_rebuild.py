"""The case read model rebuilt from the kept events (`workflows/rebuild`) gives the same
reports."""

from sqlalchemy import select

from services.analytics.tables import CaseView
from services.analytics.workflows.rebuild import rebuild
from tests.factories import AGENT
from tests.handlers.analytics.conftest import CASES, seller_with_cases


async def test_the_read_model_rebuilt_from_the_kept_events_gives_the_same_reports(api):
    seller = await seller_with_cases(api)

    async def rows() -> list[dict]:
        async with api.service.sessions() as session:
            found = await session.scalars(
                select(CaseView).where(CaseView.seller_account == seller).order_by(CaseView.case_id)
            )
            return [row.model_dump() for row in found]

    before = await rows()
    report = (await api.get("/reports/listings", params={"seller": seller}, headers=AGENT)).json()
    async with api.service.transaction() as session:
        folded = await rebuild(session)
    assert folded >= 2 * len(CASES)
    assert await rows() == before and len(before) == len(CASES)
    assert (
        await api.get("/reports/listings", params={"seller": seller}, headers=AGENT)
    ).json() == report
