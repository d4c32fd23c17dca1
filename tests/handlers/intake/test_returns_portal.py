"""The returns portal (`handlers/returns_portal.py`) over the real PostgreSQL, with the
orders of the emulated Shopify Admin API and the generic channel's own API
(`deploy/emulators/`): the lookup, its one answer for any mismatch and its throttle, the
lines left to return, and the case started once however often the form is sent."""

import re
import uuid
from html import unescape

import pytest
from sqlalchemy import text

from deploy.emulators.shopify.orders import emulated_order, recent_order_ids
from services.intake.domain.case import Channel
from services.intake.handlers import returns_portal
from services.intake.tables import DeliveryRecord
from services.intake.workers.deliveries import DeliveryWorker
from tests.factories import AGENT
from tests.handlers.intake.conftest import forget_deliveries, running_intake

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def no_wait(monkeypatch):
    """No delivery worker runs here: the test applies deliveries itself."""
    monkeypatch.setattr(returns_portal, "CASE_WAIT_SECONDS", 0.0)


@pytest.fixture
async def intake(settings):
    """Intake with time for the emulated Shopify (a thread of this process) to answer its
    order reads on a busy machine."""
    async with running_intake(settings, marketplace_timeout_seconds=10) as client:
        yield client


@pytest.fixture
async def shop(intake):
    domain = f"shop-{uuid.uuid4().hex[:8]}.myshopify.com"
    body = {
        "channel": "shopify",
        "account": domain,
        "seller": "linen-home",
        "secrets": [f"shpss_{uuid.uuid4().hex}"],
        "credentials": {"access_token": f"shpat_{uuid.uuid4().hex}"},
    }
    assert (await intake.post("/channel-accounts", json=body, headers=AGENT)).status_code == 201
    yield domain
    await forget_deliveries(intake, domain)


def order_of(domain: str):
    return emulated_order(recent_order_ids(domain)[0])


async def lookup(intake, shop: str, number: str, contact: str, lang: str = "en"):
    form = {"number": number, "contact": contact, "lang": lang}
    return await intake.post(f"/returns/{shop}/order", data=form)


def form_of(page: str) -> dict[str, str]:
    return {
        name: unescape(value)
        for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page)
    }


async def submit(intake, shop: str, form: dict, photo: bytes | None = None):
    # A browser sends the file field empty when no file was chosen.
    files = {"photo": ("photo.jpg", photo, "image/jpeg") if photo else ("", b"", "")}
    return await intake.post(f"/returns/{shop}/case", data=form, files=files)


async def apply_deliveries(intake, channel: Channel, account: str) -> None:
    worker = DeliveryWorker(intake.service.context, (channel,))
    worker.due += (DeliveryRecord.__table__.c.account == account,)
    worker.jitter = lambda: 0.0
    await worker.work_once()


def case_linked(intake, html: str) -> str:
    """The case the page's link to a buyer's page opens (the link's date changes)."""
    token = re.search(r'href="/buyer/([^"?]+)', html).group(1)
    return intake.service.context.buyer_links.open_page(token).case_id


async def deliveries_of(intake, account: str) -> list[str]:
    async with intake.service.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT delivery_id FROM intake.deliveries WHERE account = :a"), {"a": account}
        )
        return [row.delivery_id for row in rows]


async def test_the_start_page_speaks_the_buyers_language_and_knows_only_portal_shops(intake, shop):
    german = await intake.get(f"/returns/{shop}", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert german.status_code == 200 and 'lang="de"' in german.text
    assert "Bestellnummer" in german.text
    french = await intake.get(f"/returns/{shop}?lang=fr", headers={"Accept-Language": "de"})
    assert "Numéro de commande" in french.text
    handle = shop.removesuffix(".myshopify.com")
    assert (await intake.get(f"/returns/{handle}")).status_code == 200
    unknown = await intake.get("/returns/nobody-here.myshopify.com")
    assert unknown.status_code == 404 and "no returns page" in unknown.text
    for odd in ("%F0%9F%92%A5", "x" * 300, "%FF%FE"):
        answer = await intake.get(f"/returns/{odd}?lang=xx")
        assert answer.status_code == 404 and "no returns page" in answer.text
    for nul in ("/returns/%00", f"/returns/{handle}?lang=%00"):  # refused at the edge
        assert (await intake.get(nul)).status_code == 422


async def test_a_shopify_order_is_found_by_its_number_and_email_or_postcode(intake, shop):
    order = order_of(shop)
    by_email = await lookup(intake, shop, order.name, order.buyer.email.upper())
    assert by_email.status_code == 200, by_email.text
    for line in order.lines:
        assert line.product.title in unescape(by_email.text)
    number = order.name.removeprefix("#")
    by_postcode = await lookup(intake, shop, number, order.buyer.postal_code)
    assert by_postcode.status_code == 200, by_postcode.text


async def test_a_wrong_number_and_a_wrong_email_get_the_same_answer(intake, shop):
    order = order_of(shop)
    wrong_email = await lookup(intake, shop, order.name, "someone.else@example.com")
    taken = {emulated_order(i).name for i in recent_order_ids(shop)}
    unknown_name = next(f"#{n}" for n in range(1000, 10000) if f"#{n}" not in taken)
    wrong_number = await lookup(intake, shop, unknown_name, order.buyer.email)
    assert wrong_email.status_code == wrong_number.status_code == 404
    typed = re.compile(r'name="(number|contact)"([^>]*) value="[^"]*"')
    assert typed.sub("", wrong_email.text) == typed.sub("", wrong_number.text)
    assert "no order with this number" in wrong_email.text


async def test_lookups_are_throttled_per_order_and_per_client(intake, shop):
    order = order_of(shop)
    answers = [
        (await lookup(intake, shop, order.name, f"guess{i}@example.com")).status_code
        for i in range(returns_portal.TRIES_PER_ORDER.amount + 1)
    ]
    assert answers == [404] * returns_portal.TRIES_PER_ORDER.amount + [429]
    # Even the right e-mail is refused now: guessing cannot go on.
    throttled = await lookup(intake, shop, order.name, order.buyer.email)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "60"
    left = returns_portal.TRIES_PER_CLIENT.amount - returns_portal.TRIES_PER_ORDER.amount - 2
    for i in range(left):
        assert (await lookup(intake, shop, f"#{90000 + i}", "x@example.com")).status_code == 404
    assert (await lookup(intake, shop, "#99999", "x@example.com")).status_code == 429


@pytest.mark.parametrize(
    "number,contact",
    [
        ("", "a@example.com"),
        ("9" * 400, "a@example.com"),
        ("#1001", ""),
        ("#1001", "ä" * 300),
        ("💥", "a@example.com"),
    ],
)
async def test_bad_lookups_get_a_page_saying_what_to_fix(intake, shop, number, contact):
    answer = await lookup(intake, shop, number, contact)
    assert answer.status_code == 422 and 'role="alert"' in answer.text


@pytest.mark.parametrize("number,contact", [("12\x0034", "a@example.com"), ("#1001", "\x00")])
async def test_a_lookup_with_a_nul_is_refused_at_the_edge(intake, shop, number, contact):
    answer = await lookup(intake, shop, number, contact)
    assert answer.status_code == 422 and "NUL" in answer.text


async def test_a_double_submit_opens_one_case_and_claimed_lines_are_refused(intake, shop):
    order = order_of(shop)
    page = await lookup(intake, shop, order.name, order.buyer.email)
    every = str(order.lines[0].quantity)
    form = form_of(page.text) | {"qty-0": every, "reason": "damaged", "words": "Kaputt 💔"}
    first = await submit(intake, shop, form, JPEG)
    again = await submit(intake, shop, form, JPEG)
    assert first.status_code == again.status_code == 202, first.text
    case_id = case_linked(intake, first.text)
    assert case_linked(intake, again.text) == case_id
    assert len(await deliveries_of(intake, shop)) == 1

    await apply_deliveries(intake, Channel.SHOPIFY, shop)
    landed = await submit(intake, shop, form, JPEG)
    assert landed.status_code == 303
    assert case_linked(intake, f'href="{landed.headers["location"]}"') == case_id
    photos = await intake.get(f"/cases/{case_id}/photos", headers=AGENT)
    assert [photo["content_type"] for photo in photos.json()] == ["image/jpeg"]
    case_page = await intake.get(landed.headers["location"])
    assert case_page.status_code == 200

    fresh_page = await lookup(intake, shop, order.name, order.buyer.email)
    assert fresh_page.status_code == 200 and "Already in a return" in fresh_page.text
    fresh = form_of(fresh_page.text)
    claimed_again = await submit(intake, shop, fresh | {"qty-0": "1", "reason": "damaged"})
    assert claimed_again.status_code == 409
    assert "already in a return" in claimed_again.text
    assert len(await deliveries_of(intake, shop)) == 1


@pytest.mark.parametrize(
    "changes,sentence",
    [
        ({"qty-0": "0"}, "choose at least one item"),
        ({"qty-0": "-1"}, "enter a quantity"),
        ({"qty-0": "9" * 50}, "enter a quantity"),
        ({"qty-0": "1", "reason": "not-a-reason"}, "choose a reason"),
        ({"qty-0": "1", "words": "x" * 2001}, "at most 2,000 characters"),
        ({"qty-0": "1", "key": "short"}, "could not be read"),
        ({"qty-0": "1", "key": "\x00" * 20}, "could not be read"),
    ],
)
async def test_bad_submits_get_a_page_saying_what_to_fix(intake, shop, changes, sentence):
    order = order_of(shop)
    form = form_of((await lookup(intake, shop, order.name, order.buyer.email)).text)
    answer = await submit(intake, shop, form | {"reason": "changed_mind"} | changes)
    assert answer.status_code == 422 and sentence in answer.text
    assert await deliveries_of(intake, shop) == []


async def test_a_photo_that_is_not_one_or_too_large_is_refused(intake, shop):
    order = order_of(shop)
    form = form_of((await lookup(intake, shop, order.name, order.buyer.email)).text)
    form |= {"qty-0": "1", "reason": "damaged"}
    not_an_image = await submit(intake, shop, form, b"not an image")
    assert not_an_image.status_code == 415 and "not a JPEG, PNG or WebP" in not_an_image.text
    huge = JPEG + b"\x00" * (6 * 1024 * 1024)
    assert (await submit(intake, shop, form, huge)).status_code == 413
    not_needed = await submit(intake, shop, form | {"reason": "changed_mind"}, JPEG)
    assert not_needed.status_code == 409 and "needs no photos" in not_needed.text
    assert await deliveries_of(intake, shop) == []


async def test_a_generic_order_is_found_through_the_sellers_own_api(intake, seller):
    order = emulated_order(48151623)
    page = await lookup(intake, seller.account, "48151623", order.buyer.postal_code, "it")
    assert page.status_code == 200 and "Cosa restituisci?" in page.text
    form = form_of(page.text) | {"qty-0": "1", "reason": "size_too_small"}
    started = await submit(intake, seller.account, form)
    assert started.status_code == 202
    assert await deliveries_of(intake, seller.account) == [f"portal:G-48151623:{form['key']}"]
