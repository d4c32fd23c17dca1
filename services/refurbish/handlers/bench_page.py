"""The technician's bench page, for the repair shop's floor (a 10-inch tablet, a phone, a
barcode scanner): the inspection queue of the person's repair shops, each unit's checklist
as a form with photos from the device's camera, the grade the rubric gives with why it
missed a better one, an override with its reason, the disposition with the money it
expects and the alternatives weighed; repairs to do and done; relabel tasks with their
FNSKU labels (PDF, ZPL); liquidation lots to close. In English, German, French or Spanish,
the person's choice kept in a cookie.

Who may call: technicians signed in through the issuer (`shared/sign_in.py`, the session
cookie `bench_session`), reaching their own repair shops' units only (`scoping.py`).
Server-rendered HTML forms that work without JavaScript, each carrying the session's form
token; every write is answered by a redirect (303), so a reload never posts twice, and the
workflows underneath (`grading`, `repairing`, `outlets`, the JSON API's own) take each
action once, so a double tap takes effect once. `bench.js` moves the focus to the next
field, sends the forms in the background and, when the network is gone, keeps the form and
says so.
"""

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.refurbish.domain import bench_words as words
from services.refurbish.domain.bench_photos import PhotoRefused
from services.refurbish.domain.checklists import Checklist, checklist_form, parse_checklist
from services.refurbish.domain.grading import Override
from services.refurbish.domain.inspections import InspectionState
from services.refurbish.domain.outlets import LotState, RelabelState
from services.refurbish.domain.repairs import RepairState
from services.refurbish.domain.units import UnitNotValued
from services.refurbish.handlers.bench import bench_photo, inspection_of, matching
from services.refurbish.handlers.outlets import fnsku_label, fnsku_label_for_zebra, with_units
from services.refurbish.handlers.scoping import at_shop, at_shops
from services.refurbish.settings import RefurbishSettings
from services.refurbish.tables import Inspection, LiquidationLot, RelabelTask, RepairJob
from services.refurbish.workflows import outlets
from services.refurbish.workflows.bench_photos import keep_photos, photos_of
from services.refurbish.workflows.grading import assess, on_bench, record_findings
from services.refurbish.workflows.repairing import finish_repair
from shared.events import Grade
from shared.identity import Principal, Role, Technician, authenticated, public, session_token
from shared.lifecycle import IllegalTransition
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
    prefix="/bench",
    folder=Path(__file__).resolve().parents[1] / "bench_page",
    cookie="bench_lang",
    assets={"bench.js": "text/javascript"},
    say=words.say,
)
MOST_PHOTO_BYTES = 8 * 1024 * 1024
Token = Annotated[str, Form(alias="form_token")]


def bench_client(settings: RefurbishSettings) -> PageClient:
    return PageClient.of(settings, "bench")


PAGE = SignInPage(
    prefix="/bench",
    home="/bench",
    cookie="bench_session",
    header="bench",
    client_of=bench_client,
    forms=True,
)
sign_in = sign_in_router(PAGE, tags=["technician's bench page"])
router = APIRouter(prefix="/bench", tags=["technician's bench page"])
OPEN = public("the bench page's sign-in offer, its language switch and its own files: no data")


# ----------------------------------------------------------------------- rendering


def render(
    request: Request,
    template: str,
    caller: Principal | None = None,
    status: int = 200,
    **facts: Any,
) -> HTMLResponse:
    return STAFF_PAGE.render(
        request,
        template,
        status,
        quote(str(request.url.path)),
        lambda lang: {
            "n": lambda value: words.name(str(value), lang),
            "money": lambda minor, currency: words.money(minor, currency, lang),
            "why": lambda reason: words.reason_in(reason, lang),
            "excluded": lambda reason, currency: words.excluded_in(reason, lang, currency),
            "who": caller,
            "shops": ", ".join(sorted(caller.repair_shops)) if caller else "",
            **facts,
        },
    )


def refused(request: Request, caller: Principal | None, refusal: Refusal) -> HTMLResponse:
    return render(request, "refused.html", caller, refusal.status, reason=refusal.reason)


def back_to(path: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?done={done}", status_code=303, headers=HEADERS)


# ------------------------------------------------------------ signed out, language, files


@router.get(
    "",
    summary="The bench page: the sign-in, or the queue",
    dependencies=[OPEN],
    response_class=HTMLResponse,
)
async def bench(request: Request) -> Response:
    """Signed in as a technician: on to the queue; else (or the session's token run out)
    the sign-in."""
    if session_token(request):
        try:
            caller = await authenticated(request, None)
        except HTTPException:
            request.session.clear()
        else:
            if Role.TECHNICIAN in caller.roles:
                return RedirectResponse("/bench/queue", status_code=303, headers=HEADERS)
    return render(request, "signed_out.html")


@router.get(
    "/language/{lang}", summary="The page's language, kept in a cookie", dependencies=[OPEN]
)
async def choose_language(lang: str, back: str = "/bench") -> RedirectResponse:
    return STAFF_PAGE.choose_language(lang, back)


@router.get("/assets/{name}", include_in_schema=False, dependencies=[OPEN])
async def asset(name: str) -> FileResponse:
    return STAFF_PAGE.asset(name)


# ----------------------------------------------------------------------------- queue


@router.get(
    "/queue",
    summary="The inspections waiting at the technician's repair shops",
    response_class=HTMLResponse,
)
async def queue(request: Request, service: CurrentService, caller: Technician) -> HTMLResponse:
    async with service.sessions() as session:
        waiting = await session.scalars(
            matching(Inspection, caller, status=InspectionState.OPEN).order_by(Inspection.opened_at)
        )
        units = [(row, on_bench(row).item if row.items else None) for row in waiting]
        counted = await session.execute(
            select(Inspection.status, func.count())
            .where(at_shops(caller, Inspection.warehouse))
            .group_by(Inspection.status)
        )
        counts = {state.value: 0 for state in InspectionState} | dict(counted.all())
    return render(request, "queue.html", caller, units=units, counts=counts)


@router.get("/find", summary="A unit found by its scanned RMA", response_class=HTMLResponse)
async def find(
    request: Request, service: CurrentService, caller: Technician, code: str = ""
) -> Response:
    async with service.sessions() as session:
        found = await session.scalar(matching(Inspection, caller, rma_id=code.strip()))
    if found is None:
        return refused(request, caller, Refusal(404, f"no unit {code.strip()!r} at your shops"))
    path = f"/bench/inspections/{quote(found.inspection_id)}"
    return RedirectResponse(path, status_code=303, headers=HEADERS)


# ------------------------------------------------------------------------ inspection


async def unit_page(session: AsyncSession, inspection: Inspection) -> dict[str, Any]:
    """What every page of a unit shows: the unit, its checklist, the photos taken."""
    unit = on_bench(inspection)
    photos = await photos_of(session, unit.inspection_id)
    return {
        "inspection": inspection,
        "item": unit.item if inspection.items else None,
        "form": checklist_form(unit.category),
        "photos": [(photo.photo_id, photo.content_type) for photo in photos],
    }


@router.get(
    "/inspections/{inspection_id}",
    summary="A unit's checklist, or where it went",
    response_class=HTMLResponse,
)
async def inspection_page(
    inspection_id: str, request: Request, service: CurrentService, caller: Technician
) -> HTMLResponse:
    async with service.sessions() as session:
        inspection = await inspection_of(session, caller, inspection_id)
        facts = await unit_page(session, inspection)
    template = "checklist.html" if inspection.status == InspectionState.OPEN else "result.html"
    return render(request, template, caller, **facts)


def checklist_of(category: str, fields: dict[str, Any]) -> Checklist:
    """The checklist from the form's fields (`test:<name>` pass or fail for each test)."""
    functional = {
        name.removeprefix("test:"): value == "pass"
        for name, value in fields.items()
        if name.startswith("test:")
    }
    data = {
        "cosmetic": fields.get("cosmetic"),
        "functional": functional,
        "accessories_complete": fields.get("accessories") == "yes",
        "packaging": fields.get("packaging"),
        "fault": (fields.get("fault") or "").strip() or None,
    }
    try:
        return parse_checklist(category, data)
    except (ValidationError, ValueError) as error:
        raise Refusal(422, f"the checklist is not complete: {short(error)}") from None


def short(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
    return str(error)


@router.post(
    "/inspections/{inspection_id}/review",
    summary="The checklist graded by the rubric and the unit's outlets weighed, not yet kept",
    response_class=HTMLResponse,
    description="A multipart form: the checklist's fields (`cosmetic`, `test:<name>` pass | "
    "fail, `accessories` yes | no, `packaging`, `fault`), `notes`, `photo` (any number, "
    "kept with the unit), `form_token`.",
)
async def review(
    inspection_id: str, request: Request, service: CurrentService, caller: Technician
) -> HTMLResponse:
    try:
        form = await request.form(max_part_size=MOST_PHOTO_BYTES)
        form_token_checked(request, str(form.get("form_token") or ""))
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        photos = [await f.read() for f in form.getlist("photo") if not isinstance(f, str)]
        async with service.transaction() as session:
            inspection = await inspection_of(session, caller, inspection_id, lock=True)
            unit = on_bench(inspection)
            if unit.state is not InspectionState.OPEN:
                why = f"{inspection.rma_id} is already graded ({inspection.grade}): {unit.state}"
                raise Refusal(409, why)
            await keep_photos(session, inspection, [p for p in photos if p], caller.name)
            facts = await unit_page(session, inspection)
        checklist = checklist_of(unit.category, fields)
        notes = fields.get("notes", "")[:2000]
        findings, plan = assessed(unit, checklist, caller.name, notes)
    except PhotoRefused as photo:
        return refused(request, caller, Refusal(422, str(photo)))
    except Refusal as refusal:
        return refused(request, caller, refusal)
    return render(
        request,
        "review.html",
        caller,
        **facts,
        checklist=checklist.model_dump_json(),
        notes=notes,
        grading=findings.grading,
        plan=plan,
        grades=[grade.value for grade in Grade],
    )


def assessed(unit, checklist: Checklist, technician: str, notes: str, wanted=None):
    try:
        return assess(unit, checklist, technician, notes, wanted)
    except UnitNotValued as unvalued:
        raise Refusal(422, f"the unit cannot be graded: {unvalued}") from None
    except ValueError as bad:
        raise Refusal(422, str(bad)) from None


@router.post(
    "/inspections/{inspection_id}/record",
    summary="The checklist recorded: graded (or overridden with a reason) and routed",
    response_class=HTMLResponse,
    description="Form fields: `checklist` (JSON, as the review page carries it), `notes`, "
    "`override_grade` and `override_reason` (at least 10 characters) to override, "
    "`form_token`. The same findings again change nothing.",
)
async def record(
    inspection_id: str,
    request: Request,
    service: CurrentService,
    caller: Technician,
    token: Token,
    checklist: Annotated[str, Form(max_length=10_000)],
    notes: Annotated[str, Form(max_length=2000)] = "",
    override_grade: Annotated[str, Form(max_length=2)] = "",
    override_reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        form_token_checked(request, token)
        wanted = override_of(override_grade, override_reason)
        async with service.transaction() as session:
            inspection = await inspection_of(session, caller, inspection_id, lock=True)
            unit = on_bench(inspection)
            findings = checklist_json(unit.category, checklist)
            try:
                await record_findings(
                    service, session, inspection, findings, caller.name, notes, wanted
                )
            except IllegalTransition as done_before:
                raise Refusal(409, done_before.reason) from None
            except UnitNotValued as unvalued:
                raise Refusal(422, f"the unit cannot be graded: {unvalued}") from None
    except Refusal as refusal:
        return refused(request, caller, refusal)
    return back_to(f"/bench/inspections/{quote(inspection_id)}", "recorded")


def override_of(grade: str, reason: str) -> Override | None:
    if not grade:
        return None
    try:
        return Override(grade=grade, reason=reason)
    except ValidationError as error:
        raise Refusal(422, f"an override needs a grade and a reason: {short(error)}") from None


def checklist_json(category: str, carried: str) -> Checklist:
    try:
        return Checklist.model_validate_json(carried, context={"category": category})
    except (ValidationError, ValueError) as error:
        raise Refusal(422, f"the checklist is not complete: {short(error)}") from None


# --------------------------------------------------------------------------- repairs


@router.get(
    "/repairs",
    summary="Repair jobs to do and done at the technician's shops",
    response_class=HTMLResponse,
)
async def repairs(request: Request, service: CurrentService, caller: Technician) -> HTMLResponse:
    async with service.sessions() as session:
        to_do = await session.scalars(
            matching(RepairJob, caller, status=RepairState.OPEN).order_by(RepairJob.ordered_at)
        )
        done = await session.scalars(
            matching(RepairJob, caller, status=RepairState.DONE)
            .order_by(RepairJob.done_at.desc())
            .limit(20)
        )
        return render(request, "repairs.html", caller, to_do=list(to_do), done_jobs=list(done))


@router.post(
    "/repairs/{repair_id}/done",
    summary="A repair done: the unit back on the bench",
    response_class=HTMLResponse,
)
async def repair_done(
    repair_id: str, request: Request, service: CurrentService, caller: Technician, token: Token
) -> Response:
    try:
        form_token_checked(request, token)
        missing = f"no repair job {repair_id}"
        async with service.transaction() as session:
            repair = await get_or_404(session, RepairJob, repair_id, missing, lock=True)
            at_shop(caller, repair.warehouse, missing)
            if repair.status != RepairState.DONE:  # a second tap: already done, once
                try:
                    await finish_repair(service, session, repair, caller.name)
                except IllegalTransition as refusal:
                    raise Refusal(409, refusal.reason) from None
    except Refusal as refusal:
        return refused(request, caller, refusal)
    return back_to("/bench/repairs", "repair")


# ------------------------------------------------------------------- relabel and lots


@router.get(
    "/relabel", summary="Units to relabel with their FNSKU labels", response_class=HTMLResponse
)
async def relabel(request: Request, service: CurrentService, caller: Technician) -> HTMLResponse:
    async with service.sessions() as session:
        tasks = await session.scalars(
            select(RelabelTask)
            .where(at_shops(caller, RelabelTask.warehouse))
            .where(RelabelTask.status == RelabelState.OPEN)
            .order_by(RelabelTask.created_at)
        )
        return render(request, "relabel.html", caller, tasks=list(tasks))


@router.get(
    "/relabel/{inspection_id}/label.{kind}",
    summary="The unit's FNSKU label, PDF or ZPL (the API's, under the page's own path)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "application/zpl": {}}}},
)
async def relabel_label(
    inspection_id: str, kind: str, service: CurrentService, caller: Technician
) -> Response:
    if kind == "pdf":
        return await fnsku_label(inspection_id, service, caller)
    if kind == "zpl":
        return await fnsku_label_for_zebra(inspection_id, service, caller)
    raise HTTPException(404, f"the label is printed as pdf or zpl, not {kind}")


@router.get(
    "/inspections/{inspection_id}/photos/{photo_id}",
    summary="A photo taken at the bench (the API's, under the page's own path)",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
)
async def photo(
    inspection_id: str, photo_id: str, service: CurrentService, caller: Technician
) -> Response:
    return await bench_photo(inspection_id, photo_id, service, caller)


@router.post(
    "/relabel/{inspection_id}/done",
    summary="Relabelled and packed for FBA",
    response_class=HTMLResponse,
)
async def relabelled(
    inspection_id: str,
    request: Request,
    service: CurrentService,
    caller: Technician,
    token: Token,
) -> Response:
    try:
        form_token_checked(request, token)
        missing = f"no relabel task for inspection {inspection_id}"
        async with service.transaction() as session:
            task = await get_or_404(session, RelabelTask, inspection_id, missing, lock=True)
            at_shop(caller, task.warehouse, missing)
            await outlets.relabelled(session, task, caller.name)
    except Refusal as refusal:
        return refused(request, caller, refusal)
    return back_to("/bench/relabel", "relabel")


@router.get(
    "/lots", summary="Open liquidation lots at the technician's shops", response_class=HTMLResponse
)
async def lots(request: Request, service: CurrentService, caller: Technician) -> HTMLResponse:
    async with service.sessions() as session:
        rows = await session.scalars(
            select(LiquidationLot)
            .where(at_shops(caller, LiquidationLot.warehouse))
            .where(LiquidationLot.status == LotState.OPEN)
            .order_by(LiquidationLot.opened_at)
        )
        shown = [await with_units(session, lot) for lot in rows]
        return render(request, "lots.html", caller, lots=shown)


@router.post(
    "/lots/{lot_id}/close",
    summary="A lot closed: sold to the liquidation channel",
    response_class=HTMLResponse,
)
async def close_lot(
    lot_id: str, request: Request, service: CurrentService, caller: Technician, token: Token
) -> Response:
    try:
        form_token_checked(request, token)
        async with service.transaction() as session:
            lot = await get_or_404(session, LiquidationLot, lot_id, f"no lot {lot_id}", lock=True)
            at_shop(caller, lot.warehouse, f"no lot {lot_id}")
            try:
                await outlets.close_lot(session, lot, caller.name)
            except IllegalTransition as refusal:
                raise Refusal(409, refusal.reason) from None
    except Refusal as refusal:
        return refused(request, caller, refusal)
    return back_to("/bench/lots", "lot")
