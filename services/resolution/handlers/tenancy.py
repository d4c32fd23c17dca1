"""The walls between sellers in resolution's API. A case is reached only by someone who
serves its seller; to anyone else it answers 404, as a case never opened. Lists keep to the
caller's sellers in their query (`Principal.sellers_in`, or `cases_served` for the rows
that know their case only), and a `{seller}` of a path is checked with
`Principal.seller_or_404`."""

from sqlalchemy import Select, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.tables import CaseDecision
from shared.identity import Principal
from shared.routes import served


async def case_of(session: AsyncSession, caller: Principal, case_id: str) -> CaseDecision:
    """The case, if one of the caller's sellers'; else 404, as for a case never opened."""
    case = await session.get(CaseDecision, case_id)
    missing = f"no case {case_id} in resolution"
    return served(caller, case, lambda decision: decision.seller_account, missing)


def cases_served(caller: Principal) -> Select:
    """The ids of the caller's sellers' cases, for rows that know their case only."""
    return select(CaseDecision.case_id).where(caller.sellers_in(CaseDecision.seller_account))
