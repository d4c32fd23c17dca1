"""The buyer's own page of a case, in their language: the open offer with its amount,
what they keep and their legal rights next to it; accept or decline; where the case
stands (what happens next, tracking, refunds); a rating of the outcome; photos when the
reason calls for them; for an exchange, the seller's variants to pick from.

Who may call: whoever holds a valid link (`adapters/buyer_links.py`: signed, expiring,
naming one case); no account, no token. A link that is expired, tampered with, or whose
buyer was erased opens a plain page saying so (410, 404, 410), never the case. HTML forms
that work without JavaScript, each answered by a redirect back to the page (303), so a
reload never posts twice; the workflows take each action once (`workflows/buyer_page.py`).
"""

import logging
from datetime import UTC, date, datetime
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from babel.dates import format_date, format_datetime
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.intake.adapters.buyer_links import BadLink
from services.intake.domain import buyer_page as words
from services.intake.domain.buyer_page import LANGUAGES, BadForm, language_of, rating_of
from services.intake.domain.exchange_variants import chosen, is_replacement
from services.intake.domain.photos import LARGEST_PHOTO, PhotoRefused, calls_for_photos
from services.intake.workflows.buyer_page import (
    LinkedCase,
    add_photo,
    answer_given,
    answer_offer,
    item_titles,
    linked_case,
    photos_of,
    rate_case,
    rating_given,
)
from services.intake.workflows.context import CurrentIntake, Intake
from services.intake.workflows.exchange_variants import options_for
from shared.edge import page_headers
from shared.events import BuyerAnswer, ExchangeChoice, Remedy
from shared.identity import public
from shared.outbound import Refused, Unavailable
from shared.routes import attachment

log = logging.getLogger(__name__)

router = APIRouter(
    tags=["buyers' page"], dependencies=[public("a signed, expiring buyer link to one case")]
)

PAGES = Path(__file__).resolve().parents[1] / "buyer_page"
templates = Environment(
    loader=FileSystemLoader(PAGES),
    autoescape=select_autoescape(["html"]),
    auto_reload=False,
)
LONGEST_FORM = 16 * 1024  # bytes: a comment of 2,000 characters, percent-encoded, fits
LONGEST_OFFER_ID = 200
DONE = {"accept", "decline", "rating", "photo", "pickup", "drop_off"}
DROP_OFF = "drop_off"
EXCHANGE = Remedy.EXCHANGE.value
REFUSED_PHOTO = {
    "photo_not_needed": 409,
    "photo_missing": 422,
    "photo_too_large": 413,
    "photo_not_an_image": 415,
    "photo_too_many": 409,
}
HEADERS = {
    "Cache-Control": "no-store",  # the link is the buyer's key: never in a Referer either
    **page_headers("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"),
}
WHO = "Whoever holds a valid link to the case (signed, expiring); no token."


class Refusal(Exception):
    """The page answers with a plain page: its status and the sentence to show."""

    def __init__(self, status: int, key: str, **facts: object) -> None:
        super().__init__(key)
        self.status, self.key, self.facts = status, key, facts
        self.language: str | None = None  # the link's, once it could be read


@router.get("/buyer/{token}", summary="A buyer's page of their case", description=WHO)
async def buyer_page(
    token: str,
    request: Request,
    intake: CurrentIntake,
    lang: str | None = None,
    done: str | None = None,
) -> Response:
    try:
        case, language = await opened(intake, token, lang, request)
    except Refusal as refusal:
        return refused(refusal, refusal.language or language_of(lang, accepted_language(request)))
    return await page(intake, request, token, case, language, notice_of(done, language))


@router.post(
    "/buyer/{token}/answer",
    summary="The buyer accepts or declines the open offer",
    description=f"{WHO} Form fields: `offer_id`, `answer` (accept | decline), `lang`; "
    "accepting an exchange whose variants the page lists: `variant` (the SKU of one listed "
    "and within the seller's cap on the price difference; 422 without one, 409 for another).",
)
async def buyer_answers(token: str, request: Request, intake: CurrentIntake) -> Response:
    fields = await form_of(request)
    language = language_of(fields.get("lang"), accepted_language(request))
    try:
        case, language = await opened(intake, token, fields.get("lang"), request)
        offer_id, answer = answer_of(fields)
        async with intake.service.transaction() as session:
            given = await answer_given(session, offer_id)
        if given is None:
            offer = await check_open(intake, case, offer_id)
            choice = None
            if answer is BuyerAnswer.ACCEPT and offer.get("remedy") == EXCHANGE:
                choice = await variant_picked(intake, case, offer, fields.get("variant"), language)
            async with intake.service.transaction() as session:
                new = await answer_offer(session, case, offer_id, answer, datetime.now(UTC), choice)
            given = answer.value if new else await answer_given_now(intake, offer_id)
        if given != answer.value:
            answered = words.ANSWER_NAMES[given][language]
            raise Refusal(409, "answered_before", answer=answered)
    except Refusal as refusal:
        return refused(refusal, language, token, request)
    return back_to_page(request, token, language, answer.value)


@router.post(
    "/buyer/{token}/rating",
    summary="The buyer rates the outcome, 1 to 5, with a comment",
    description=f"{WHO} Form fields: `stars` (1-5), `comment`, `lang`. One rating per "
    "case: a new one replaces it.",
)
async def buyer_rates(token: str, request: Request, intake: CurrentIntake) -> Response:
    fields = await form_of(request)
    language = language_of(fields.get("lang"), accepted_language(request))
    try:
        case, language = await opened(intake, token, fields.get("lang"), request)
        try:
            rating = rating_of(fields.get("stars"), fields.get("comment"))
        except BadForm as bad:
            raise Refusal(422, str(bad)) from None
        async with intake.service.transaction() as session:
            await rate_case(session, case.case_id, rating, datetime.now(UTC))
    except Refusal as refusal:
        return refused(refusal, language, token, request)
    return back_to_page(request, token, language, "rating")


@router.post(
    "/buyer/{token}/photos",
    summary="The buyer adds a photo to a case whose reason calls for one",
    description=f"{WHO} A multipart form: `photo` (JPEG, PNG or WebP, at most 5 MiB; 6 per "
    "case; damaged or not as described only), `lang`. The same photo twice is kept once.",
)
async def buyer_adds_photo(token: str, request: Request, intake: CurrentIntake) -> Response:
    language = language_of(request.query_params.get("lang"), accepted_language(request))
    try:
        case, language = await opened(intake, token, request.query_params.get("lang"), request)
        fields = await multipart_of(request)
        language = language_of(fields.get("lang", b"").decode("utf-8", "replace"), language)
        async with intake.service.transaction() as session:
            await add_photo(
                session, intake.vault, case, fields.get("photo", b""), datetime.now(UTC)
            )
    except PhotoRefused as refused_photo:
        key = str(refused_photo)
        return refused(Refusal(REFUSED_PHOTO[key], key), language, token, request)
    except Refusal as refusal:
        return refused(refusal, language, token, request)
    return back_to_page(request, token, language, "photo")


@router.get(
    "/buyer/{token}/return-label.pdf",
    summary="The buyer downloads their prepaid return label",
    description=f"{WHO} The label fulfillment issued for the case's return (PDF).",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def buyer_label(
    token: str, request: Request, intake: CurrentIntake, lang: str | None = None
) -> Response:
    language = language_of(lang, accepted_language(request))
    try:
        case, language = await opened(intake, token, lang, request)
        the_return = await return_of(intake, case)
        try:
            label = await views(intake).return_label(the_return["rma_id"])
        except Unavailable:
            raise Refusal(503, "unavailable") from None
        if label is None:
            raise Refusal(404, "no_label")
    except Refusal as refusal:
        return refused(refusal, language, token, request)
    name = f"return-label-{the_return['rma_id']}.pdf"
    headers = {**HEADERS, **attachment(name)}
    return Response(label, media_type="application/pdf", headers=headers)


@router.post(
    "/buyer/{token}/pickup",
    summary="The buyer picks a pickup window for their return, or a drop-off",
    description=f"{WHO} Form fields: `window` (one the page offered, or `drop_off`), `lang`. "
    "The window booked already is not booked again.",
)
async def buyer_picks_pickup(token: str, request: Request, intake: CurrentIntake) -> Response:
    fields = await form_of(request)
    language = language_of(fields.get("lang"), accepted_language(request))
    try:
        case, language = await opened(intake, token, fields.get("lang"), request)
        chosen = fields.get("window", "")
        if chosen == DROP_OFF:
            return back_to_page(request, token, language, DROP_OFF)
        the_return = await return_of(intake, case)
        windows = {window_value(w): w for w in the_return.get("pickup_windows", [])}
        if chosen not in windows:
            raise Refusal(409 if chosen else 422, "pickup_refused" if chosen else "bad_form")
        booked = the_return.get("pickup")
        if booked is None or window_value(booked) != chosen:
            try:
                refusal = await views(intake).book_pickup(the_return["rma_id"], windows[chosen])
            except Unavailable:
                raise Refusal(503, "unavailable") from None
            if refusal is not None:
                log.info("pickup for %s refused: %s", case.case_id, refusal)
                raise Refusal(409, "pickup_refused")
    except Refusal as refusal:
        return refused(refusal, language, token, request)
    return back_to_page(request, token, language, "pickup")


async def return_of(intake: Intake, case: LinkedCase) -> dict[str, Any]:
    """The case's return as fulfillment holds it; Refusal when there is none yet."""
    try:
        parcels = await views(intake).parcels(case.case_id)
    except Unavailable:
        raise Refusal(503, "unavailable") from None
    the_return = (parcels or {}).get("return")
    if not the_return:
        raise Refusal(404, "no_label")
    return the_return


def window_value(window: dict[str, Any]) -> str:
    return f"{window['day']}|{window['starts']}|{window['ends']}"


# The link, the case, the form


async def opened(
    intake: Intake, token: str, asked: str | None, request: Request
) -> tuple[LinkedCase, str]:
    """The case the link opens and the page's language; Refusal for a link that opens none."""
    if intake.buyer_links is None:
        raise Refusal(503, "link_off")
    try:
        link = intake.buyer_links.open_page(token)
    except BadLink as bad:
        raise Refusal(410, "link_expired") if bad.expired else Refusal(404, "link_bad") from None
    language = language_of(asked, link.language)
    async with intake.service.transaction() as session:
        case = await linked_case(session, link.case_id)
    if case is None or case.erased:
        refusal = Refusal(404, "link_unknown") if case is None else Refusal(410, "link_erased")
        refusal.language = language
        raise refusal
    return case, language


async def form_of(request: Request) -> dict[str, str]:
    """The form's fields (the first value of each), read as UTF-8 whatever was sent; an
    oversized or unreadable body is an empty form (refused by what needs its fields)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > LONGEST_FORM:
            return {"too_long": "1"}
    try:
        parsed = parse_qs(
            body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=20
        )
    except ValueError:
        return {}
    return {name: values[0] for name, values in parsed.items() if values}


async def multipart_of(request: Request) -> dict[str, bytes]:
    """A multipart form's fields, each the first part of its name; a body beyond a photo's
    largest size is refused (413) before it is read further."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > LARGEST_PHOTO + LONGEST_FORM:
            raise PhotoRefused("photo_too_large")
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        return {}
    head = f"Content-Type: {content_type}\r\n\r\n".encode("utf-8", "replace")
    try:
        message = BytesParser(policy=HTTP).parsebytes(head + body)
        parts = list(message.iter_parts()) if message.is_multipart() else []
    except Exception:  # any malformed multipart: no fields
        return {}
    fields: dict[str, bytes] = {}
    for part in parts:
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str) and name not in fields:
            fields[name] = part.get_payload(decode=True) or b""
    return fields


def answer_of(fields: dict[str, str]) -> tuple[str, BuyerAnswer]:
    offer_id = fields.get("offer_id", "")
    answer = fields.get("answer")
    if not offer_id or len(offer_id) > LONGEST_OFFER_ID or "\x00" in offer_id:
        raise Refusal(422, "bad_form")
    if answer not in (BuyerAnswer.ACCEPT.value, BuyerAnswer.DECLINE.value):
        raise Refusal(422, "bad_form")
    return offer_id, BuyerAnswer(answer)


async def check_open(intake: Intake, case: LinkedCase, offer_id: str) -> dict[str, Any]:
    """The offer answered, the one open now at resolution; Refusal otherwise."""
    try:
        view = await views(intake).offers(case.case_id)
    except Unavailable as down:
        log.warning("the buyer's page of %s cannot reach %s: %s", case.case_id, down.system, down)
        raise Refusal(503, "unavailable") from None
    offers = (view or {}).get("offers", [])
    found = next((o for o in offers if o["offer_id"] == offer_id and o["open"]), None)
    if found is None:
        raise Refusal(409, "offer_closed")
    return found


async def variant_picked(
    intake: Intake, case: LinkedCase, offer: dict[str, Any], sku: str | None, language: str
) -> ExchangeChoice | None:
    """The variant the buyer picked among those the page lists; None where it lists none
    (the same item is sent again). Refusal for none picked, one not listed (a tampered
    form) or one beyond the seller's cap, which would end the offer unmet."""
    cap = offer.get("exchange_max_difference_minor")
    if is_replacement(offer.get("remedy"), case.scenario):
        if sku and sku != own_sku(case):
            raise Refusal(409, "variant_unknown")
        return None  # a new unit of the same SKU, as the page said
    try:
        options = await options_for(intake, case, cap, language)
    except (Unavailable, Refused) as down:
        log.warning("the variants of %s cannot be listed: %s", case.case_id, down)
        if sku:
            raise Refusal(503, "unavailable") from None
        return None  # as the page said: the same item again
    if not options:
        if sku:
            raise Refusal(409, "variant_unknown")
        return None
    if not sku:
        raise Refusal(422, "variant_missing")
    option = chosen(options, sku)
    if option is None:
        raise Refusal(409, "variant_unknown")
    if not option.within_cap:
        raise Refusal(409, "variant_too_dear", cap=words.money(cap, offer["currency"], language))
    return option.choice


async def answer_given_now(intake: Intake, offer_id: str) -> str | None:
    async with intake.service.transaction() as session:
        return await answer_given(session, offer_id)


def views(intake: Intake):
    if intake.case_views is None:
        raise Unavailable("resolution", "no client of the other services' buyer views")
    return intake.case_views


# What the page shows


async def page(
    intake: Intake,
    request: Request,
    token: str,
    case: LinkedCase,
    language: str,
    notice: str | None,
) -> HTMLResponse:
    unavailable = False
    offers = parcels = None
    try:
        offers = await views(intake).offers(case.case_id)
        parcels = await views(intake).parcels(case.case_id)
    except Unavailable as down:
        log.warning("the buyer's page of %s cannot reach %s: %s", case.case_id, down.system, down)
        unavailable = True
    async with intake.service.transaction() as session:
        stars = await rating_given(session, case.case_id)
        photos = len(await photos_of(session, case.case_id))
        titles = await item_titles(session, case, language)
    facts = shown(case, offers, parcels, language)
    facts["exchange"] = await exchange_shown(intake, case, facts["offer"], language, titles)
    return render(
        "page.html",
        200,
        language,
        page_path=page_path(request, token),
        case=case,
        notice=notice,
        unavailable=unavailable,
        stars=stars,
        photos_wanted=calls_for_photos(case.reason),
        photos=photos,
        titles=titles,
        **facts,
    )


def shown(
    case: LinkedCase, offers: dict[str, Any] | None, parcels: dict[str, Any] | None, lang: str
) -> dict[str, Any]:
    """The page's facts from what resolution and fulfillment said, in the buyer's words."""
    view = offers or {}
    open_offer = next((o for o in view.get("offers", []) if o.get("open")), None)
    offer = None
    if open_offer is not None:
        amount = int(open_offer["amount_minor"])
        money = words.money(abs(amount), open_offer["currency"], lang)
        offer = {
            "offer_id": open_offer["offer_id"],
            "remedy": open_offer["remedy"],
            "currency": open_offer["currency"],
            "cap": open_offer.get("exchange_max_difference_minor"),
            "name": words.remedy_name(open_offer["remedy"], lang),
            "amount": (
                words.say("you_pay", lang, amount=money)
                if amount < 0
                else words.say("you_get", lang, amount=money)
            )
            if amount
            else None,
            "keeps": words.keeps(open_offer["remedy"], lang),
            "notices": [capital(n) for n in open_offer.get("disclosures", {}).get(lang, [])],
            "message": open_offer.get("message", ""),
            "expires": when(open_offer.get("expires_at"), lang),
        }
    refunds = [
        {
            "what": words.say(
                "refund", lang, amount=words.money(r["amount_minor"], r["currency"], lang)
            ),
            "state": words.say(f"refund_{r['state']}", lang),
        }
        for r in view.get("refunds", [])
    ]
    parcel_view = parcels or {}
    the_return = parcel_view.get("return")
    pickup_choices = []
    if the_return and not the_return.get("received_at"):
        booked = the_return.get("pickup")
        pickup_choices = [
            {
                "value": window_value(w),
                "label": words.say("pickup_window", lang, when=pickup_label(w, lang)),
                "chosen": booked is not None and window_value(booked) == window_value(w),
            }
            for w in the_return.get("pickup_windows", [])
        ]
        if booked:
            the_return = {**the_return, "booked": pickup_label(booked, lang)}
    return {
        "offer": offer,
        "next_step": words.next_step(view.get("state"), view.get("remedy"), lang),
        "refunds": refunds,
        "the_return": the_return,
        "pickup_choices": pickup_choices,
        "shipments": parcel_view.get("shipments", []),
    }


async def exchange_shown(
    intake: Intake,
    case: LinkedCase,
    offer: dict[str, Any] | None,
    lang: str,
    titles: dict[str, str],
) -> dict[str, Any] | None:
    """An open exchange's variants to pick from, each with its price difference; no
    options where none are listed (the same item again), `unlisted` when they cannot be
    listed now."""
    if offer is None or offer["remedy"] != EXCHANGE:
        return None
    if is_replacement(offer["remedy"], case.scenario):
        return {"options": [], "unlisted": False, "replacement": item_title(case, titles)}
    try:
        options = await options_for(intake, case, offer["cap"], lang)
    except (Unavailable, Refused) as down:
        log.warning("the variants of %s cannot be listed: %s", case.case_id, down)
        return {"options": [], "unlisted": True}
    if not options:
        return {"options": [], "unlisted": False}
    over_cap = words.say(
        "variant_over_cap", lang, cap=words.money(offer["cap"] or 0, offer["currency"], lang)
    )
    return {
        "options": [
            {
                "sku": option.choice.sku,
                "title": option.choice.title,
                "difference": words.price_difference(
                    option.difference_minor, offer["currency"], lang
                ),
                "too_dear": None if option.within_cap else over_cap,
                "own": option.choice.sku == case.items[0].get("sku"),
            }
            for option in options
        ],
        "unlisted": False,
    }


def own_sku(case: LinkedCase) -> str:
    return str(case.items[0].get("sku", "")) if case.items else ""


def item_title(case: LinkedCase, titles: dict[str, str]) -> str:
    item = case.items[0] if case.items else {}
    sku = str(item.get("sku") or "")
    return titles.get(sku) or str(item.get("title") or sku)


def pickup_label(window: dict[str, Any], language: str) -> str:
    try:
        day = format_date(date.fromisoformat(str(window["day"])), "full", locale=language)
    except ValueError:
        day = str(window["day"])
    return f"{day}, {str(window['starts'])[:5]}–{str(window['ends'])[:5]}"


def capital(sentence: str) -> str:
    sentence = sentence.strip()
    sentence = sentence[:1].upper() + sentence[1:]
    return sentence if sentence.endswith(".") else f"{sentence}."


def when(moment: str | None, language: str) -> str | None:
    if not moment:
        return None
    try:
        at = datetime.fromisoformat(moment)
    except ValueError:
        return None
    return format_datetime(at, "medium", locale=language)


def notice_of(done: str | None, language: str) -> str | None:
    return words.say(f"done_{done}", language) if done in DONE else None


def refused(
    refusal: Refusal, language: str, token: str | None = None, request: Request | None = None
) -> HTMLResponse:
    back = page_path(request, token) if token and refusal.status in (409, 413, 415, 422) else None
    language = refusal.language or language
    answer = render(
        "refused.html",
        refusal.status,
        language,
        sentence=words.say(refusal.key, language, **refusal.facts),
        back=back,
    )
    if refusal.status == 503:
        answer.headers["Retry-After"] = "60"
    return answer


def render(template: str, status: int, language: str, **context: Any) -> HTMLResponse:
    html = templates.get_template(template).render(
        lang=language,
        languages=[(code, words.LANGUAGE_NAMES[code]) for code in LANGUAGES],
        t=lambda key, **facts: words.say(key, language, **facts),
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def page_path(request: Request | None, token: str | None) -> str:
    root = request.scope.get("root_path", "") if request is not None else ""
    return f"{root}/buyer/{token}"


def back_to_page(request: Request, token: str, language: str, done: str) -> RedirectResponse:
    query = urlencode({"lang": language, "done": done})
    return RedirectResponse(f"{page_path(request, token)}?{query}", 303, headers=HEADERS)


def accepted_language(request: Request) -> str | None:
    """The first of the page's languages the browser asks for (Accept-Language)."""
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return None
