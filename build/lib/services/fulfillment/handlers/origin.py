"""Units routed back to the factory: each warehouse fills one open consolidation, which
staff dispatch as one shipment with its commercial invoice."""

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.domain.labels import commercial_invoice_of
from services.fulfillment.domain.shipments import new_tracking_number
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE
from services.fulfillment.handlers.tasks import warehouse_of
from services.fulfillment.tables import OriginConsolidation, OriginUnit
from shared.access import WarehouseStaff
from shared.events import ReturnedToOrigin
from shared.labels import commercial_invoice_pdf
from shared.outbox import emit
from shared.service import CurrentService

router = APIRouter(tags=["return to origin"])

ORIGIN_CARRIER = "DHL"  # DHL Express carries the consolidated freight to Shenzhen


async def _consolidation(
    session: AsyncSession, consolidation_id: str, lock: bool = False
) -> OriginConsolidation:
    found = await session.get(OriginConsolidation, consolidation_id, with_for_update=lock)
    if found is None:
        raise HTTPException(404, f"no origin shipment {consolidation_id}")
    return found


async def _units(session: AsyncSession, consolidation_id: str) -> list[OriginUnit]:
    rows = await session.scalars(
        select(OriginUnit)
        .where(OriginUnit.consolidation_id == consolidation_id)
        .order_by(OriginUnit.added_at)
    )
    return list(rows)


@router.get("/warehouses/{code}/origin-shipments", summary="Consolidations back to origin")
async def list_origin_shipments(
    code: str, service: CurrentService, _: WarehouseStaff
) -> list[dict[str, Any]]:
    warehouse_of(code)
    async with service.sessions() as session:
        consolidations = await session.scalars(
            select(OriginConsolidation)
            .where(OriginConsolidation.warehouse == code)
            .order_by(OriginConsolidation.opened_at.desc())
        )
        return [
            c.model_dump() | {"units": await _units(session, c.consolidation_id)}
            for c in consolidations
        ]


class Dispatch(BaseModel):
    tracking_number: str | None = Field(default=None, min_length=4, max_length=64)


@router.post("/origin-shipments/{consolidation_id}/dispatch", summary="Ship it to origin")
async def dispatch_to_origin(
    consolidation_id: str,
    service: CurrentService,
    by: WarehouseStaff,
    dispatch: Dispatch | None = None,
) -> OriginConsolidation:
    async with service.transaction() as session:
        consolidation = await _consolidation(session, consolidation_id, lock=True)
        if consolidation.status == "dispatched":
            return consolidation
        units = await _units(session, consolidation_id)
        if not units:
            raise HTTPException(409, f"origin shipment {consolidation_id} holds no units")
        now = datetime.now(UTC)
        consolidation.status, consolidation.dispatched_by, consolidation.dispatched_at = (
            "dispatched",
            by,
            now,
        )
        consolidation.invoice_number = f"CI-{now:%Y%m%d}-{consolidation_id[-6:].upper()}"
        consolidation.carrier = ORIGIN_CARRIER
        consolidation.tracking_number = (
            dispatch.tracking_number if dispatch and dispatch.tracking_number else None
        ) or new_tracking_number(ORIGIN_CARRIER)
        session.add(consolidation)
        for unit in units:
            async with service.case_span(session, unit.case_id, "returned to origin"):
                await emit(session, _left_for_origin(consolidation, unit, now))
        return consolidation


def _left_for_origin(
    consolidation: OriginConsolidation, unit: OriginUnit, now: datetime
) -> ReturnedToOrigin:
    return ReturnedToOrigin(
        case_id=unit.case_id,
        consolidation_id=consolidation.consolidation_id,
        rma_id=unit.rma_id,
        warehouse=consolidation.warehouse,
        invoice_number=consolidation.invoice_number,
        carrier=consolidation.carrier,
        tracking_number=consolidation.tracking_number,
        at=now,
    )


@router.get(
    "/origin-shipments/{consolidation_id}/invoice.pdf",
    summary="The commercial invoice (customs data) of a dispatched origin shipment",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def commercial_invoice(
    consolidation_id: str, service: CurrentService, _: WarehouseStaff
) -> Response:
    async with service.sessions() as session:
        consolidation = await _consolidation(session, consolidation_id)
        units = await _units(session, consolidation_id)
    if consolidation.status != "dispatched":
        raise HTTPException(409, f"origin shipment {consolidation_id} is not dispatched yet")
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
    consolidation_id: str, service: CurrentService, _: WarehouseStaff
) -> dict[str, Any]:
    """For a customs broker's system; an open consolidation shows its draft."""
    async with service.sessions() as session:
        consolidation = await _consolidation(session, consolidation_id)
        units = await _units(session, consolidation_id)
    if not units:
        raise HTTPException(409, f"origin shipment {consolidation_id} holds no units")
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
