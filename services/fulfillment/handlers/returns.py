"""Returns: the buyer's prepaid label and carrier pickup, then the warehouse scan, and the
holding list of parcels no scan could match.

A return whose label was bought from the carrier (EasyPost) serves the carrier's file as its
`label.pdf` (`?label=drawn` draws it here) and books its pickups with the carrier, outside
the return's row lock: 503 with Retry-After when EasyPost cannot answer (booking again is
safe), 422 with its reason when it says no.

Agents and operations read their sellers' returns (another seller's answers 404); intake
asks for the label and books pickups as a service, for a buyer holding a valid link; staff
scan parcels in at their own warehouses only."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, time

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field, HttpUrl
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.domain import returns as returns_domain
from services.fulfillment.domain.labels import return_label_of
from services.fulfillment.domain.pickups import PickupRefused, PickupWindow, pickup_windows
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE
from services.fulfillment.handlers.answers import (
    LabelChoice,
    buyer_address,
    carrier_answers,
    carrier_file,
    illegal_as_409,
)
from services.fulfillment.handlers.scoping import staff_or_404, staff_warehouse
from services.fulfillment.tables import HeldParcel, ReturnParcel
from services.fulfillment.workflows import carrier_pickups, labelling, returns
from services.fulfillment.workflows.context import CurrentFulfillment
from shared.audit import personal_data
from shared.identity import (
    Principal,
    SellerAgentOrService,
    SellerReader,
    WarehouseStaff,
)
from shared.labels import return_label_pdf
from shared.markets import Market
from shared.messaging_tables import utc_now
from shared.routes import found, get_or_404
from shared.service import CurrentService

router = APIRouter(tags=["returns"])


def _no_return(rma_id: str) -> str:
    return f"no return {rma_id}"


async def _return(
    session: AsyncSession, caller: Principal, rma_id: str, lock: bool = False
) -> ReturnParcel:
    """The return, when the caller serves its seller; another seller's answers as unknown."""
    parcel = await get_or_404(session, ReturnParcel, rma_id, _no_return(rma_id), lock=lock)
    caller.seller_or_404(parcel.seller_account, f"return {rma_id}")
    return parcel


@router.get("/returns", summary="The return of a case")
async def return_of_case(
    case_id: str, service: CurrentService, caller: SellerReader
) -> ReturnParcel:
    async with service.sessions() as session:
        parcel = await session.scalar(
            select(ReturnParcel).where(
                ReturnParcel.case_id == case_id, caller.sellers_in(ReturnParcel.seller_account)
            )
        )
    return found(parcel, f"no return authorised for case {case_id}")


@router.get("/returns/{rma_id}", summary="A return, by RMA")
async def get_return(rma_id: str, service: CurrentService, caller: SellerReader) -> ReturnParcel:
    async with service.sessions() as session:
        return await _return(session, caller, rma_id)


@router.get(
    "/returns/{rma_id}/label.pdf",
    summary="The buyer's prepaid 4×6 in return label, pre-filled with their address",
    description="Agents of the return's seller, or intake for a buyer holding a valid link "
    "to their page (service token).",
    dependencies=[personal_data("buyer's address")],
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def return_label(
    rma_id: str,
    service: CurrentService,
    fulfillment: CurrentFulfillment,
    caller: SellerAgentOrService,
    label: LabelChoice = None,
) -> Response:
    async with service.sessions() as session:
        parcel = await _return(session, caller, rma_id)
        bought = await labelling.label_of(session, rma_id)
    if bought is not None and label != "drawn":
        return await carrier_file(fulfillment, bought.label_url)
    if label == "carrier":
        raise HTTPException(404, f"return {rma_id} has no label from the carrier")
    buyer = await buyer_address(fulfillment, parcel.case_id)
    drawn = return_label_of(parcel, WAREHOUSE_BY_CODE[parcel.warehouse], buyer)
    return Response(return_label_pdf(drawn), media_type="application/pdf")


@router.get("/returns/{rma_id}/pickup-windows", summary="When the carrier can collect")
async def list_pickup_windows(
    rma_id: str, service: CurrentService, caller: SellerReader
) -> list[PickupWindow]:
    async with service.sessions() as session:
        parcel = await _return(session, caller, rma_id)
    try:
        return pickup_windows(parcel.carrier, Market(parcel.market), utc_now())
    except PickupRefused as refusal:
        raise HTTPException(409, str(refusal)) from refusal


class PickupRequest(BaseModel):
    day: date
    starts: time
    ends: time


@router.post(
    "/returns/{rma_id}/pickup",
    summary="Book a carrier pickup",
    description="Agents of the return's seller, or intake for a buyer holding a valid link "
    "to their page (service token).",
)
async def book_pickup(
    rma_id: str,
    request: PickupRequest,
    service: CurrentService,
    fulfillment: CurrentFulfillment,
    caller: SellerAgentOrService,
) -> ReturnParcel:
    """Booking again moves the pickup (the carrier's earlier one is cancelled); a parcel
    already received needs none."""
    window = PickupWindow(day=request.day, starts=request.starts, ends=request.ends)
    booked = None
    async with service.sessions() as session:
        parcel = await _return(session, caller, rma_id)
        bought = await labelling.label_of(session, rma_id)
    if bought is not None and fulfillment.pickups is not None:
        with illegal_as_409(), refused_as_422():
            returns_domain.book_pickup(parcel, window, utc_now())  # checked before booking
        buyer = await buyer_address(fulfillment, parcel.case_id)  # outside the row lock
        with carrier_answers():
            booked = await carrier_pickups.book(
                service, fulfillment.pickups, parcel, bought, window, buyer
            )
    async with service.transaction() as session:
        parcel = await _return(session, caller, rma_id, lock=True)
        with illegal_as_409(), refused_as_422():
            return await returns.book_pickup(service, session, parcel, window, booked)


@contextmanager
def refused_as_422() -> Iterator[None]:
    try:
        yield
    except PickupRefused as refusal:
        raise HTTPException(422, str(refusal)) from refusal


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
    scan: Scan, service: CurrentService, caller: WarehouseStaff, response: Response
) -> ScanResult:
    """A parcel no return matches is held (202 Accepted), not lost; scanned in at one of
    the staff member's own warehouses."""
    staff_warehouse(caller, scan.warehouse)
    photos = [str(photo) for photo in scan.photos]
    async with service.transaction() as session:
        scanned = await returns.scan_in(
            service, session, scan.warehouse, scan.code, scan.condition_note, photos, caller.name
        )
    if isinstance(scanned, HeldParcel):
        response.status_code = 202
        return ScanResult(held=scanned)
    return ScanResult(received=scanned)


@router.get("/warehouses/{code}/held-parcels", summary="Parcels waiting to be matched")
async def list_held(code: str, service: CurrentService, caller: WarehouseStaff) -> list[HeldParcel]:
    staff_warehouse(caller, code)
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
    holding_id: str, match: Match, service: CurrentService, caller: WarehouseStaff
) -> ReturnParcel:
    """A parcel held at one of the staff member's own warehouses."""
    missing = f"no held parcel {holding_id}"
    async with service.transaction() as session:
        held = await get_or_404(session, HeldParcel, holding_id, missing, lock=True)
        staff_or_404(caller, held.warehouse, missing)
        with illegal_as_409():
            received = await returns.match_held(service, session, held, match.rma_id, caller.name)
        return found(received, _no_return(match.rma_id))
