"""The warehouse floor page (a 10-inch tablet, a phone, a barcode scanner): the task queue
of the person's warehouses, most urgent first; picking line by line, each confirmed by
scanning its bin and its item; packing (weighed, rated) with the label printed as PDF or
ZPL; shipping by scanning the label; problems; returns scanned in with photos from the
device's camera; the holding list, searched and matched; stock per bin, adjusted with a
reason. In English, German, French or Spanish, the person's choice kept in a cookie.

Who may call: warehouse staff signed in through the issuer (`shared/sign_in.py`, the
session cookie `floor_session`), reaching their own warehouses only (`scoping.py`). Every
step calls the JSON API's own route (`tasks`, `returns`, `stock`): no rule of its own but
which scan a pick line or a parcel takes. Server-rendered HTML forms that work without
JavaScript, each carrying the session's form token; every write is answered by a redirect
(303), so a reload never posts twice, and the steps underneath take each action once, so a
double scan takes effect once. `floor.js` moves the focus to the next field, refuses a
wrong scan at once with a sound, sends the forms in the background and, when the network
is gone, keeps the entry and says so.
"""

import secrets
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import func, or_, select

from services.fulfillment.domain import carriers, floor_queue
from services.fulfillment.domain import floor_words as words
from services.fulfillment.domain.parcel_photos import LARGEST_PHOTO, PhotoRefused, photos_of
from services.fulfillment.domain.tasks import OPEN, PROBLEM, SHIPPED
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE
from services.fulfillment.handlers import returns as returns_api
from services.fulfillment.handlers import stock as stock_api
from services.fulfillment.handlers import tasks as tasks_api
from services.fulfillment.handlers.scoping import staff_or_404, staff_warehouse
from services.fulfillment.settings import FulfillmentSettings
from services.fulfillment.tables import HeldParcel, ParcelPhoto, Shipment, StockAdjustment
from services.fulfillment.workflows import floor
from services.fulfillment.workflows.context import CurrentFulfillment
from shared.identity import Principal, Role, WarehouseStaff, authenticated, public, session_token
from shared.routes import get_or_404
from shared.service import CurrentService
from shared.sign_in import (
    PageClient,
    SignInPage,
    form_token_checked,
    sign_in_router,
)
from shared.staff_pages import HEADERS, Refusal, StaffPage

STAFF_PAGE = StaffPage(
    prefix="/floor",
    folder=Path(__file__).resolve().parents[1] / "floor_page",
    cookie="floor_lang",
    assets={"floor.js": "text/javascript", "floor.css": "text/css"},
    say=words.say,
)
Token = Annotated[str, Form(alias="form_token")]
PROBLEMS = ("damaged_stock", "not_found", "other")
# How often the queue fetches itself again: new tasks appear without a reload.
REFRESH_MS = 15_000


def floor_client(settings: FulfillmentSettings) -> PageClient:
    return PageClient.of(settings, "floor")


PAGE = SignInPage(
    prefix="/floor",
    home="/floor",
    cookie="floor_session",
    header="floor",
    client_of=floor_client,
    forms=True,
)
sign_in = sign_in_router(PAGE, tags=["warehouse floor page"])
router = APIRouter(prefix="/floor", tags=["warehouse floor page"])
OPEN_PAGE = public("the floor page's sign-in offer, its language switch and its own files")


# ----------------------------------------------------------------------- rendering


def render(
    request: Request,
    template: str,
    caller: Principal | None = None,
    status: int = 200,
    **facts: Any,
) -> HTMLResponse:
    here = quote(str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
    return STAFF_PAGE.render(
        request,
        template,
        status,
        here,
        lambda lang: {
            "state": lambda value: words.state_name(str(value), lang),
            "who": caller,
            "mine": sorted(caller.warehouses) if caller else [],
            **facts,
        },
    )


def refused(request: Request, caller: Principal | None, refusal: Refusal) -> HTMLResponse:
    return render(request, "refused.html", caller, refusal.status, reason=refusal.reason)


def back_to(path: str, **query: str) -> RedirectResponse:
    target = f"{path}?{urlencode(query)}" if query else path
    return RedirectResponse(target, status_code=303, headers=HEADERS)


def chosen_warehouse(caller: Principal, asked: str | None) -> str:
    """The warehouse asked for, if the caller's; else the first of theirs."""
    if asked:
        return staff_warehouse(caller, asked).code
    if not caller.warehouses:
        raise HTTPException(403, "you work at no warehouse")
    return sorted(caller.warehouses)[0]


def said(error: HTTPException | ValidationError) -> Refusal:
    """An API route's refusal, or a form's bad field, as the page says it."""
    if isinstance(error, ValidationError):
        why = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        return Refusal(422, why)
    return Refusal(error.status_code, str(error.detail))


# ------------------------------------------------------------ signed out, language, files


@router.get(
    "",
    summary="The floor page: the sign-in, or the tasks",
    dependencies=[OPEN_PAGE],
    response_class=HTMLResponse,
)
async def floor_home(request: Request) -> Response:
    if session_token(request):
        try:
            caller = await authenticated(request, None)
        except HTTPException:
            request.session.clear()
        else:
            if Role.WAREHOUSE_STAFF in caller.roles:
                return RedirectResponse("/floor/tasks", status_code=303, headers=HEADERS)
    return render(request, "signed_out.html")


@router.get(
    "/language/{lang}", summary="The page's language, kept in a cookie", dependencies=[OPEN_PAGE]
)
async def choose_language(lang: str, back: str = "/floor") -> RedirectResponse:
    return STAFF_PAGE.choose_language(lang, back)


@router.get("/assets/{name}", include_in_schema=False, dependencies=[OPEN_PAGE])
async def asset(name: str) -> FileResponse:
    return STAFF_PAGE.asset(name)


# ----------------------------------------------------------------------------- tasks


@router.get("/tasks", summary="The task queue, most urgent first", response_class=HTMLResponse)
async def queue(
    request: Request, service: CurrentService, caller: WarehouseStaff, w: str | None = None
) -> HTMLResponse:
    """The whole page; its script fetches it again every `REFRESH_MS` and puts the new
    queue and counts in place, leaving the scan field and what is typed in it alone."""
    code = chosen_warehouse(caller, w)
    warehouse = WAREHOUSE_BY_CODE[code]
    open_tasks = await tasks_api.list_tasks(code, service, caller, None)
    now = datetime.now(UTC)
    zone = ZoneInfo(warehouse.time_zone)
    start = datetime.combine(now.astimezone(zone).date(), time(0), zone)
    async with service.sessions() as session:
        counted = await session.execute(
            select(Shipment.status, func.count())
            .where(Shipment.warehouse == code)
            .where(
                or_(
                    Shipment.status.in_(OPEN),
                    Shipment.shipped_at >= start,
                    Shipment.problem_at >= start,
                )
            )
            .group_by(Shipment.status)
        )
        counts = {state.value: 0 for state in (*OPEN, SHIPPED, PROBLEM)} | dict(counted.all())
    return render(
        request,
        "queue.html",
        caller,
        warehouse=warehouse,
        tasks=floor_queue.most_urgent_first(open_tasks, now),
        late=lambda task: floor_queue.late(task, now.astimezone(zone).date()),
        collected=lambda task: carriers.collected_at(warehouse, now, task.carrier).astimezone(zone),
        counts=counts,
        refresh_ms=REFRESH_MS,
        now_local=now.astimezone(zone),
    )


@router.get("/find", summary="A task found by its scanned id or label", response_class=HTMLResponse)
async def find(
    request: Request, service: CurrentService, caller: WarehouseStaff, code: str = ""
) -> Response:
    wanted = code.strip()
    async with service.sessions() as session:
        found = await session.scalar(
            select(Shipment).where(
                or_(Shipment.shipment_id == wanted, Shipment.tracking_number == wanted),
                Shipment.warehouse.in_(sorted(caller.warehouses)),
            )
        )
    if found is None:
        return refused(request, caller, Refusal(404, f"no task {wanted!r} at your warehouses"))
    return back_to(f"/floor/tasks/{quote(found.shipment_id)}")


async def task_of(service: Any, caller: Principal, shipment_id: str) -> Shipment:
    async with service.sessions() as session:
        return await tasks_api.staff_task(session, caller, shipment_id, lock=False)


def task_page(
    request: Request,
    caller: Principal,
    task: Shipment,
    line: int = 0,
    error: str | None = None,
    status: int = 200,
    sized: bool = False,
) -> HTMLResponse:
    """`sized`: labels are bought from a carrier, which takes the box's size too."""
    lines = task.pick_list or []
    return render(
        request,
        "task.html",
        caller,
        status,
        task=task,
        warehouse=WAREHOUSE_BY_CODE[task.warehouse],
        lines=lines,
        line=min(max(line, 0), max(len(lines) - 1, 0)),
        problems=PROBLEMS,
        error=error,
        sized=sized,
    )


@router.get("/tasks/{shipment_id}", summary="A task: its step to take", response_class=HTMLResponse)
async def task_view(
    shipment_id: str,
    request: Request,
    service: CurrentService,
    fulfillment: CurrentFulfillment,
    caller: WarehouseStaff,
    line: int = 0,
) -> HTMLResponse:
    task = await task_of(service, caller, shipment_id)
    return task_page(request, caller, task, line, sized=fulfillment.labels is not None)


@router.post(
    "/tasks/{shipment_id}/pick",
    summary="A pick line confirmed by its scanned bin and item; the last one picks the task",
    response_class=HTMLResponse,
)
async def pick_line(
    shipment_id: str,
    request: Request,
    service: CurrentService,
    caller: WarehouseStaff,
    token: Token,
    line: Annotated[int, Form(ge=0, le=1000)],
    bin: Annotated[str, Form(max_length=64)] = "",
    item: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    form_token_checked(request, token)
    task = await task_of(service, caller, shipment_id)
    lines = task.pick_list or []
    if task.status != "requested" or line >= len(lines):
        return back_to(f"/floor/tasks/{quote(shipment_id)}")  # picked already: a double scan
    lang, wanted = STAFF_PAGE.language(request), lines[line]
    if not floor_queue.is_bin(wanted, bin):
        why = words.say("wrong_bin", lang, given=bin.strip() or "—", expected=wanted["bin"])
        return task_page(request, caller, task, line, why, 422)
    if not floor_queue.is_item(wanted, item, task.items or []):
        why = words.say("wrong_sku", lang, given=item.strip() or "—", expected=wanted["sku"])
        return task_page(request, caller, task, line, why, 422)
    if line + 1 < len(lines):
        return back_to(f"/floor/tasks/{quote(shipment_id)}", line=str(line + 1), done="line")
    try:
        await tasks_api.confirm_picked(shipment_id, service, caller)
    except HTTPException as error:
        return task_page(request, caller, task, line, said(error).reason, error.status_code)
    return back_to(f"/floor/tasks/{quote(shipment_id)}", done="picked")


@router.post(
    "/tasks/{shipment_id}/pack",
    summary="Packed and weighed: the service chosen and the label made (the API's step)",
    response_class=HTMLResponse,
)
async def pack(
    shipment_id: str,
    request: Request,
    service: CurrentService,
    fulfillment: CurrentFulfillment,
    caller: WarehouseStaff,
    token: Token,
    weight_g: Annotated[str, Form(max_length=12)] = "",
    length_cm: Annotated[str, Form(max_length=12)] = "",
    width_cm: Annotated[str, Form(max_length=12)] = "",
    height_cm: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    form_token_checked(request, token)
    task = await task_of(service, caller, shipment_id)
    sized = fulfillment.labels is not None
    try:
        size = millimetres(length_cm, width_cm, height_cm) if sized else None
        packing = tasks_api.Packing(weight_g=weight_g.strip() or 0, dimensions_mm=size)
        await tasks_api.confirm_packed(shipment_id, packing, service, fulfillment, caller)
    except (HTTPException, ValidationError) as error:
        refusal = said(error)
        return task_page(
            request, caller, task, error=refusal.reason, status=refusal.status, sized=sized
        )
    except ValueError as error:
        return task_page(request, caller, task, error=str(error), status=422, sized=sized)
    return back_to(f"/floor/tasks/{quote(shipment_id)}", done="packed")


def millimetres(*sides_cm: str) -> tuple[int, int, int] | None:
    """The box's sides as typed in centimetres ("24.5"), in millimetres; all three or none."""
    given = [side.strip().replace(",", ".") for side in sides_cm]
    if not any(given):
        return None
    try:
        length, width, height = (round(float(side) * 10) for side in given)
    except ValueError:
        raise ValueError("give the box's length, width and height in cm, or none") from None
    return length, width, height


@router.get(
    "/tasks/{shipment_id}/label.{kind}",
    summary="The parcel's label, PDF or ZPL (the API's, under the page's own path)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "application/zpl": {}}}},
)
async def label(
    shipment_id: str,
    kind: str,
    service: CurrentService,
    fulfillment: CurrentFulfillment,
    caller: WarehouseStaff,
) -> Response:
    if kind == "pdf":
        return await tasks_api.shipping_label(shipment_id, service, fulfillment, caller, "drawn")
    if kind == "zpl":
        return await tasks_api.shipping_label_for_zebra(shipment_id, service, fulfillment, caller)
    raise HTTPException(404, f"the label is printed as pdf or zpl, not {kind}")


@router.post(
    "/tasks/{shipment_id}/ship",
    summary="The parcel left: its label scanned (the API's step)",
    response_class=HTMLResponse,
)
async def ship(
    shipment_id: str,
    request: Request,
    service: CurrentService,
    caller: WarehouseStaff,
    token: Token,
    code: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    form_token_checked(request, token)
    task = await task_of(service, caller, shipment_id)
    expected = task.tracking_number or ""
    if floor_queue.scanned(code) != floor_queue.scanned(expected):
        lang = STAFF_PAGE.language(request)
        why = words.say("wrong_label", lang, given=code.strip() or "—", expected=expected)
        return task_page(request, caller, task, error=why, status=422)
    try:
        await tasks_api.confirm_shipped(shipment_id, service, caller, None)
    except HTTPException as error:
        return task_page(request, caller, task, error=said(error).reason, status=error.status_code)
    return back_to(f"/floor/tasks/{quote(shipment_id)}", done="shipped")


@router.post(
    "/tasks/{shipment_id}/problem",
    summary="A problem reported: the task handed on (the API's step)",
    response_class=HTMLResponse,
)
async def problem(
    shipment_id: str,
    request: Request,
    service: CurrentService,
    caller: WarehouseStaff,
    token: Token,
    kind: Annotated[str, Form(alias="problem", max_length=20)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    form_token_checked(request, token)
    task = await task_of(service, caller, shipment_id)
    try:
        report = tasks_api.ProblemReport(problem=kind, note=note.strip())
        await tasks_api.report_problem(shipment_id, report, service, caller)
    except (HTTPException, ValidationError) as error:
        refusal = said(error)
        return task_page(request, caller, task, error=refusal.reason, status=refusal.status)
    return back_to("/floor/tasks", w=task.warehouse, done="problem")


# --------------------------------------------------------------------------- returns


@router.get("/returns", summary="Scan a returned parcel in", response_class=HTMLResponse)
async def returns_page(
    request: Request,
    caller: WarehouseStaff,
    w: str | None = None,
    received: str | None = None,
    held: str | None = None,
    code: str | None = None,
    route: str | None = None,
) -> HTMLResponse:
    warehouse = chosen_warehouse(caller, w)
    outcome = {"received": received, "held": held, "code": code, "route": route}
    return render(
        request, "returns.html", caller, warehouse=WAREHOUSE_BY_CODE[warehouse], outcome=outcome
    )


@router.post(
    "/returns",
    summary="A parcel scanned in, its condition and photos kept (the API's scan)",
    response_class=HTMLResponse,
    description="A multipart form: `w` (the warehouse), `code` (RMA or tracking number), "
    "`condition`, `photo` (up to four, from the device's camera), `form_token`.",
)
async def scan_return(
    request: Request, service: CurrentService, caller: WarehouseStaff
) -> Response:
    try:
        form = await request.form(max_part_size=LARGEST_PHOTO)
        form_token_checked(request, str(form.get("form_token") or ""))
        warehouse = chosen_warehouse(caller, str(form.get("w") or "") or None)
        files = [await f.read() for f in form.getlist("photo") if not isinstance(f, str)]
        photos = photos_of(files)
        async with service.transaction() as session:
            ids = await floor.keep_photos(session, warehouse, photos, caller.name)
        base = str(request.base_url).rstrip("/")
        scan = returns_api.Scan(
            warehouse=warehouse,
            code=str(form.get("code") or "").strip(),
            condition_note=str(form.get("condition") or "").strip(),
            photos=[f"{base}/floor/photos/{photo_id}" for photo_id in ids],
        )
        answer = await returns_api.scan_parcel(scan, service, caller, Response())
    except PhotoRefused as photo:
        return refused(request, caller, Refusal(422, str(photo)))
    except (HTTPException, ValidationError) as error:
        return refused(request, caller, said(error))
    if answer.held is not None:
        return back_to("/floor/returns", w=warehouse, held=answer.held.holding_id, code=scan.code)
    assert answer.received is not None
    parcel = answer.received
    return back_to("/floor/returns", w=warehouse, received=parcel.rma_id, route=parcel.route)


@router.get(
    "/photos/{photo_id}",
    summary="A photo taken of a returned parcel at one of the staff's warehouses",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
)
async def photo(photo_id: str, service: CurrentService, caller: WarehouseStaff) -> Response:
    missing = f"no photo {photo_id}"
    async with service.sessions() as session:
        kept = await get_or_404(session, ParcelPhoto, photo_id, missing)
    staff_or_404(caller, kept.warehouse, missing)
    return Response(kept.content, media_type=kept.content_type, headers=HEADERS)


@router.get("/held", summary="The holding list, searched", response_class=HTMLResponse)
async def held_page(
    request: Request,
    service: CurrentService,
    caller: WarehouseStaff,
    w: str | None = None,
    q: str = "",
) -> HTMLResponse:
    warehouse = chosen_warehouse(caller, w)
    waiting = await returns_api.list_held(warehouse, service, caller)
    wanted = q.strip().lower()
    shown = [
        parcel
        for parcel in waiting
        if wanted in parcel.scanned_code.lower() or wanted in parcel.condition_note.lower()
    ]
    return render(
        request,
        "held.html",
        caller,
        warehouse=WAREHOUSE_BY_CODE[warehouse],
        held=shown,
        q=q,
        matched=request.query_params.get("matched"),
    )


@router.post(
    "/held/{holding_id}/match",
    summary="A held parcel matched to its return (the API's match)",
    response_class=HTMLResponse,
)
async def match(
    holding_id: str,
    request: Request,
    service: CurrentService,
    caller: WarehouseStaff,
    token: Token,
    rma_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    form_token_checked(request, token)
    try:
        async with service.sessions() as session:
            held = await get_or_404(session, HeldParcel, holding_id, f"no held parcel {holding_id}")
        staff_or_404(caller, held.warehouse, f"no held parcel {holding_id}")
        chosen = returns_api.Match(rma_id=rma_id.strip().upper())
        received = await returns_api.match_held(holding_id, chosen, service, caller)
    except HTTPException as error:
        return refused(request, caller, said(error))
    return back_to("/floor/held", w=held.warehouse, matched=received.rma_id)


# ----------------------------------------------------------------------------- stock


@router.get("/stock", summary="Stock per bin, and its adjustments", response_class=HTMLResponse)
async def stock_page(
    request: Request,
    service: CurrentService,
    caller: WarehouseStaff,
    w: str | None = None,
    q: str = "",
) -> HTMLResponse:
    warehouse = chosen_warehouse(caller, w)
    levels = await stock_api.list_stock(warehouse, service, caller)
    wanted = q.strip().lower()
    shown = [lv for lv in levels if wanted in lv.sku.lower() or wanted in lv.bin.lower()]
    async with service.sessions() as session:
        adjusted = await session.scalars(
            select(StockAdjustment)
            .where(StockAdjustment.warehouse == warehouse)
            .order_by(StockAdjustment.adjusted_at.desc())
            .limit(20)
        )
        adjustments = list(adjusted)
    return render(
        request,
        "stock.html",
        caller,
        warehouse=WAREHOUSE_BY_CODE[warehouse],
        levels=shown,
        adjustments=adjustments,
        q=q,
        adjustment_id=secrets.token_urlsafe(12),  # one per form shown: sent twice, kept once
    )


@router.post(
    "/stock", summary="A count set by hand, with its reason (kept)", response_class=HTMLResponse
)
async def adjust(
    request: Request,
    service: CurrentService,
    caller: WarehouseStaff,
    token: Token,
    w: Annotated[str, Form(max_length=8)],
    adjustment_id: Annotated[str, Form(min_length=8, max_length=40)],
    sku: Annotated[str, Form(min_length=1, max_length=64)],
    on_hand: Annotated[int, Form(ge=0, le=1_000_000)],
    bin: Annotated[str, Form(min_length=1, max_length=40)],
    reason: Annotated[str, Form(min_length=3, max_length=500)],
) -> Response:
    form_token_checked(request, token)
    warehouse = staff_warehouse(caller, w).code
    sku, bin_ = sku.strip(), bin.strip().upper()
    async with service.transaction() as session:
        level = await floor.adjust_stock(
            session, adjustment_id, warehouse, sku, on_hand, bin_, reason.strip(), caller.name
        )
    if level is None:
        why = f"{on_hand} on hand is fewer than the units reserved"
        return refused(request, caller, Refusal(409, why))
    return back_to("/floor/stock", w=warehouse, done="adjusted", sku=sku)
