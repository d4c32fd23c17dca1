"""The labels bought from the carrier (EasyPost), for the operations team: listed by state
(the return labels that failed, with their cause; the voids still owed), and a failed
return label owed again once its cause is fixed (an address corrected, the account funded).
Each reads and retries its own sellers' labels only (another seller's answers 404)."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from services.fulfillment.domain.carrier_labels import LabelState
from services.fulfillment.handlers.answers import illegal_as_409
from services.fulfillment.tables import CarrierLabel
from services.fulfillment.workflows import labelling
from shared.identity import SellerAgent, SellerReader
from shared.routes import get_or_404
from shared.service import CurrentService

router = APIRouter(tags=["carrier labels"])


@router.get("/carrier-labels", summary="Labels bought from the carrier, or owed, by state")
async def list_labels(
    service: CurrentService,
    caller: SellerReader,
    state: Annotated[list[LabelState] | None, Query()] = None,
    case_id: str | None = None,
) -> list[CarrierLabel]:
    query = (
        select(CarrierLabel)
        .where(caller.sellers_in(CarrierLabel.seller_account))
        .order_by(CarrierLabel.created_at)
    )
    if state:
        query = query.where(CarrierLabel.state.in_([s.value for s in state]))
    if case_id:
        query = query.where(CarrierLabel.case_id == case_id)
    async with service.sessions() as session:
        return list(await session.scalars(query))


@router.post("/carrier-labels/{reference}/retry", summary="Owe a failed label again")
async def retry_label(reference: str, service: CurrentService, caller: SellerAgent) -> CarrierLabel:
    """Bought by the worker at its next turn; 409 unless the label failed."""
    async with service.transaction() as session:
        row = await get_or_404(
            session, CarrierLabel, reference, f"no carrier label {reference}", lock=True
        )
        caller.seller_or_404(row.seller_account, f"carrier label {reference}")
        with illegal_as_409():
            return await labelling.owe_again(session, row)
