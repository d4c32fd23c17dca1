"""The walls between sellers in analytics' API. A case is reached only by someone who
serves its seller; to anyone else it answers 404, as a case never seen. Lists and reports
keep to the caller's sellers in their query (`Principal.sellers_in`), and a `{seller}` of a
path, or the seller a report is asked for, is checked with `Principal.seller_or_404`."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.analytics.tables import CaseView
from shared.identity import Principal
from shared.routes import served


async def case_of(session: AsyncSession, caller: Principal, case_id: str) -> CaseView:
    """The case, if one of the caller's sellers'; else 404, as for a case never seen."""
    row = await session.get(CaseView, case_id)
    return served(caller, row, lambda case: case.seller_account, f"no case {case_id}")
