"""What a caller reaches of the sellers' data: the rows of the seller accounts they serve
(`Principal.sellers_in` in each query of a list). One row of another seller answers 404
with the same words as one that does not exist, so no answer tells what another seller has.
"""

from typing import Protocol, TypeVar

from fastapi import HTTPException
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.tables import CaseRecord
from shared.identity import Principal
from shared.routes import served


class SellerRow(Protocol):
    account: str  # the seller account it belongs to


Owned = TypeVar("Owned", bound=SellerRow)


def owned(caller: Principal, row: Owned | None, missing: str) -> Owned:
    """`row` when the caller serves its seller account; else the 404 saying `missing`."""
    return served(caller, row, lambda owned: owned.account, missing)


def no_case(case_id: str) -> str:
    return f"no case {case_id}"


async def case_of(
    session: AsyncSession, caller: Principal, case_id: str, *, lock: bool = False
) -> CaseRecord:
    """The case, if the caller serves its seller account (locked FOR UPDATE when `lock`)."""
    case = await session.get(CaseRecord, case_id, with_for_update=lock)
    return owned(caller, case, no_case(case_id))


def serving(caller: Principal, account: str, what: str) -> None:
    """A 403 for a caller who names a seller account they do not serve, to act for it."""
    if not caller.serves(account):
        raise HTTPException(403, f"you do not serve seller account {account!r}: {what}")
