"""The returns portal in real headless Chromium on a phone-sized screen, served by the intake
of the running stack: a buyer of the Shopify shop (German, from the browser's language) and
one of the generic channel's seller (French, switched on the page) find their order by its
number and e-mail or postcode, pick a line, a reason, words and (for one) a photo, and land
on their case's page, where resolution's offer appears. axe-core finds no serious or
critical violation; a screenshot of each view lands in tests/artifacts/."""

import re
import time

from playwright.async_api import Page, expect

from deploy.emulators.shopify.orders import emulated_order, recent_order_ids
from services.intake.domain.buyer_page import TEXTS
from services.intake.domain.portal_words import REASON_WORDS, WORDS
from tests.integration.browser import ARTIFACTS
from tests.integration.test_buyers_page import PHONE, PNG, SCRATCHED, no_serious_violations

SHOP = "linen-home.myshopify.com"  # tests/samples/channel_accounts.json
GENERIC_SELLER = "test-seller"


async def phone_page(browser, locale: str) -> Page:
    context = await browser.new_context(
        viewport=PHONE, locale=locale, is_mobile=True, has_touch=True, bypass_csp=True
    )
    return await context.new_page()


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"returns-portal-{name}.png"), full_page=True)


async def start_a_return(
    page: Page, language: str, number: str, contact: str, photo: bool, name: str
) -> None:
    say = {key: words[language] for key, words in WORDS.items()}
    await expect(page.locator("html")).to_have_attribute("lang", language)
    await expect(page.get_by_role("heading", level=1)).to_have_text(say["title"])
    await no_serious_violations(page)
    await shot(page, f"{name}-start")
    await page.get_by_label(say["number"]).fill(number)
    await page.get_by_label(say["contact"]).fill(contact)
    await page.get_by_role("button", name=say["find"]).click()

    await expect(page.get_by_role("heading", name=say["items"])).to_be_visible()
    await page.locator("#qty-0").fill("1")
    await page.get_by_label(REASON_WORDS["damaged"][language], exact=True).check()
    await page.get_by_label(say["words"]).fill(SCRATCHED[language])
    if photo:
        await page.get_by_label(say["photo"]).set_input_files(
            {"name": "lid.png", "mimeType": "image/png", "buffer": PNG}
        )
    await no_serious_violations(page)
    await shot(page, f"{name}-items")
    await page.get_by_role("button", name=say["submit"]).click()

    await expect(page).to_have_url(re.compile(r"/buyer/[^/?]+\?lang="), timeout=15_000)
    await expect(page.get_by_role("heading", level=1)).to_have_text(TEXTS["title"][language])
    deadline = time.monotonic() + 60
    while await page.locator("#offer-heading").count() == 0:
        assert time.monotonic() < deadline, "no offer reached the case's page"
        await page.wait_for_timeout(1000)
        await page.reload()
    await expect(page.locator("#offer-heading")).to_have_text(TEXTS["offer"][language])
    await no_serious_violations(page)
    await shot(page, f"{name}-case")


async def test_a_shopify_buyer_starts_a_return_in_german_and_sees_an_offer(browser, intake_url):
    order = emulated_order(recent_order_ids(SHOP)[1])
    page = await phone_page(browser, "de-DE")
    await page.goto(f"{intake_url}/returns/linen-home")
    await start_a_return(
        page, "de", order.name.removeprefix("#"), order.buyer.email, True, "shopify-de"
    )
    await page.context.close()


async def test_a_generic_buyer_starts_a_return_in_french_and_sees_an_offer(browser, intake_url):
    order = emulated_order(20261204)
    page = await phone_page(browser, "en-US")
    await page.goto(f"{intake_url}/returns/{GENERIC_SELLER}")
    await page.get_by_role("link", name="Français").click()
    await start_a_return(page, "fr", "20261204", order.buyer.postal_code, False, "generic-fr")
    await page.context.close()
