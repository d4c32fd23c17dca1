"""The operations console in real headless Chromium (Debian's package, driven by
Playwright), served by the analytics of the running stack, over cases this test opens:
signed out, the page offers the sign-in; signed in through the tests' issuer, it shows who
and only their sellers' cases; the charts draw those cases, the filters narrow the live
list, a case shows its conversation with the buyer and its timeline links each event to
its trace, the what-if page replays a policy, the recovery page settles a dead letter. A
screenshot of each view lands in tests/artifacts/."""

import json
import random
import re
import uuid

import pytest
from faststream.kafka import KafkaBroker
from playwright.async_api import Page, async_playwright, expect
from sqlalchemy import select

from deploy.emulators import walmart
from services.analytics.workflows.faq_gaps import find_gaps
from services.fulfillment.tables import CarrierLabel
from services.intake.channels.shopify.webhook import request_key_of
from services.intake.domain.opening import case_id_of
from shared.messaging_tables import DeadLetterRecord, utc_now
from tests.conftest import eventually
from tests.factories import AGENT, ISSUER, TEST_SELLER_AGENT, webhook
from tests.integration.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, served
from tests.integration.conftest import offers_of
from tests.integration.test_case_flow import answer_offer, open_case
from tests.integration.test_channels import SHOP
from tests.integration.test_shopify_channel import deliver, requested_return
from tests.integration.test_walmart import PARTNER_ID, cases_of, notification, post, signed

PLATFORM_ADMIN = "platform-admin"  # the dev issuer's persona who sees every seller
SPEAKER_SKU = "BT-SPK-200-BLK"  # carelessly listed (deploy/emulators/listings.py)


@pytest.fixture
async def console_url(stack):
    """Analytics' app, as the stack runs it, served on a port of its own (where the tests'
    issuer sends its sign-ins back)."""
    async with served(stack._lifespans["analytics"].app) as url:
        ISSUER.redirect_origins.add(url)
        yield url
        ISSUER.redirect_origins.discard(url)


async def sign_in(page: Page, console_url: str, persona: str) -> None:
    """Signed out, the console offers the sign-in: at the issuer's page, `persona` chosen."""
    await page.goto(f"{console_url}/console")
    await expect(page.locator("#signed-out")).to_be_visible()
    await page.click("#sign-in")
    await page.click(f"button[name=persona][value='{persona}']")
    await page.wait_for_url(f"{console_url}/console")
    await expect(page.locator("#who")).to_be_visible()


@pytest.fixture
async def page():
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1400, "height": 1100})
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(  # what its Content-Security-Policy blocks, the browser reports here
            "console",
            lambda message: (
                errors.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        yield page
        await browser.close()
        assert not errors, f"the page raised: {errors}"


async def listing_cases(clients) -> str:
    """Five cases of one new listing: three defective in the US, two damaged in France
    (their partial refunds accepted)."""
    sku = f"LMP-{uuid.uuid4().hex[:6]}"
    item = {**webhook()["items"][0], "sku": sku, "title": "Desk Lamp"}
    for said in ("Stopped charging after two days", "It stopped charging", "Stopped charging!"):
        await open_case(clients, items=[item], reason_code="DEFECTIVE", buyer_comment=said)
    eur = {**item, "currency": "EUR"}
    for said in ("Scratched lid", "The lid arrived scratched"):
        case_id = await open_case(
            clients, market="FR", items=[eur], reason_code="COSMETIC_DAMAGE", buyer_comment=said
        )
        await answer_offer(clients, case_id, "accept", "partial_refund")  # a saving to chart

    async def all_in_analytics():
        answer = await clients["analytics"].get("/cases", params={"search": sku}, headers=AGENT)
        cases = answer.json()["cases"]
        return len(cases) == 5 and sum(c["remedy"] == "partial_refund" for c in cases) == 2

    await eventually(all_in_analytics, timeout=60)
    return sku


async def conversations_told(clients, sku: str) -> bool:
    """Whether analytics holds, for each French case of the listing, a message sent to the
    buyer before their reply."""
    analytics = clients["analytics"]
    listed = await analytics.get("/cases", params={"search": sku, "market": "FR"}, headers=AGENT)
    for case in listed.json()["cases"]:
        shown = await analytics.get(f"/cases/{case['case_id']}/conversation", headers=AGENT)
        authors = [turn["author"] for turn in shown.json()["turns"]]
        if "seller" not in authors or "buyer" not in authors:
            return False
    return True


async def chart_points(page: Page, name: str) -> int:
    canvas = page.locator(f"#chart-{name}")
    await expect(canvas).to_have_attribute("data-points", re.compile(r"^[1-9]\d*$"))
    return int(await canvas.get_attribute("data-points"))


async def test_the_console_draws_the_cases_and_follows_one_to_its_traces(
    stack, clients, console_url, page
):
    sku = await listing_cases(clients)
    await find_gaps(stack.services["analytics"])  # not waiting a sweep
    # A chargeback on one French case, its stated due date already past and never filed.
    french = await clients["analytics"].get(
        "/cases", params={"search": sku, "market": "FR"}, headers=AGENT
    )
    disputed = french.json()["cases"][0]["case_id"]
    claim = await clients["analytics"].post(
        f"/cases/{disputed}/claims",
        json={
            "kind": "chargeback",
            "amount_minor": 2500,
            "notice_at": "2026-01-05T09:00:00Z",
            "due_at": "2026-01-12T09:00:00Z",
        },
        headers=AGENT,
    )
    assert claim.status_code == 201, claim.text
    await sign_in(page, console_url, PLATFORM_ADMIN)
    due = page.locator("#claims-due tbody tr", has_text=disputed)
    await expect(due).to_have_class("alarm")
    assert (await due.locator("td").all_inner_texts())[1:] == [
        "chargeback",
        "EUR 25.00",
        "2026-01-12 09:00",
        "breached",
        "open",
    ]
    # Other tests' claims share the report: this one is the euro chargebacks' row.
    euro = page.locator("#claims-report tbody tr", has_text="chargeback").filter(has_text="EUR")
    await expect(euro).to_be_visible()

    await expect(page.locator("[data-kpi='Cases'] .value")).to_have_text(re.compile(r"^\d+$"))
    for chart in ("pareto", "markets", "savings", "clock"):
        assert await chart_points(page, chart) > 0, chart

    # The Pareto of the new listing: its two reasons, the larger first.
    await page.select_option("#pareto-listing", sku)
    reasons = await page.evaluate("Chart.getChart('chart-pareto').data.labels")
    counts = await page.evaluate("Chart.getChart('chart-pareto').data.datasets[0].data")
    assert list(zip(reasons, counts, strict=True)) == [("defective", 3), ("damaged", 2)]
    await page.select_option("#pareto-by", "reason_codes")  # the marketplace's own codes
    codes = await page.evaluate("Chart.getChart('chart-pareto').data.labels")
    assert codes == ["DEFECTIVE", "COSMETIC_DAMAGE"]
    await page.select_option("#pareto-by", "reasons")
    await expect(page.locator("#pareto-phrases")).to_have_text(
        "Buyers wrote — damaged: “lid” (2), “scratched” (2) · defective: “stopped charging” (3)"
    )

    # Three buyers returned it as defective, in English, and no FAQ entry says what to check.
    gap = page.locator("#faq-gaps tbody tr", has_text=sku)
    assert (await gap.locator("td").all_inner_texts())[:5] == [sku, "en", "defective", "", "3"]
    listing = page.locator("#listings tbody tr", has_text=sku)
    assert (await listing.locator("td").all_inner_texts())[:3] == [sku, "Desk Lamp", "5"]

    # The seller answers it and publishes the answer: the five returns came before it.
    entry = {
        "language": "en",
        "question": "It stopped charging?",
        "answer": "Hold the power button for 10 s to reset the battery guard.",
        "covers": ["defective"],
    }
    listed = await clients["analytics"].get("/cases", params={"search": sku}, headers=AGENT)
    seller = listed.json()["cases"][0]["seller_account"]
    path = f"/faq/{seller}/{sku}/charging"
    assert (await clients["analytics"].put(path, json=entry, headers=AGENT)).status_code == 200
    published = await clients["analytics"].put(f"{path}/publication", headers=AGENT)
    assert published.status_code == 200, published.text
    await page.reload()
    effect = page.locator("#faq-effect tbody tr", has_text=sku)
    await expect(effect).to_be_visible()
    assert (await effect.locator("td").all_inner_texts())[:7] == [
        sku,
        "en",
        "It stopped charging?",
        published.json()["published_at"][:16].replace("T", " "),
        "5 in 28 d",  # the French buyers wrote in English
        "0 in 0 of 28 d",
        "60.0% (3) → 0.0% (0)",
    ]

    # Filters narrow the live list: France only, then the listing's cases only.
    await page.select_option("#case-filters select[name=market]", "FR")
    await page.fill("#case-filters input[name=search]", sku)
    rows = page.locator("#case-list tbody tr")
    await expect(rows).to_have_count(2)
    assert set(await rows.locator("td:nth-child(3)").all_inner_texts()) == {"FR"}

    # One case: its facts, its conversation with the buyer (the offer sent, their accept)
    # and its timeline, every event linked to its trace.
    await eventually(lambda: conversations_told(clients, sku), timeout=60)
    await rows.first.locator("a").click()
    await expect(page.locator("#case")).to_be_visible()
    told = page.locator("#conversation li.seller")
    await expect(told.first).to_contain_text("generic by email")
    assert re.search(r"offer_made|remedy_owed", " ".join(await told.all_inner_texts()))
    await expect(page.locator("#conversation li.buyer")).to_contain_text("buyer replied: accept")
    events = page.locator("#timeline tbody tr")
    await expect(events.first).to_be_visible()
    assert "case.opened" in await events.locator("td:nth-child(3)").all_inner_texts()
    # The evidence for a claim its channel may bring (a chargeback), as a PDF and a ZIP.
    packs = page.locator("#evidence-packs li")
    await expect(packs).to_have_count(1)
    await expect(packs.first).to_contain_text("chargeback")
    for link, media in (("PDF", "application/pdf"), ("ZIP to upload", "application/zip")):
        href = await packs.first.get_by_text(link).get_attribute("href")
        pack = await page.request.get(f"{console_url}{href}")
        assert (pack.status, pack.headers["content-type"]) == (200, media), href
    links = await events.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert links and all(
        re.fullmatch(r"http://localhost:16686/trace/[0-9a-f]{32}", link) for link in links
    )
    # The case's first trace, which its later traces link to: the opening event's.
    first = page.locator("#case-trace a")
    await expect(first).to_have_attribute("href", links[0])
    # Screenshots last: a full-page one resizes the page, and charts redraw after it.
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "console-case.png", full_page=True)
    await page.go_back()  # the overview again, its filters as they were
    await expect(page.locator("#case-list tbody tr")).to_have_count(2)
    await page.screenshot(path=ARTIFACTS / "console-overview.png", full_page=True)

    # A case analytics does not know: the page says so rather than staying blank.
    await page.goto(f"{console_url}/console#/cases/no-such-case")
    await expect(page.locator("#trouble")).to_contain_text("404")


async def test_the_what_if_page_replays_a_period_under_a_proposed_policy(
    clients, console_url, page
):
    await listing_cases(clients)
    await sign_in(page, console_url, PLATFORM_ADMIN)
    await page.goto(f"{console_url}/console#/what-if")
    form = page.locator("#what-if-form")
    await form.locator("input[name=seller]").fill("test-seller")
    await page.click("#load-policy")
    await expect(form.locator("textarea")).to_have_value(re.compile(r"\{"))
    # Without the partial refund, the damaged cases must be answered another way.
    policy = json.loads(await form.locator("textarea").input_value())
    policy["enabled_remedies"].remove("partial_refund")
    await form.locator("textarea").fill(json.dumps(policy))
    await page.click("#what-if-form button[type=submit]")
    result = page.locator("#what-if-result")
    await expect(result).to_be_visible()
    lines = {
        cells[0]: cells[1:]
        for cells in [
            await line.locator("td").all_inner_texts()
            for line in await result.locator("tbody tr").all()
        ]
    }
    replanned_now, replanned_proposed, _ = lines["Cases replanned"]
    assert int(replanned_now) >= 5 and replanned_now == replanned_proposed
    first_now, first_proposed, _ = lines["First remedy offered"]
    assert "partial_refund" in first_now and "partial_refund" not in first_proposed
    # The chart beside it: no partial refund offered first under the proposed policy.
    mix = await page.evaluate(
        "(() => { const c = Chart.getChart('chart-what-if').data;"
        " return Object.fromEntries(c.labels.map((l, i) => [l, c.datasets[1].data[i]])); })()"
    )
    _, left_proposed, _ = lines["Left to an agent"]  # nothing offered first: no bar
    assert mix["partial_refund"] == 0
    assert sum(mix.values()) + int(left_proposed) == int(replanned_proposed)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "console-what-if.png", full_page=True)

    # Another site's page (or another service's, on the same host) posting with the
    # session's cookie but without the console's header is refused.
    body = json.dumps({"policy": policy})
    forged = "(body) => fetch('/console/what-if/test-seller', {method: 'POST', body})"
    assert await page.evaluate(f"{forged}.then(r => r.status)", body) == 403

    # Signed out, the page offers the sign-in again and the session's token is gone.
    await page.reload()  # a fresh layout after the full-page screenshot
    await page.click("#sign-out")
    await expect(page.locator("#signed-out")).to_be_visible()
    await expect(page.locator("#sign-in")).to_be_visible()
    asked = "(body) => fetch('/console/what-if/test-seller', {method: 'POST', body,"
    asked += " headers: {'X-Requested-With': 'console', 'Content-Type': 'application/json'}})"
    assert await page.evaluate(f"{asked}.then(r => r.status)", body) == 401


async def test_a_sellers_agent_signs_in_sees_only_its_sellers_cases_and_signs_out(
    clients, emulators, console_url, page
):
    # A case of the test seller (its generic channel), one of a Shopify shop (another seller).
    ours = await open_case(clients, items=[{**webhook()["items"][0], "sku": "OURS-1"}])
    _, raw = await requested_return(emulators, [("defective", "It does not turn on")])
    assert (await deliver(clients, "returns/request", raw, str(uuid.uuid4()))).status_code == 202
    theirs = case_id_of("shopify", request_key_of(raw), account=SHOP)

    async def both_in_analytics():
        listed = await clients["analytics"].get("/cases", headers=AGENT)
        return {ours, theirs} <= {c["case_id"] for c in listed.json()["cases"]}

    await eventually(both_in_analytics, timeout=60)

    # Signed out: the sign-in, no data.
    await page.goto(f"{console_url}/console")
    await expect(page.locator("#signed-out a")).to_have_attribute("href", "/console/sign-in")
    await expect(page.locator("#overview")).to_be_hidden()
    await expect(page.locator("#who")).to_be_hidden()

    await sign_in(page, console_url, TEST_SELLER_AGENT.subject)
    await expect(page.locator("#who-name")).to_have_text("Test seller's agent")
    await expect(page.locator("#who-scope")).to_have_text("agent · test-seller")
    await expect(page.locator(f"#case-list tr[data-case-id='{ours}']")).to_have_count(1)
    await expect(page.locator(f"#case-list tr[data-case-id='{theirs}']")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "console-signed-in.png")

    # The what-if page: the seller's own policy, not the other seller's.
    await page.goto(f"{console_url}/console#/what-if")
    form = page.locator("#what-if-form")
    await expect(form.locator("input[name=seller]")).to_have_value("test-seller")
    await page.click("#load-policy")
    await expect(form.locator("textarea")).to_have_value(re.compile(r"\{"))
    await form.locator("input[name=seller]").fill(SHOP)
    await page.click("#load-policy")
    await expect(page.locator("#what-if-error")).to_contain_text("404")

    await page.click("#sign-out")
    await expect(page.locator("#signed-out")).to_be_visible()
    assert await page.evaluate("fetch('/console/me').then(r => r.status)") == 401


async def test_the_recovery_page_lists_a_dead_letter_and_discards_it_with_a_reason(
    stack, console_url, page
):
    """An unreadable record on refurbish's topic is parked by analytics' consumer; the
    platform admin finds it on the recovery page, cannot re-drive it (not an event), and
    discards it with the reason, kept by analytics."""
    marker = f"garbage-{uuid.uuid4().hex[:8]}"
    publisher = KafkaBroker(stack.settings.kafka_bootstrap_servers)
    async with publisher:
        await publisher.publish(f"{{not an event {marker}".encode(), "refurbish.events")

    async def parked() -> int | None:
        async with stack.services["analytics"].sessions() as session:
            return await session.scalar(
                select(DeadLetterRecord.id).where(DeadLetterRecord.payload.contains(marker))
            )

    dead_letter_id = await eventually(parked, timeout=60)
    await sign_in(page, console_url, PLATFORM_ADMIN)
    await page.goto(f"{console_url}/console#/recovery")
    filters = page.locator("#dead-letter-filters")
    await filters.locator("select[name=service]").select_option("analytics")
    line = page.locator(f"#dead-letters tr[data-dead-letter='{dead_letter_id}']")
    await expect(line).to_contain_text(marker)
    await expect(line).to_contain_text("invalid CloudEvent envelope")
    await expect(page.locator("#dead-letter-topics")).to_contain_text("refurbish.events")

    await line.get_by_role("button", name="Re-drive").click()
    await expect(page.locator("#recovery-error")).to_contain_text("not a CloudEvent")

    reason = "a producer's test record, never an event"
    page.once("dialog", lambda dialog: dialog.accept(reason))
    await line.get_by_role("button", name="Discard…").click()
    await expect(line).to_have_count(0)  # no longer waiting
    await filters.locator("select[name=state]").select_option("discarded")
    await expect(line).to_contain_text(f"discarded: {reason}")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "console-recovery.png", full_page=True)
    async with stack.services["analytics"].sessions() as session:
        row = await session.get(DeadLetterRecord, dead_letter_id)
    assert (row.state, row.discard_reason) == ("discarded", reason)


def walmart_speaker_returns(count: int) -> list[str]:
    """Return orders of one line each: the speaker (listed thin on Walmart: no plug,
    voltage, FCC compliance nor inches), come back as defective."""
    found: list[str] = []
    start = random.randrange(10**12)
    for number in range(start, start + 100_000):
        return_order_id = f"5{number:017d}"
        lines = walmart.return_order(return_order_id).lines
        if [(line.ordered.sku, line.reason) for line in lines] == [(SPEAKER_SKU, "DEFECTIVE")]:
            found.append(return_order_id)
            if len(found) == count:
                return found
    raise LookupError("no return order of the speaker alone")


async def first_offer(clients, case_id: str) -> dict | None:
    made = [offer for offer in await offers_of(clients, case_id) if offer["state"] == "open"]
    return made[0] if made else None


async def test_the_listing_audit_page_ranks_the_findings_by_expected_saving(
    clients, console_url, page
):
    """The Walmart seller's catalog imported (each listing read with Item Search), two of
    its speakers returned as defective through real RETURN_CREATED notifications: the
    platform admin audits the seller's US listings on the console page, the largest
    expected saving first (the speaker's, priced at what its returns cost), as the report
    ranks them; a market that is none is said, not a broken page."""
    imported = await clients["intake"].post(
        "/catalog/imports", json={"channel": "walmart", "account": PARTNER_ID}, headers=AGENT
    )
    assert imported.status_code == 200, imported.text
    returned = walmart_speaker_returns(2)
    body = notification(*returned)
    assert (await post(clients, body, signed(body))).status_code == 202
    cases = []
    for return_order_id in returned:  # each buyer accepts the first offer: its cost is known
        [case] = await eventually(lambda r=return_order_id: cases_of(clients, r), timeout=60)
        offer = await eventually(lambda c=case: first_offer(clients, c["case_id"]), timeout=60)
        await answer_offer(clients, case["case_id"], "accept", offer["remedy"])
        cases.append(case["case_id"])

    async def decided(case_id: str) -> bool:
        answer = await clients["analytics"].get(f"/cases/{case_id}", headers=AGENT)
        return answer.status_code == 200 and answer.json().get("cost_minor") is not None

    for case_id in cases:
        await eventually(lambda c=case_id: decided(c), timeout=90)
    params = {"seller": PARTNER_ID, "market": "US"}

    async def audited() -> list[dict]:
        answer = await clients["analytics"].get(
            "/reports/listing-audit", params=params, headers=AGENT
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["findings"]

    findings = await audited()
    savings = [f["saving_minor"] for f in findings]
    assert savings == sorted(savings, reverse=True) and savings[0] > 0
    guide = [f for f in findings if f["rule"] == "returned_defective_without_troubleshooting"]
    assert guide[0]["sku"] == SPEAKER_SKU and guide[0]["saving_minor"] > 0

    await sign_in(page, console_url, PLATFORM_ADMIN)
    await page.goto(f"{console_url}/console#/listing-audit")
    form = page.locator("#audit-form")
    await form.locator("input[name=seller]").fill(PARTNER_ID)
    await form.locator("input[name=market]").fill("us")
    await form.locator("button[type=submit]").click()
    table = page.locator("#audit-findings tbody tr")
    await expect(table).to_have_count(len(findings))
    shown = [await line.locator("td").all_inner_texts() for line in await table.all()]
    assert [(cells[0], cells[1], cells[2]) for cells in shown] == [
        (f["sku"], f["market"], f["says"]) for f in findings
    ]
    first = shown[0]
    assert first[0] == SPEAKER_SKU  # the largest saving, in dollars
    assert first[5] == f"USD {findings[0]['saving_minor'] / 100:,.2f}"
    assert "defective" in first[4]  # the returns that call for it, with their share
    plug = next(cells for cells in shown if cells[:2] == [SPEAKER_SKU, "US"] and "plug" in cells[2])
    assert plug[3] == "no plug type named (expected type A or B)"
    source = page.locator("#audit-findings tbody a").first
    assert (await source.get_attribute("href")).startswith("https://")
    csv_link = await page.locator("#audit-csv").get_attribute("href")
    assert csv_link == f"/reports/listing-audit?seller={PARTNER_ID}&market=US&format=csv"
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "console-listing-audit.png", full_page=True)

    await form.locator("input[name=market]").fill("XX")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#audit-error")).to_contain_text("422")


async def test_the_recovery_page_discards_a_carrier_label_fulfillment_could_not_buy(
    stack, console_url, page
):
    """A return label EasyPost would not sell waits in fulfillment's failed calls; the page,
    its service set to fulfillment, lists it with the cause and discards it with the reason,
    kept on the label by fulfillment."""
    reference = f"RMA-{uuid.uuid4().hex[:10]}"
    cause = f"EasyPost refused the address ({reference})"
    async with stack.services["fulfillment"].transaction() as session:
        session.add(
            CarrierLabel(
                reference=reference,
                kind="return",
                case_id=f"case-{uuid.uuid4()}",
                seller_account="test-seller",
                warehouse="BOS1",
                state="failed",
                weight_g=500,
                cause=cause,
                attempts=5,
                next_attempt_at=utc_now(),
                created_at=utc_now(),
            )
        )
    await sign_in(page, console_url, PLATFORM_ADMIN)
    await page.goto(f"{console_url}/console#/recovery")
    filters = page.locator("#call-filters")
    await filters.locator("select[name=service]").select_option("fulfillment")
    await filters.locator("select[name=kind]").select_option("carrier_label")
    line = page.locator("#failed-calls tr", has_text=reference)
    await expect(line).to_contain_text(cause)
    await expect(line).to_contain_text("return label")

    reason = "the buyer drops it off with a label of their own"
    page.once("dialog", lambda dialog: dialog.accept(reason))
    await line.get_by_role("button", name="Discard…").click()
    await expect(line).to_have_count(0)  # no longer failed
    async with stack.services["fulfillment"].sessions() as session:
        label = await session.get(CarrierLabel, reference)
    assert label.state in ("void_owed", "voided")  # given up: voided, nothing was bought
    assert label.cause.endswith(f": {reason}")
