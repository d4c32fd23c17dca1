"""A returned parcel scanned in at a warehouse opens an inspection on its repair bench,
marked when the parcel holds the buyer's own unit in for a repair."""

from datetime import UTC, datetime

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.refurbish.domain.inspections import InspectionState, new_inspection_id
from services.refurbish.tables import Inspection
from shared.events import InspectionOpened, ReturnReceived
from shared.outbox import emit


async def open_inspection(session: AsyncSession, parcel: ReturnReceived) -> None:
    """One inspection per RMA: the same parcel received again opens nothing more."""
    inspection_id = await session.scalar(
        insert(Inspection)
        .values(
            inspection_id=new_inspection_id(),
            case_id=parcel.case_id,
            rma_id=parcel.rma_id,
            warehouse=parcel.warehouse,
            status=InspectionState.OPEN,
            notes=parcel.condition_note,
            opened_at=datetime.now(UTC),
            items=[item.model_dump(mode="json") for item in parcel.items],
            currency=parcel.currency.value if parcel.currency else "",
            route=parcel.route.value,
            photos=parcel.photos,
            for_repair=parcel.for_repair,
        )
        .on_conflict_do_nothing(index_elements=[Inspection.rma_id])
        .returning(Inspection.inspection_id)
    )
    if inspection_id is None:
        return  # this parcel is already on the bench
    await emit(
        session,
        InspectionOpened(
            case_id=parcel.case_id,
            inspection_id=inspection_id,
            rma_id=parcel.rma_id,
            warehouse=parcel.warehouse,
        ),
    )
