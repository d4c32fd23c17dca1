"""The buyer's page in real headless Chromium (Debian's package, driven by Playwright),
served by the intake of the running stack, which asks the running resolution and
fulfillment: in each of the five languages a buyer opens their link and accepts a partial
refund; another declines, accepts the next offer and rates the outcome; an expired and a
tampered link; a phone-sized screen, the keyboard and a photo of the damage; a return's
label downloaded and its pickup booked; a larger size picked for an exchange of a Shopify
order, which fulfillment then ships; axe-core run in the page finds no serious or critical
violation. A screenshot of each view lands in
tests/artifacts/."""

import json
import re
import time
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from deploy.emulators.shopify.orders import emulated_order, return_request, variants_of
from services.intake.channels.shopify.webhook import request_key_of
from services.intake.domain.buyer_page import KEEPS, REMEDY_NAMES, TEXTS
from services.intake.domain.opening import case_id_of
from tests.conftest import eventually
from tests.factories import AGENT, webhook
from tests.integration.browser import ARTIFACTS
from tests.integration.conftest import count_stock, offers_of
from tests.integration.test_case_flow import (
    answer_offer,
    decline_repair_and_replacement,
    open_case,
)
from tests.integration.test_channels import SHOP, shop_has_return, shopify_headers

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
MARKET_OF = {"en": "US", "de": "DE", "fr": "FR", "es": "ES", "it": "IT"}
SCRATCHED = {
    "en": "The lid arrived scratched",
    "de": "Der Deckel kam zerkratzt an",
    "fr": "Le couvercle est arrivé rayé",
    "es": "La tapa llegó rayada",
    "it": "Il coperchio è arrivato graffiato",
}
PHONE = {"width": 375, "height": 667}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def page(browser):
    # The page's Content-Security-Policy allows no script: bypassed only to inject axe-core.
    context = await browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    await context.close()
    assert not errors, f"the page raised: {errors}"


def link_to(stack, url: str, case_id: str, language: str) -> str:
    token = stack.services["intake"].context.buyer_links.page_token(case_id, language)
    return f"{url}/buyer/{token}"


async def scratched_case(clients, language: str) -> str:
    """A minor defect in the buyer's market and language: a partial refund is offered."""
    market = MARKET_OF[language]
    currency = "USD" if market == "US" else "EUR"
    item = {**webhook()["items"][0], "currency": currency}
    return await open_case(
        clients,
        market=market,
        items=[item],
        reason_code="COSMETIC_DAMAGE",
        buyer_comment=SCRATCHED[language],
        buyer_language=language,
    )


async def offer_open(
    clients, case_id: str, remedy: str | None = None, step: int | None = None
) -> dict:
    """The case's open offer (of `remedy`, or at `step`), once resolution has sent it."""

    async def open_offer():
        offers = [
            o
            for o in await offers_of(clients, case_id)
            if o["state"] == "open" and remedy in (None, o["remedy"]) and step in (None, o["step"])
        ]
        return offers[0] if offers else None

    return await eventually(open_offer, timeout=60)


async def offer_state(clients, offer_id: str, case_id: str, state: str) -> None:
    async def reached():
        offers = await offers_of(clients, case_id)
        return any(o["offer_id"] == offer_id and o["state"] == state for o in offers)

    await eventually(reached, timeout=60)


async def no_serious_violations(page: Page) -> None:
    """axe-core, run in the page: no serious or critical accessibility violation."""
    await page.add_script_tag(path=str(AXE))
    violations = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))"
    )
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, serious


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"buyers-page-{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en", "de", "fr", "es", "it"])
async def test_a_buyer_accepts_a_partial_refund_in_their_language(
    stack, clients, intake_url, page, language
):
    case_id = await scratched_case(clients, language)
    offer = await offer_open(clients, case_id, "partial_refund")
    await page.goto(link_to(stack, intake_url, case_id, language))

    await expect(page.locator("html")).to_have_attribute("lang", language)
    await expect(page.get_by_role("heading", level=1)).to_have_text(TEXTS["title"][language])
    offer_box = page.locator("section", has=page.locator("#offer-heading"))
    await expect(offer_box).to_contain_text(REMEDY_NAMES["partial_refund"][language])
    await expect(offer_box).to_contain_text(KEEPS["partial_refund"][language])
    await expect(offer_box.locator(".amount")).to_contain_text("$" if language == "en" else "€")
    await expect(offer_box).to_contain_text(TEXTS["rights_always"][language])
    await no_serious_violations(page)
    await shot(page, f"offer-{language}")

    accept = page.get_by_role("button", name=TEXTS["accept"][language])
    await accept.click()
    await expect(page.get_by_role("status")).to_contain_text(TEXTS["done_accept"][language])
    await offer_state(clients, offer["offer_id"], case_id, "accepted")
    await page.reload()
    await expect(offer_box).to_contain_text(TEXTS["no_offer"][language])
    await shot(page, f"accepted-{language}")


async def test_decline_then_accept_the_next_offer_then_rate(stack, clients, intake_url, page):
    # A speaker missing a part: a troubleshooting guide first, then the next remedy.
    case_id = await open_case(clients, reason_code="MISSING_PART")
    first = await offer_open(clients, case_id, "troubleshooting")
    await page.goto(link_to(stack, intake_url, case_id, "en"))
    # The buyer reads it in German instead.
    await page.get_by_role("link", name="Deutsch").click()
    await expect(page.locator("html")).to_have_attribute("lang", "de")
    await page.get_by_role("button", name=TEXTS["decline"]["de"]).click()
    await expect(page.get_by_role("status")).to_contain_text(TEXTS["done_decline"]["de"])
    await offer_state(clients, first["offer_id"], case_id, "declined")

    following = await offer_open(clients, case_id, step=2)
    await page.reload()
    offer_box = page.locator("section", has=page.locator("#offer-heading"))
    await expect(offer_box).to_contain_text(REMEDY_NAMES[following["remedy"]]["de"])
    await shot(page, "next-offer")
    await page.get_by_role("button", name=TEXTS["accept"]["de"]).click()
    await expect(page.get_by_role("status")).to_contain_text(TEXTS["done_accept"]["de"])
    await offer_state(clients, following["offer_id"], case_id, "accepted")

    await page.get_by_label("4 von 5").check()
    await page.get_by_label(TEXTS["comment"]["de"]).fill("Schnell und fair — merci! 👍")
    await page.get_by_role("button", name=TEXTS["send_rating"]["de"]).click()
    await expect(page.get_by_role("status")).to_contain_text(TEXTS["done_rating"]["de"])
    await expect(page.locator("body")).to_contain_text("Ihre Bewertung: 4 von 5")
    await no_serious_violations(page)
    await shot(page, "rated")


async def test_an_expired_and_a_tampered_link(stack, clients, intake_url, page):
    case_id = await scratched_case(clients, "fr")
    url = link_to(stack, intake_url, case_id, "fr")
    tampered = url[:-3] + ("xyz" if not url.endswith("xyz") else "abc")
    answer = await page.goto(tampered)
    assert answer.status == 404
    await expect(page.get_by_role("alert")).to_contain_text(TEXTS["link_bad"]["en"])
    await no_serious_violations(page)
    await shot(page, "tampered")

    links = stack.services["intake"].context.buyer_links
    kept, links.max_age = links.max_age, 0
    try:
        time.sleep(1.1)  # the link's timestamp counts whole seconds
        answer = await page.goto(url)
    finally:
        links.max_age = kept
    assert answer.status == 410
    await expect(page.get_by_role("alert")).to_contain_text(
        TEXTS["link_expired"]["en"].split(".")[0]
    )
    await shot(page, "expired")


async def test_on_a_phone_by_keyboard(stack, clients, browser, intake_url):
    case_id = await scratched_case(clients, "it")
    await offer_open(clients, case_id, "partial_refund")
    context = await browser.new_context(viewport=PHONE, is_mobile=True, bypass_csp=True)
    page = await context.new_page()
    await page.goto(link_to(stack, intake_url, case_id, "it"))

    # Nothing wider than the screen; the buttons big enough for a thumb.
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    accept = page.get_by_role("button", name=TEXTS["accept"]["it"])
    box = await accept.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44 and box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]

    # The keyboard reaches the languages, then accept, then decline, then the rating.
    order = []
    for _ in range(12):
        await page.keyboard.press("Tab")
        order.append(await page.evaluate("document.activeElement.textContent.trim()"))
    assert order[:5] == ["English", "Deutsch", "Français", "Español", "Italiano"]
    assert order.index(TEXTS["accept"]["it"]) < order.index(TEXTS["decline"]["it"])
    await no_serious_violations(page)
    await shot(page, "phone")

    # A scratched lid: the buyer adds a photo from the phone.
    photo = {"name": "lid.png", "mimeType": "image/png", "buffer": PNG}
    await page.get_by_label(TEXTS["photo"]["it"]).set_input_files(photo)
    await page.get_by_role("button", name=TEXTS["send_photo"]["it"]).click()
    await expect(page.get_by_role("status")).to_contain_text(TEXTS["done_photo"]["it"])
    await expect(page.locator("body")).to_contain_text("Foto aggiunte: 1")
    listed = await clients["intake"].get(f"/cases/{case_id}/photos", headers=AGENT)
    assert [p["content_type"] for p in listed.json()] == ["image/png"]
    await context.close()


async def test_a_return_s_label_downloaded_and_its_pickup_booked(stack, clients, intake_url, page):
    # A speaker that stopped charging: the part and a new unit declined, a return with a
    # full refund.
    case_id = await open_case(clients, reason_code="DEFECTIVE")
    await decline_repair_and_replacement(clients, case_id)

    async def return_issued():
        answer = await clients["fulfillment"].get(
            "/returns", params={"case_id": case_id}, headers=AGENT
        )
        return answer.json() if answer.status_code == 200 else None

    parcel = await eventually(return_issued, timeout=60)
    await page.goto(link_to(stack, intake_url, case_id, "en"))
    section = page.locator("section", has=page.locator("#return-heading"))
    async with page.expect_download() as downloading:
        await section.get_by_role("link", name=TEXTS["download_label"]["en"]).click()
    download = await downloading.value
    label = Path(await download.path()).read_bytes()
    assert label.startswith(b"%PDF")

    await section.get_by_role("radio").first.check()
    await section.get_by_role("button", name=TEXTS["confirm"]["en"]).click()
    await expect(page.get_by_role("status")).to_contain_text(TEXTS["done_pickup"]["en"])
    await expect(section).to_contain_text("Collection booked:")
    booked = await clients["fulfillment"].get(f"/returns/{parcel['rma_id']}", headers=AGENT)
    assert booked.json()["pickup_day"]
    await no_serious_violations(page)
    await shot(page, "return")


def apparel_order_in_the_us(start: int, worth: float = 40.0) -> int:
    """An emulated order shipped to the US whose first line is clothing (sizes to pick),
    worth at least `worth` dollars: a cheaper garment is refunded for the buyer to keep,
    which costs the seller less than an exchange, so no exchange is offered."""
    order_id = start
    while True:
        order = emulated_order(order_id)
        product = order.lines[0].product
        if order.buyer.country == "US" and product.category == "apparel" and product.price >= worth:
            return order_id
        order_id += 1


async def test_pick_an_exchange_variant(stack, clients, emulators, intake_url, page):
    # Too small: the shop (emulated Shopify) offers an exchange; the buyer takes a larger size.
    order_id = apparel_order_in_the_us(uuid.uuid4().int % 10**12)
    bought = emulated_order(order_id).lines[0].product
    larger = next(v for v in variants_of(bought) if v.value == "L")
    await count_stock(clients["fulfillment"], larger.sku)
    body = return_request(order_id, uuid.uuid4().int % 10**12, [("size_too_small", "Too tight")])
    await shop_has_return(emulators, body)
    raw = json.dumps(body).encode()
    headers = shopify_headers("returns/request", raw, str(uuid.uuid4()))
    answer = await clients["intake"].post("/webhooks/shopify", content=raw, headers=headers)
    assert answer.status_code == 202, answer.text
    case_id = case_id_of("shopify", request_key_of(raw), account=SHOP)
    offer = await offer_open(clients, case_id, "exchange")

    await page.goto(link_to(stack, intake_url, case_id, "en"))
    offer_box = page.locator("section", has=page.locator("#offer-heading"))
    variants = offer_box.get_by_role("group", name=TEXTS["choose_variant"]["en"])
    difference = f"you pay ${larger.price - bought.price:.2f} more"
    await expect(variants).to_contain_text(f"L ({larger.sku}): {difference}")
    sold_out = next(v for v in variants_of(bought) if not v.inventory)
    await expect(variants).not_to_contain_text(sold_out.sku)
    too_dear = variants.get_by_role("radio", name=re.compile(r"^XL \("))
    await expect(too_dear).to_be_disabled()
    await no_serious_violations(page)
    await shot(page, "exchange-variants")

    await variants.get_by_role("radio", name=re.compile(r"^L \(")).check()
    await offer_box.get_by_role("button", name=TEXTS["accept"]["en"]).click()
    await expect(page.get_by_role("status")).to_contain_text(TEXTS["done_accept"]["en"])
    await offer_state(clients, offer["offer_id"], case_id, "accepted")

    async def shipped():
        response = await clients["fulfillment"].get(
            "/shipments", params={"case_id": case_id}, headers=AGENT
        )
        return response.json()

    [shipment] = await eventually(shipped, timeout=60)
    assert shipment["remedy"] == "exchange"
    assert [line["sku"] for line in shipment["pick_list"]] == [larger.sku]


async def test_a_replacement_shows_the_same_item_and_no_picker(stack, clients, intake_url, page):
    # A faulty speaker: after the part, a new unit of the same model is offered. The seller's
    # shop sent the speaker's other variants with the item, yet a replacement offers none.
    variants = [
        {"sku": "BT-SPK-200-BLK", "title": "Black", "price": "49.99"},
        {"sku": "BT-SPK-200-WHT", "title": "White", "price": "47.99"},
    ]
    item = {**webhook()["items"][0], "variants": variants}
    await count_stock(clients["fulfillment"], item["sku"])
    case_id = await open_case(
        clients, order_id=f"R-{uuid.uuid4().hex[:10]}", items=[item], reason_code="DEFECTIVE"
    )
    await answer_offer(clients, case_id, "decline", "part_shipment")
    offer = await offer_open(clients, case_id, "exchange")

    await page.goto(link_to(stack, intake_url, case_id, "en"))
    offer_box = page.locator("section", has=page.locator("#offer-heading"))
    same = TEXTS["replacement"]["en"].format(item=item["title"])
    await expect(offer_box.locator("p.replacement")).to_have_text(same)
    await expect(offer_box.get_by_role("radio")).to_have_count(0)
    await expect(offer_box).not_to_contain_text("BT-SPK-200-WHT")
    await no_serious_violations(page)
    await shot(page, "replacement")

    await offer_box.get_by_role("button", name=TEXTS["accept"]["en"]).click()
    await expect(page.get_by_role("status")).to_contain_text(TEXTS["done_accept"]["en"])
    await offer_state(clients, offer["offer_id"], case_id, "accepted")

    async def shipped():
        response = await clients["fulfillment"].get(
            "/shipments", params={"case_id": case_id}, headers=AGENT
        )
        return response.json()

    [shipment] = await eventually(shipped, timeout=60)
    assert shipment["remedy"] == "exchange"
    assert [line["sku"] for line in shipment["pick_list"]] == [item["sku"]]
