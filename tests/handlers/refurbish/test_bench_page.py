"""The technician's bench page in real headless Chromium (Debian's package, driven by
Playwright), served by refurbish on a port of its own over the real PostgreSQL, signed in
through the tests' issuer as the demo technician (Boston and Nuremberg): a unit found by
scanning its RMA, its checklist filled by keyboard with a photo, graded by the rubric,
overridden with a reason and routed (a double tap recorded once); the relabel task it
opens, its FNSKU label as ZPL (parsed by its commands) and PDF (decoded); a repair done and
a lot closed; the same without JavaScript; the network gone mid-form; a 10-inch tablet and
a phone; each of the four languages; axe-core in the page (no serious or critical
violation). A screenshot of each view lands in tests/artifacts/."""

import re
import struct
import zlib
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from services.refurbish.app import create_app
from services.refurbish.domain.bench_words import LANGUAGES, TEXTS
from tests.factories import ISSUER, TECHNICIAN
from tests.handlers.conftest import api_of
from tests.handlers.refurbish.conftest import SPEAKER, TEE, outbox, received
from tests.integration.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, served
from tests.unit.shared.test_labels import barcodes_of, page_sizes, text_of
from tests.zpl_reading import code128_width, fits, read_zpl

AXE = Path(__file__).parents[2] / "integration" / "vendor" / "axe.min.js"
TABLET = {"width": 1280, "height": 800}  # a 10-inch tablet, landscape
PHONE = {"width": 390, "height": 844}
TECHNICIAN_PERSONA = "demo-technician"


def png(width: int = 8, height: int = 8) -> bytes:
    """A small grey PNG, as a camera's photo would arrive (a real image the page can show)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
async def bench(settings):
    """Refurbish's app, its API for the test and its page on a port for the browser."""
    app = create_app(settings)
    async with api_of(app, "refurbish") as api, served(app) as url:
        ISSUER.redirect_origins.add(url)
        api.url = url
        yield api
        ISSUER.redirect_origins.discard(url)


@pytest.fixture
async def browser():
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


async def new_page(browser: Browser, viewport=TABLET, javascript=True) -> Page:
    context = await browser.new_context(
        viewport=viewport,
        java_script_enabled=javascript,
        bypass_csp=True,  # axe, injected
    )
    page = await context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


async def signed_in(page: Page, url: str) -> None:
    """Signed out, the page offers the sign-in: at the issuer's page, the demo technician."""
    await page.goto(f"{url}/bench")
    await page.click("#sign-in")
    await page.click(f"button[name=persona][value='{TECHNICIAN_PERSONA}']")
    await page.wait_for_url(f"{url}/bench/queue")


async def no_serious_violations(page: Page) -> None:
    """axe-core, run in the page: no serious or critical accessibility violation."""
    await page.add_script_tag(path=str(AXE))
    violations = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target)}))"
    )
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, serious


async def looked_at_with_axe(browser: Browser, url: str, path: str) -> None:
    """A page of the bench checked by axe-core in a browser that runs scripts."""
    page = await new_page(browser)
    await signed_in(page, url)
    await page.goto(f"{url}{path}")
    await no_serious_violations(page)
    await page.context.close()


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"bench-{name}.png"), full_page=True)


async def focused_name(page: Page) -> str:
    return await page.evaluate("document.activeElement && document.activeElement.name")


async def fill_checklist(
    page: Page, cosmetic: str, failing: tuple[str, ...] = (), advancing: bool = True
) -> None:
    """The electronics checklist filled: with the page's script, each choice made moves the
    focus to the next question by itself."""
    await page.check(f"input[name=cosmetic][value={cosmetic}]")
    for test in ("powers_on", "charges", "buttons", "audio", "connectivity"):
        if advancing:
            assert await focused_name(page) == f"test:{test}", test
        await page.check(
            f"input[name='test:{test}'][value={'fail' if test in failing else 'pass'}]"
        )
    await page.check("input[name=accessories][value=yes]")
    await page.check("input[name=packaging][value=original_opened]")


async def test_a_unit_is_scanned_filled_graded_overridden_with_a_reason_and_routed(bench, browser):
    inspection = await received(bench, SPEAKER)
    page = await new_page(browser)
    await signed_in(page, bench.url)
    await expect(page.locator("#queue")).to_contain_text(inspection["rma_id"])
    await no_serious_violations(page)
    await shot(page, "queue-tablet")

    # The scanner types the RMA into the focused field and presses Enter.
    await expect(page.locator("#code")).to_be_focused()
    await page.keyboard.type(inspection["rma_id"])
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/bench/inspections/insp-"))
    await expect(page.locator("input[name=cosmetic]").first).to_be_focused()

    await fill_checklist(page, "light")
    await page.set_input_files(
        "#photo", {"name": "unit.png", "mimeType": "image/png", "buffer": png()}
    )
    await page.fill("#notes", "Light scuff on the grille")
    await no_serious_violations(page)
    await shot(page, "checklist-tablet")
    await page.click("#checklist button[type=submit]")

    # The rubric's grade, why it missed A, where the unit would go and what it would net.
    await expect(page.locator("#grade")).to_have_attribute("data-grade", "B")
    await expect(page.locator("#reasons")).to_contain_text("cosmetic: Light, A needs None")
    await expect(page.locator("#alternatives tbody tr")).to_have_count(6)
    await expect(page.locator("#expects")).to_contain_text("$")
    await expect(page.locator(".photos img")).to_have_count(1)
    shown = await page.eval_on_selector(
        ".photos img", "img => img.decode().then(() => img.naturalWidth)"
    )
    assert shown == 8  # the photo taken, served back from the unit's inspection
    await no_serious_violations(page)
    await shot(page, "review-tablet")

    # Overridden to A with a reason; tapped twice, recorded once.
    await page.check("input[name=override_grade][value=A]")
    await page.fill("#override_reason", "Scuff polished out: like new")
    await page.dblclick("#override button[type=submit]")
    await page.wait_for_url(re.compile(r"\?done=recorded$"))
    await expect(page.locator("#grade")).to_have_attribute("data-grade", "A")
    await expect(page.locator("#overridden")).to_contain_text("Scuff polished out: like new")
    await expect(page.locator("#route-heading")).to_contain_text("Relist as new")
    await shot(page, "result-tablet")
    kept = (
        await bench.get(f"/inspections/{inspection['inspection_id']}", headers=TECHNICIAN)
    ).json()
    assert (kept["grade"], kept["computed_grade"], kept["status"]) == ("A", "B", "decided")
    assert kept["override_reason"] == "Scuff polished out: like new"
    assert kept["technician"] == "Demo technician, Boston and Nuremberg"
    graded = [
        e for e in await outbox(bench, inspection["case_id"]) if e["type"] == "refurbish.graded"
    ]
    assert len(graded) == 1

    # Its relabel task, with the FNSKU label for the Zebra printer and for paper.
    await page.click("nav a[href='/bench/relabel']")
    task = page.locator(f"#relabel li[data-inspection='{inspection['inspection_id']}']")
    await expect(task).to_contain_text(SPEAKER.title)
    zpl = await page.request.get(
        f"{bench.url}/bench/relabel/{inspection['inspection_id']}/label.zpl"
    )
    assert zpl.ok and zpl.headers["content-type"] == "application/zpl"
    label = read_zpl(await zpl.text())
    [barcode] = label.barcodes("code128")
    fnsku = barcode.data
    assert fnsku and barcode.x + code128_width(barcode) <= label.width
    assert SPEAKER.title in " ".join(label.texts()) and "New" in label.texts()
    assert all(fits(label, f) for f in label.fields if f.font)
    pdf = await page.request.get(
        f"{bench.url}/bench/relabel/{inspection['inspection_id']}/label.pdf"
    )
    body = await pdf.body()
    assert page_sizes(body) == [(162, 90)]
    assert set(barcodes_of(body).values()) == {fnsku}
    assert text_of(body).startswith(fnsku)
    await no_serious_violations(page)
    await shot(page, "relabel-tablet")
    await task.locator("button").click()
    await expect(page.get_by_role("status")).to_have_text(TEXTS["done_relabel"]["en"])
    assert not page.errors, page.errors


async def test_without_javascript_the_forms_still_grade_repair_and_close_a_lot(bench, browser):
    faulty, worn = await received(bench, SPEAKER), await received(bench, TEE)
    elsewhere = await received(bench, SPEAKER, warehouse="RNO1")  # not the technician's shop
    page = await new_page(browser, javascript=False)
    await signed_in(page, bench.url)
    await expect(page.locator("#queue")).to_contain_text(faulty["rma_id"])
    await expect(page.locator("#queue")).not_to_contain_text(elsewhere["rma_id"])
    other = await page.goto(f"{bench.url}/bench/inspections/{elsewhere['inspection_id']}")
    assert other.status == 404

    # A fault the shop repairs: the unit goes to repair, the repair is done.
    await page.goto(f"{bench.url}/bench/inspections/{faulty['inspection_id']}")
    await fill_checklist(page, "none", failing=("charges",), advancing=False)
    await page.fill("#fault", "charging port loose")
    await page.click("#checklist button[type=submit]")
    await expect(page.locator("#route-heading")).to_contain_text("Repair first")
    await page.click("#confirm button")
    await expect(page.get_by_role("status")).to_have_text(TEXTS["done_recorded"]["en"])
    await page.goto(f"{bench.url}/bench/repairs")
    job = page.locator("#repairs li", has_text=faulty["case_id"])
    await shot(page, "repairs-tablet")
    await looked_at_with_axe(browser, bench.url, "/bench/repairs")
    await job.locator("button").click()
    await expect(page.locator("#repairs-done")).to_contain_text(faulty["case_id"])
    reopened = (
        await bench.get(f"/inspections/{faulty['inspection_id']}", headers=TECHNICIAN)
    ).json()
    assert (reopened["status"], reopened["repairs_done"]) == ("open", 1)

    # A worn shirt goes to a liquidation lot, which is closed.
    await page.goto(f"{bench.url}/bench/inspections/{worn['inspection_id']}")
    await page.check("input[name=cosmetic][value=moderate]")
    for test in ("seams_intact", "no_odour_or_stains", "tags_attached"):
        await page.check(f"input[name='test:{test}'][value=pass]")
    await page.check("input[name=accessories][value=yes]")
    await page.check("input[name=packaging][value=missing]")
    await page.click("#checklist button[type=submit]")
    await expect(page.locator("#route-heading")).to_contain_text("Liquidation lot")
    await page.click("#confirm button")
    await page.goto(f"{bench.url}/bench/lots")
    lot = page.locator("#lots li", has_text="Apparel")
    await shot(page, "lots-tablet")
    await looked_at_with_axe(browser, bench.url, "/bench/lots")
    await lot.first.locator("button").click()
    await expect(page.get_by_role("status")).to_have_text(TEXTS["done_lot"]["en"])

    # A form from elsewhere, without the session's form token, is refused.
    forged = await page.request.post(
        f"{bench.url}/bench/repairs/rep-nope/done", form={"form_token": "forged"}
    )
    assert forged.status == 403


async def test_with_the_network_gone_the_form_is_kept_and_says_so(bench, browser):
    inspection = await received(bench, SPEAKER)
    page = await new_page(browser)
    await signed_in(page, bench.url)
    await page.goto(f"{bench.url}/bench/inspections/{inspection['inspection_id']}")
    await fill_checklist(page, "none")
    await page.context.set_offline(True)
    await page.click("#checklist button[type=submit]")
    await expect(page.locator("#offline")).to_be_visible()
    await expect(page.locator("#offline")).to_contain_text(TEXTS["offline"]["en"][:20])
    assert page.url.endswith(inspection["inspection_id"])
    await expect(page.locator("input[name=cosmetic][value=none]")).to_be_checked()
    await shot(page, "offline-tablet")

    await page.context.set_offline(False)
    await expect(page.locator("#offline")).to_be_hidden()
    # Even a reload keeps what was entered, until it is sent.
    await page.fill("#fault", "")
    await page.reload()
    await expect(page.locator("input[name=cosmetic][value=none]")).to_be_checked()
    await expect(page.locator("input[name='test:audio'][value=pass]")).to_be_checked()
    await page.click("#checklist button[type=submit]")
    await expect(page.locator("#grade")).to_have_attribute("data-grade", "A")
    assert not page.errors, page.errors


@pytest.mark.parametrize("language", LANGUAGES)
async def test_on_a_phone_in_each_language(bench, browser, language):
    inspection = await received(bench, SPEAKER, warehouse="NUE1")
    page = await new_page(browser, viewport=PHONE)
    await signed_in(page, bench.url)
    await page.click(f"nav.languages a[hreflang={language}]")
    await page.wait_for_url(f"{bench.url}/bench/queue")
    await expect(page.locator("html")).to_have_attribute("lang", language)
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        TEXTS["queue_heading"][language]
    )
    await expect(page.locator("#queue")).to_contain_text(inspection["rma_id"])
    await no_serious_violations(page)
    await shot(page, f"queue-phone-{language}")

    await page.goto(f"{bench.url}/bench/inspections/{inspection['inspection_id']}")
    await expect(page.locator("#checklist button[type=submit]")).to_have_text(
        TEXTS["grade_it"][language]
    )
    # Touch targets a thumb can hit: every choice and button at least 44 px high.
    heights = await page.eval_on_selector_all(
        "label.choice, button", "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert min(heights) >= 44, heights
    await no_serious_violations(page)
    await shot(page, f"checklist-phone-{language}")
    # The choice is kept: a new visit speaks the same language.
    await page.goto(f"{bench.url}/bench/queue")
    await expect(page.locator("html")).to_have_attribute("lang", language)
    assert not page.errors, page.errors
