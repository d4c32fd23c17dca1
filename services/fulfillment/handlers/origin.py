"""Units routed back to the factory: each warehouse's consolidations, dispatched by staff
as one shipment, with the commercial invoice and the customs data a broker's system reads.
Staff reach their own warehouses' consolidations only (another's answers 404)."""

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.domain.labels import commercial_invoice_of
from services.fulfillment.domain.origin import check_holds_units, check_invoiced
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE
from services.fulfillment.handlers.answers import illegal_as_409
from services.fulfillment.handlers.scoping import staff_or_404, staff_warehouse
from services.fulfillment.tables import OriginConsolidation
from services.fulfillment.workflows import origin
from shared.identity import Principal, WarehouseStaff
from shared.labels import commercial_invoice_pdf
from shared.routes import get_or_404
from shared.service import CurrentService

router = APIRouter(tags=["return to origin"])


async def _consolidation(
    session: AsyncSession, caller: Principal, consolidation_id: str, lock: bool = False
) -> OriginConsolidation:
    missing = f"no origin shipment {consolidation_id}"
    consolidation = await get_or_404(
        session, OriginConsolidation, consolidation_id, missing, lock=lock
    )
    staff_or_404(caller, consolidation.warehouse, missing)
    return consolidation


@router.get("/warehouses/{code}/origin-shipments", summary="Consolidations back to origin")
async def list_origin_shipments(
    code: str, service: CurrentService, caller: WarehouseStaff
) -> list[dict[str, Any]]:
    staff_warehouse(caller, code)
    async with service.sessions() as session:
        consolidations = await session.scalars(
            select(OriginConsolidation)
            .where(OriginConsolidation.warehouse == code)
            .order_by(OriginConsolidation.opened_at.desc())
        )
        return [
            c.model_dump() | {"units": await origin.units_of(session, c.consolidation_id)}
            for c in consolidations
        ]


class Dispatch(BaseModel):
    tracking_number: str | None = Field(default=None, min_length=4, max_length=64)


@router.post("/origin-shipments/{consolidation_id}/dispatch", summary="Ship it to origin")
async def dispatch_to_origin(
    consolidation_id: str,
    service: CurrentService,
    caller: WarehouseStaff,
    dispatch: Dispatch | None = None,
) -> OriginConsolidation:
    tracking_number = dispatch.tracking_number if dispatch else None
    async with service.transaction() as session:
        consolidation = await _consolidation(session, caller, consolidation_id, lock=True)
        with illegal_as_409():
            return await origin.dispatch(
                service, session, consolidation, tracking_number, caller.name
            )


@router.get(
    "/origin-shipments/{consolidation_id}/invoice.pdf",
    summary="The commercial invoice (customs data) of a dispatched origin shipment",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def commercial_invoice(
    consolidation_id: str, service: CurrentService, caller: WarehouseStaff
) -> Response:
    async with service.sessions() as session:
        consolidation = await _consolidation(session, caller, consolidation_id)
        units = await origin.units_of(session, consolidation_id)
    with illegal_as_409():
        check_invoiced(consolidation)
    invoice = commercial_invoice_of(
        consolidation.invoice_number,
        consolidation.dispatched_at.date(),
        WAREHOUSE_BY_CODE[consolidation.warehouse],
        units,
    )
    return Response(commercial_invoice_pdf(invoice), media_type="application/pdf")


@router.get(
    "/origin-shipments/{consolidation_id}/customs",
    summary="The customs data of an origin shipment: HS code, value, origin per line",
)
async def customs_data(
    consolidation_id: str, service: CurrentService, caller: WarehouseStaff
) -> dict[str, Any]:
    """For a customs broker's system; an open consolidation shows its draft."""
    async with service.sessions() as session:
        consolidation = await _consolidation(session, caller, consolidation_id)
        units = await origin.units_of(session, consolidation_id)
    with illegal_as_409():
        check_holds_units(consolidation, units)
    invoice = commercial_invoice_of(
        consolidation.invoice_number or "draft",
        (consolidation.dispatched_at or consolidation.opened_at).date(),
        WAREHOUSE_BY_CODE[consolidation.warehouse],
        units,
    )
    return {
        "invoice_number": consolidation.invoice_number,
        "status": consolidation.status,
        "currency": invoice.currency,
        "incoterm": invoice.incoterm,
        "consignee": asdict(invoice.consignee),
        "lines": [asdict(line) | {"value_minor": line.value_minor} for line in invoice.lines],
        "total_value_minor": invoice.total_value_minor,
        "total_weight_g": invoice.total_weight_g,
    }
