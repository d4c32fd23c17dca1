"""The returns portal of a seller's own shop (Shopify, the generic channel): a buyer with no
link starts a case from the order number and the order's e-mail or shipping postcode.

Who may call: anyone; what they see is only the order their number and e-mail or postcode
name together. A wrong number and a wrong e-mail or postcode get the same page (404), and
tries are throttled per client and per order (429), so the portal tells nobody which
orders exist. HTML forms without JavaScript: the start page (`GET /returns/{shop}`), the
order's lines no case claims yet (`POST /returns/{shop}/order`), the case started
(`POST /returns/{shop}/case`, multipart with an optional photo), answered by a redirect to
the case's own signed page (`handlers/buyer_page.py`). The case opens as a marketplace
webhook's does (`workflows/returns_portal.py`); the form's key makes a double submit one
case. Every bad input is a page saying what to fix (4xx), never a 500.
"""

import asyncio
import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from services.intake.domain import buyer_page as buyer_page_words
from services.intake.domain.account import Account
from services.intake.domain.buyer_page import LANGUAGE_NAMES, LANGUAGES, language_of
from services.intake.domain.photos import PhotoRefused, calls_for_photos, photo_of
from services.intake.domain.portal_words import REASON_WORDS, WORDS
from services.intake.domain.returns_portal import (
    REASONS,
    BadForm,
    PortalOrder,
    chosen,
    contact_of,
    key_of,
    open_lines,
    order_number_of,
    reason_of,
    words_of,
)
from services.intake.handlers.buyer_page import (
    HEADERS,
    REFUSED_PHOTO,
    accepted_language,
    form_of,
    multipart_of,
    templates,
)
from services.intake.workflows.buyer_page import add_photo, linked_case
from services.intake.workflows.context import CurrentIntake, Intake
from services.intake.workflows.returns_portal import (
    PORTAL_CHANNELS,
    case_started_before,
    claimed,
    delivery_of,
    find_order,
    portal_delivery_id,
    start_case,
    stored_before,
)
from shared.identity import public
from shared.outbound import OutboundError

log = logging.getLogger(__name__)

router = APIRouter(
    prefix="/returns",
    tags=["returns portal"],
    dependencies=[public("order number plus its e-mail or postcode, rate-limited")],
)

WHO = "Anyone: the order's number with its e-mail or shipping postcode is the key."
# Guessing: 20 lookups a client and 8 an order within 10 minutes, then 429.
# Guessing orders is slow: per client address, and per order whoever asks (moving windows).
TRIES_PER_CLIENT = parse("20 per 10 minutes")
TRIES_PER_ORDER = parse("8 per 10 minutes")
LONGEST_SHOP = 255
CASE_WAIT_SECONDS = 10.0  # the delivery worker opens the case; the buyer lands on it


class Refusal(Exception):
    def __init__(self, status: int, key: str) -> None:
        super().__init__(key)
        self.status, self.key = status, key


@router.get("/{shop}", summary="A shop's returns portal: find your order", description=WHO)
async def start_page(
    shop: str, request: Request, intake: CurrentIntake, lang: str | None = None
) -> Response:
    language = language_of(lang, accepted_language(request))
    try:
        account = await portal_account(intake, shop)
    except Refusal as refusal:
        return refused(refusal, language, request, shop)
    return render("portal_start.html", 200, language, request, account, fields={})


@router.post(
    "/{shop}/order",
    summary="The buyer names their order: its lines to return",
    description=f"{WHO} Form fields: `number`, `contact` (e-mail or postcode), `lang`.",
)
async def order_page(shop: str, request: Request, intake: CurrentIntake) -> Response:
    fields = await form_of(request)
    language = language_of(fields.get("lang"), accepted_language(request))
    try:
        account = await portal_account(intake, shop)
        order = await buyers_order(intake, request, account, fields)
        lines = open_lines(order, await claimed(intake, account, order.order_id))
    except Refusal as refusal:
        return refused(refusal, language, request, shop, fields)
    return render(
        "portal_items.html",
        200,
        language,
        request,
        account,
        order=order,
        lines=lines,
        reasons=[(r, REASON_WORDS[r][language]) for r in REASONS],
        fields={**fields, "key": uuid.uuid4().hex},
    )


@router.post(
    "/{shop}/case",
    summary="The buyer starts their case: lines, reason, words, a photo",
    description=f"{WHO} A multipart form: `number`, `contact`, `key` (the form's, once), "
    "`qty-<n>` per line, `reason`, `words`, `photo` (optional; JPEG, PNG or WebP, 5 MiB), "
    "`lang`. Answered by a redirect to the case's page; the same key twice is one case.",
)
async def case_started(shop: str, request: Request, intake: CurrentIntake) -> Response:
    language = language_of(request.query_params.get("lang"), accepted_language(request))
    fields: dict[str, str] = {}
    try:
        try:
            parts = await multipart_of(request)
        except PhotoRefused as too_large:
            raise Refusal(413, str(too_large)) from None
        photo = parts.pop("photo", b"")
        fields = {name: value.decode("utf-8", "replace") for name, value in parts.items()}
        language = language_of(fields.get("lang"), language)
        account = await portal_account(intake, shop)
        if intake.buyer_links is None:  # no BUYER_LINK_SECRET: no page to land on
            raise Refusal(503, "unavailable")
        key = form_value(key_of, fields.get("key"))
        order = await buyers_order(intake, request, account, fields)
        case_id = await started_case(intake, account, order, fields, photo, language, key)
    except Refusal as refusal:
        return refused(refusal, language, request, shop, fields)
    return await to_case_page(intake, request, case_id, photo, language)


async def started_case(
    intake: Intake,
    account: Account,
    order: PortalOrder,
    fields: dict[str, str],
    photo: bytes,
    language: str,
    key: str,
) -> str:
    """The case the form starts, or the one it started before under its key."""
    delivery_id = portal_delivery_id(order.order_id, key)
    if not await stored_before(intake, account, delivery_id):
        lines = open_lines(order, await claimed(intake, account, order.order_id))
        picked = form_value(chosen, fields, lines)
        reason = form_value(reason_of, fields.get("reason"))
        words = form_value(words_of, fields.get("words"))
        if photo:
            try:
                photo_of(photo, reason, 0)
            except PhotoRefused as bad:
                raise Refusal(REFUSED_PHOTO[str(bad)], str(bad)) from None
        now = datetime.now(UTC)
        delivery = delivery_of(account, order, picked, reason, words, language, key, now)
        log.info("the returns portal of %s starts %s", account.account, delivery.delivery_id)
        return await start_case(intake, delivery)
    return await case_started_before(intake, account, delivery_id)


async def to_case_page(
    intake: Intake, request: Request, case_id: str, photo: bytes, language: str
) -> Response:
    """The case's own page once the case is open (with the photo kept), else a page that
    waits for it."""
    case = await opened_case(intake, case_id)
    if case is not None and photo and calls_for_photos(case.reason):
        try:
            async with intake.service.transaction() as session:
                await add_photo(session, intake.vault, case, photo, datetime.now(UTC))
        except PhotoRefused as refused_photo:  # six photos already: the case stands
            log.info("the returns portal kept no photo for %s: %s", case_id, refused_photo)
    if intake.buyer_links is None:  # checked before the case was started; unset since
        return refused(Refusal(503, "unavailable"), language, request, "")
    token = intake.buyer_links.page_token(case_id, language)
    url = f"{request.scope.get('root_path', '')}/buyer/{token}?lang={language}"
    if case is None:
        html = templates.get_template("portal_opening.html").render(
            lang=language, t=say(language), url=url
        )
        return HTMLResponse(html, status_code=202, headers=HEADERS)
    return RedirectResponse(url, 303, headers=HEADERS)


async def opened_case(intake: Intake, case_id: str):
    deadline = time.monotonic() + CASE_WAIT_SECONDS
    while True:
        async with intake.service.transaction() as session:
            case = await linked_case(session, case_id)
        if case is not None or time.monotonic() > deadline:
            return case
        await asyncio.sleep(0.2)


# The shop, the order, the throttle


async def portal_account(intake: Intake, shop: str) -> Account:
    """The seller account whose portal this is: a Shopify shop (its domain, or the handle
    before .myshopify.com) or a generic-channel account; Refusal when there is none."""
    if not shop or len(shop) > LONGEST_SHOP or not shop.isprintable():
        raise Refusal(404, "no_shop")
    names = [(channel, shop) for channel in PORTAL_CHANNELS]
    if "." not in shop:
        names.insert(0, (PORTAL_CHANNELS[0], f"{shop}.myshopify.com"))
    for channel, name in names:
        account = await intake.accounts.find(channel, name)
        if account is not None:
            return account
    raise Refusal(404, "no_shop")


async def buyers_order(
    intake: Intake, request: Request, account: Account, fields: dict[str, str]
) -> PortalOrder:
    """The order the form names, if its e-mail or postcode is the buyer's: one answer for
    any mismatch, and only so many tries."""
    if "too_long" in fields:
        raise Refusal(413, "bad_form")
    number = form_value(order_number_of, fields.get("number"))
    contact = form_value(contact_of, fields.get("contact"))
    limiter = limiter_of(request)
    client = request.client.host if request.client else "unknown"
    order_key = f"{account.channel}:{account.account}:{number.casefold()}"
    if not (
        await limiter.hit(TRIES_PER_CLIENT, "portal client", client)
        and await limiter.hit(TRIES_PER_ORDER, "portal order", order_key)
    ):
        raise Refusal(429, "throttled")
    try:
        order = await find_order(intake, account, number)
    except OutboundError as error:
        log.warning(
            "the returns portal of %s cannot read order %s: %s", account.account, number, error
        )
        raise Refusal(503, "unavailable") from None
    if order is None or not order.belongs_to(contact):
        raise Refusal(404, "no_match")
    return order


def limiter_of(request: Request) -> MovingWindowRateLimiter:
    """This process's count of tries (the `limits` library, in memory)."""
    state = request.app.state
    if not hasattr(state, "portal_limiter"):
        state.portal_limiter = MovingWindowRateLimiter(MemoryStorage())
    return state.portal_limiter


def form_value(read, *given: Any) -> Any:
    try:
        return read(*given)
    except BadForm as bad:
        status = 409 if str(bad) == "already_claimed" else 422
        raise Refusal(status, str(bad)) from None


# What the pages show


def say(language: str):
    return lambda key, **facts: WORDS[key][language].format(**facts)


def portal_path(request: Request, shop: str) -> str:
    return f"{request.scope.get('root_path', '')}/returns/{quote(shop, safe='')}"


def render(
    template: str, status: int, language: str, request: Request, account: Account, **context: Any
) -> HTMLResponse:
    html = templates.get_template(template).render(
        lang=language,
        languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        t=say(language),
        shop=account.account,
        shop_path=portal_path(request, account.account),
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def sentence_of(key: str, language: str) -> str:
    """The portal's sentence, else the buyer's page's (its photos' refusals)."""
    if key in WORDS:
        return WORDS[key][language]
    return buyer_page_words.say(key, language)


def refused(
    refusal: Refusal,
    language: str,
    request: Request,
    shop: str,
    fields: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page saying what went wrong, with the lookup form again (but for an unknown shop)."""
    log.info("the returns portal of %r refused a request: %s", shop, refusal.key)
    kept = {k: v for k, v in (fields or {}).items() if k in ("number", "contact")}
    html = templates.get_template("portal_refused.html").render(
        lang=language,
        t=say(language),
        sentence=sentence_of(refusal.key, language),
        shop_path="" if refusal.key == "no_shop" else portal_path(request, shop),
        fields=kept,
    )
    answer = HTMLResponse(html, status_code=refusal.status, headers=HEADERS)
    if refusal.status in (429, 503):
        answer.headers["Retry-After"] = "60"
    return answer
