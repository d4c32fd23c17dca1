"""Returns: the buyer's prepaid label and carrier pickup, then the warehouse scan.

A scan names an RMA or a label's tracking number; a parcel that matches neither goes on
the warehouse's holding list until staff match it, so nothing that arrives is lost.
"""

import secrets
from datetime import UTC, date, datetime, time

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field, HttpUrl
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.adapters.ship_to import ShipTo
from services.fulfillment.domain.labels import return_label_of
from services.fulfillment.domain.pickups import (
    PickupRefused,
    PickupWindow,
    check_pickup,
    pickup_windows,
)
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE
from services.fulfillment.handlers.tasks import warehouse_of
from services.fulfillment.tables import HeldParcel, ReturnParcel
from services.fulfillment.workflows import returns as returning
from shared.access import AgentOnly, WarehouseStaff
from shared.events import PickupScheduled
from shared.labels import return_label_pdf
from shared.markets import Market
from shared.outbox import emit
from shared.service import CurrentService

router = APIRouter(tags=["returns"])


async def _return(session: AsyncSession, rma_id: str, lock: bool = False) -> ReturnParcel:
    parcel = await session.get(ReturnParcel, rma_id, with_for_update=lock)
    if parcel is None:
        raise HTTPException(404, f"no return {rma_id}")
    return parcel


@router.get("/returns", summary="The return of a case")
async def return_of_case(case_id: str, service: CurrentService) -> ReturnParcel:
    async with service.sessions() as session:
        parcel = await session.scalar(select(ReturnParcel).where(ReturnParcel.case_id == case_id))
    if parcel is None:
        raise HTTPException(404, f"no return authorised for case {case_id}")
    return parcel


@router.get("/returns/{rma_id}", summary="A return, by RMA")
async def get_return(rma_id: str, service: CurrentService) -> ReturnParcel:
    async with service.sessions() as session:
        return await _return(session, rma_id)


@router.get(
    "/returns/{rma_id}/label.pdf",
    summary="The buyer's prepaid 4×6 in return label, pre-filled with their address",
    dependencies=[AgentOnly],
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def return_label(rma_id: str, service: CurrentService, ship_to: ShipTo) -> Response:
    async with service.sessions() as session:
        parcel = await _return(session, rma_id)
    buyer = await ship_to.address_for_request(parcel.case_id)
    label = return_label_of(parcel, WAREHOUSE_BY_CODE[parcel.warehouse], buyer)
    return Response(return_label_pdf(label), media_type="application/pdf")


@router.get("/returns/{rma_id}/pickup-windows", summary="When the carrier can collect")
async def list_pickup_windows(rma_id: str, service: CurrentService) -> list[PickupWindow]:
    async with service.sessions() as session:
        parcel = await _return(session, rma_id)
    try:
        return pickup_windows(parcel.carrier, Market(parcel.market), datetime.now(UTC))
    except PickupRefused as refusal:
        raise HTTPException(409, str(refusal)) from refusal


class PickupRequest(BaseModel):
    day: date
    starts: time
    ends: time


@router.post("/returns/{rma_id}/pickup", summary="Book a carrier pickup", dependencies=[AgentOnly])
async def book_pickup(rma_id: str, request: PickupRequest, service: CurrentService) -> ReturnParcel:
    """Booking again moves the pickup; a parcel already received needs none."""
    async with service.transaction() as session:
        parcel = await _return(session, rma_id, lock=True)
        if parcel.received_at is not None:
            raise HTTPException(409, f"return {rma_id} was received already")
        window = PickupWindow(day=request.day, starts=request.starts, ends=request.ends)
        try:
            check_pickup(parcel.carrier, Market(parcel.market), window, datetime.now(UTC))
        except PickupRefused as refusal:
            raise HTTPException(422, str(refusal)) from refusal
        async with service.case_span(session, parcel.case_id, "pickup booked"):
            parcel.pickup_day, parcel.pickup_starts, parcel.pickup_ends = (
                window.day,
                window.starts,
                window.ends,
            )
            parcel.pickup_confirmation = f"PU-{secrets.token_hex(4).upper()}"
            session.add(parcel)
            await emit(
                session,
                PickupScheduled(
                    case_id=parcel.case_id,
                    rma_id=rma_id,
                    carrier=parcel.carrier,
                    day=window.day,
                    starts=window.starts,
                    ends=window.ends,
                    confirmation=parcel.pickup_confirmation,
                ),
            )
        return parcel


class Scan(BaseModel):
    warehouse: str
    code: str = Field(min_length=3, max_length=64, description="RMA or tracking number")
    condition_note: str = Field(default="", max_length=2000)
    photos: list[HttpUrl] = Field(default_factory=list, max_length=20)


class ScanResult(BaseModel):
    received: ReturnParcel | None = None
    held: HeldParcel | None = None


@router.post("/scans", summary="Scan a returned parcel in")
async def scan_parcel(
    scan: Scan, service: CurrentService, by: WarehouseStaff, response: Response
) -> ScanResult:
    warehouse_of(scan.warehouse)
    photos = [str(photo) for photo in scan.photos]
    async with service.transaction() as session:
        parcel = await returning.parcel_scanned(session, scan.code)
        if parcel is None:
            response.status_code = 202
            return ScanResult(held=await _hold(session, scan, photos, by))
        async with service.case_span(session, parcel.case_id, "return received"):
            received = await returning.receive(session, parcel, by, scan.condition_note, photos)
        return ScanResult(received=received)


async def _hold(session: AsyncSession, scan: Scan, photos: list[str], by: str) -> HeldParcel:
    """On the holding list, once per code and warehouse."""
    held = await session.scalar(
        select(HeldParcel).where(
            HeldParcel.warehouse == scan.warehouse,
            HeldParcel.scanned_code == scan.code,
            HeldParcel.matched_rma.is_(None),
        )
    )
    if held is not None:
        return held
    held = HeldParcel(
        holding_id=f"hold-{secrets.token_hex(6)}",
        warehouse=scan.warehouse,
        scanned_code=scan.code,
        condition_note=scan.condition_note,
        photos=photos,
        held_by=by,
        held_at=datetime.now(UTC),
    )
    session.add(held)
    return held


@router.get("/warehouses/{code}/held-parcels", summary="Parcels waiting to be matched")
async def list_held(code: str, service: CurrentService, _: WarehouseStaff) -> list[HeldParcel]:
    warehouse_of(code)
    async with service.sessions() as session:
        rows = await session.scalars(
            select(HeldParcel)
            .where(HeldParcel.warehouse == code, HeldParcel.matched_rma.is_(None))
            .order_by(HeldParcel.held_at)
        )
        return list(rows)


class Match(BaseModel):
    rma_id: str


@router.post("/held-parcels/{holding_id}/match", summary="Match a held parcel to its return")
async def match_held(
    holding_id: str, match: Match, service: CurrentService, by: WarehouseStaff
) -> ReturnParcel:
    async with service.transaction() as session:
        held = await session.get(HeldParcel, holding_id, with_for_update=True)
        if held is None:
            raise HTTPException(404, f"no held parcel {holding_id}")
        if held.matched_rma not in (None, match.rma_id):
            raise HTTPException(409, f"{holding_id} was matched to {held.matched_rma}")
        parcel = await _return(session, match.rma_id, lock=True)
        held.matched_rma, held.matched_at = parcel.rma_id, held.matched_at or datetime.now(UTC)
        session.add(held)
        async with service.case_span(session, parcel.case_id, "return received"):
            return await returning.receive(session, parcel, by, held.condition_note, held.photos)
