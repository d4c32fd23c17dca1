"""A listing's published FAQ answers in real headless Chromium: a shop's product page on
another origin embeds the public page with the snippet analytics gives; the answer shows
inside the frame, styled by the page's own style (allowed by its hash), and the browser
reports no Content-Security-Policy refusal; the hostile entry shows as text."""

import uuid

import pytest
from playwright.async_api import async_playwright, expect
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.factories import AGENT
from tests.integration.browser import CHROMIUM, CHROMIUM_ARGS, served
from tests.integration.conftest import Stack

SKU = "BT-SPK-200"
HOSTILE = "<img src=x onerror=\"document.title='owned'\">Is it loud?"


@pytest.fixture
async def analytics(settings):
    """Analytics alone, as the stack runs it."""
    stack = Stack(settings)
    await stack.start("analytics")
    yield stack
    await stack.stop_all()


def shop_with(snippet: str) -> Starlette:
    """A shop's product page on an origin of its own, the snippet pasted in."""

    async def product(_):
        return HTMLResponse(f"<!doctype html><title>Shop</title><h1>Speaker</h1>{snippet}")

    return Starlette(routes=[Route("/product", product)])


async def test_a_shop_on_another_origin_embeds_the_published_answers(analytics):
    client = analytics.clients["analytics"]
    seller = f"seller-{uuid.uuid4().hex[:8]}"
    entries = {
        "e4": ("Was bedeutet Fehlercode E4?", "Der Akku ist zu kalt: drinnen laden."),
        "loud": (HOSTILE, "Sehr laut: 95 dB."),
    }
    for entry_id, (question, answer) in entries.items():
        body = {"language": "de", "question": question, "answer": answer, "covers": []}
        path = f"/faq/{seller}/{SKU}/{entry_id}"
        assert (await client.put(path, json=body, headers=AGENT)).status_code == 200
        assert (await client.put(f"{path}/publication", headers=AGENT)).status_code == 200

    async with served(analytics._lifespans["analytics"].app) as analytics_url:
        given = await client.get(
            f"/faq/{seller}/{SKU}/embed", params={"language": "de"}, headers=AGENT
        )
        # The snippet names the page as the client reached it; the browser reaches it here.
        snippet = given.json()["snippet"].replace("http://analytics", analytics_url)
        async with served(shop_with(snippet)) as shop_url, async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = await browser.new_page()
            refusals: list[str] = []
            page.on(
                "console",
                lambda message: (
                    refusals.append(message.text)
                    if "Content Security Policy" in message.text or "Refused" in message.text
                    else None
                ),
            )
            await page.goto(f"{shop_url}/product")
            frame = page.frame_locator("iframe")
            question = frame.locator("dt").first
            await expect(question).to_have_text("Was bedeutet Fehlercode E4?")
            await expect(question).to_have_css("font-weight", "600")  # the page's own style
            await expect(frame.locator("dt").nth(1)).to_have_text(HOSTILE)
            await expect(frame.locator("img")).to_have_count(0)
            await expect(frame.locator("h1")).to_have_text("Fragen und Antworten")
            assert await page.title() == "Shop"
            await browser.close()
    assert refusals == []
