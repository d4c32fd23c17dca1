"""Amazon end to end against the emulated SP-API (`deploy/emulators/amazon.py`): returns
reports polled per account (LWA, Reports, Orders), cases in each row's own market, FBA
units left to Amazon and followed (a removal order once, a reimbursement claim), FBA
refunds whose unit never came back claimed, rows outside policy to an agent, polls that
fail and resume.

The account is authorised for the SP-API only while a test needs it (the session's other
tests must not see its polls): `authorised` loads it, and takes the authorisation away.
"""

import asyncio
import json
import re
import uuid
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
from rich.progress import Progress

from deploy.emulators import amazon as emulated
from deploy.replay import replay_amazon_returns
from services.intake.channels.amazon import reports
from services.intake.domain.opening import case_id_of
from tests.conftest import eventually
from tests.factories import AGENT, INTERNAL_TOKEN, SAMPLES
from tests.integration.conftest import rows, scalar

EU = ["A1F83G8C2ARO7P", "A1PA6795UKMFR9", "A13V1IB3VIYZZH", "APJ6JRA9NG5V4", "A1RKKUPIHCS9HS"]
LANGUAGE_OF = {"UK": "en", "DE": "de", "FR": "fr", "IT": "it", "ES": "es", "US": "en", "CA": "en"}
CURRENCY_OF = {"UK": "GBP", "DE": "EUR", "FR": "EUR", "IT": "EUR", "ES": "EUR", "US": "USD"}


def account(seller: str, **changes) -> dict:
    return {
        "channel": "amazon",
        "account": seller,
        "seller": "luma-home",
        "secrets": ["forwarder-secret-2024"],
        "lwa_client_id": "amzn1.application-oa2-client.luma0001",
        "lwa_client_secret": "lwa-test-client-secret",
        "refresh_token": f"Atzr|{seller}",
        "region": "eu",
        "marketplace_ids": EU,
        **changes,
    }


@asynccontextmanager
async def authorised(stack, seller: str, **changes):
    """The seller's Amazon account, authorised for the SP-API while the block runs."""
    await stack.services["intake"].context.accounts.load([account(seller, **changes)])
    try:
        yield
    finally:  # the intake running now's (the test may have restarted it)
        withdrawn = {k: v for k, v in account(seller, **changes).items() if k != "refresh_token"}
        await stack.services["intake"].context.accounts.load([withdrawn])


async def polls_done(database, seller: str, reports: int = 1) -> bool:
    done = await rows(
        database,
        "SELECT reports_done FROM intake.amazon_report_polls WHERE account = :a",
        a=seller,
    )
    return len(done) == 2 and all(row.reports_done >= reports for row in done)


async def all_returns_opened(database, seller: str) -> int:
    """How many returns the polls found, once every one has its case (0 until then)."""
    waiting = await scalar(
        database,
        "SELECT count(*) FROM intake.amazon_return_rows WHERE account = :a AND state <> 'opened'",
        a=seller,
    )
    returns = await scalar(
        database, "SELECT count(*) FROM intake.amazon_return_rows WHERE account = :a", a=seller
    )
    cases = await scalar(database, "SELECT count(*) FROM intake.cases WHERE account = :a", a=seller)
    return returns if returns and not waiting and cases >= returns else 0


def market_of_order(order_id: str) -> str:
    country = emulated.MARKETPLACES[emulated.marketplace_of_order(order_id)]["country"]
    return "UK" if country == "GB" else country


async def cases_of(database, seller: str) -> list:
    return await rows(
        database,
        'SELECT case_id, case_key, order_id, market, needs_agent, marketplace_status, "case" '
        "FROM intake.cases WHERE account = :a",
        a=seller,
    )


async def test_mixed_market_reports_are_polled_and_every_row_keeps_its_own_market(stack, database):
    seller = "A2MIXEDMARKETS"
    async with authorised(stack, seller):
        await eventually(lambda: polls_done(database, seller), timeout=60)
        found = await eventually(lambda: all_returns_opened(database, seller), timeout=90)
    cases = await cases_of(database, seller)
    assert len(cases) >= found >= 12  # three days of returns, both reports
    markets = {case.market for case in cases}
    assert len(markets) >= 3, markets  # one file of several markets
    for case in cases:
        opened = case.case
        assert case.market == market_of_order(case.order_id), case.case_key
        assert opened["currency"] == CURRENCY_OF[case.market]
        assert opened["region"] == ("UK" if case.market == "UK" else "EU")
        if not opened["buyer_comment"]:
            assert opened["buyer_language"] == LANGUAGE_OF[case.market]
        else:  # what the buyer wrote, in the marketplace's language
            assert opened["buyer_language"] == LANGUAGE_OF[case.market], opened["buyer_comment"]
        assert all(item["unit_price_minor"] > 0 for item in opened["items"]), case.case_key
    # The prices of rows that had none were read from their orders.
    for case in cases:
        expected = {
            item["sku"]: int(item["price"] * 100) for item in emulated.order_items(case.order_id)
        }
        for item in case.case["items"]:
            assert item["unit_price_minor"] == expected[item["sku"]], case.case_key
    # Where a seller-fulfilled case's replacement or part goes: the order's address, read
    # with a Restricted Data Token; none is read for an order Amazon ships.
    for case in cases:
        ship_to = await stack.clients["intake"].get(
            f"/cases/{case.case_id}/ship-to", headers={"authorization": f"Bearer {INTERNAL_TOKEN}"}
        )
        if case.case["marketplace"] == "amazon_fba":
            assert ship_to.status_code == 404, case.case_key
        else:
            assert ship_to.status_code == 200, ship_to.text
            assert ship_to.json()["address"]["country"] == market_of_order(case.order_id).replace(
                "UK", "GB"
            )


async def test_fba_returns_get_no_label_and_no_seller_refund(stack, database):
    seller = "A2FBAUNITS"
    async with authorised(stack, seller):
        await eventually(lambda: all_returns_opened(database, seller), timeout=90)
    fba = [case for case in await cases_of(database, seller) if "lpn" in case.case_key]
    assert len(fba) >= 6
    for case in fba:
        assert case.case["marketplace"] == "amazon_fba"
        assert case.marketplace_status == "delivered"  # back at Amazon, with its disposition

    async def all_held() -> bool:
        states = await rows(
            database,
            "SELECT state, rule FROM resolution.decisions WHERE case_id = ANY(:ids)",
            ids=[case.case_id for case in fba],
        )
        return len(states) == len(fba) and all(row.state == "held" for row in states)

    await eventually(all_held, timeout=60)
    await asyncio.sleep(1)  # anything fulfillment would do, it would have done by now
    ids = [case.case_id for case in fba]
    for table in ("resolution.refunds", "resolution.offers", "fulfillment.returns"):
        count = await scalar(
            database, f"SELECT count(*) FROM {table} WHERE case_id = ANY(:ids)", ids=ids
        )
        assert count == 0, table
    rules = await rows(
        database, "SELECT rule FROM resolution.decisions WHERE case_id = ANY(:ids)", ids=ids
    )
    assert all("fulfilled by Amazon" in row.rule for row in rules)


async def test_a_row_outside_amazons_policy_waits_for_an_agent_with_the_reason(stack, database):
    seller = "A2POLICYCHECK"
    async with authorised(stack, seller):
        await eventually(lambda: all_returns_opened(database, seller), timeout=90)
    cases = [c for c in await cases_of(database, seller) if "rma" in c.case_key]
    outside = [c for c in cases if c.case["classification_signals"][0].startswith("Amazon says")]
    assert outside, "the emulator's report has rows with In policy = N"
    for case in outside:
        assert case.needs_agent and case.case["scenario"] is None
        decided = await scalar(
            database, "SELECT count(*) FROM resolution.refunds WHERE case_id = :c", c=case.case_id
        )
        assert decided == 0


async def test_a_failed_report_poll_keeps_its_cause_and_resumes(stack, database, emulators):
    seller = "A2FAILINGPOLLS"
    async with (
        httpx.AsyncClient(base_url=emulators, timeout=5) as emulator,
        authorised(stack, seller),
    ):
        await eventually(lambda: polls_done(database, seller), timeout=60)
        outcomes = {"outcomes": ["FATAL", "FATAL"], "seller": seller}  # its polls only
        assert (await emulator.put("/_emulator/amazon/reports/outcomes", json=outcomes)).is_success

        async def failed_fatally():
            causes = await rows(
                database,
                "SELECT last_failure FROM intake.amazon_report_polls WHERE account = :a",
                a=seller,
            )
            return [row.last_failure for row in causes if "FATAL" in (row.last_failure or "")]

        [cause, *_] = await eventually(failed_fatally, timeout=30)
        assert "internal error" in cause  # what Amazon's error document says
        await eventually(lambda: polls_done(database, seller, reports=2), timeout=60)
        outage = {"outage_seconds": 3}
        assert (await emulator.put("/_emulator/faults/amazon", json=outage)).is_success

        async def failed_on_the_outage():
            causes = await rows(
                database,
                "SELECT last_failure, failures FROM intake.amazon_report_polls WHERE account = :a",
                a=seller,
            )
            return any("503" in (row.last_failure or "") for row in causes)

        await eventually(failed_on_the_outage, timeout=30)
        await eventually(lambda: polls_done(database, seller, reports=3), timeout=60)
        failures = await rows(
            database, "SELECT failures FROM intake.amazon_report_polls WHERE account = :a", a=seller
        )
        assert all(row.failures == 0 for row in failures)  # done again since
    answer = await stack.clients["intake"].get("/amazon/report-polls", headers=AGENT)
    listed = [poll for poll in answer.json() if poll["account"] == seller]
    assert len(listed) == 2 and all(poll["last_failure"] for poll in listed)


async def test_a_report_cut_short_is_refused_on_upload_naming_the_line_and_nothing_is_kept(
    clients, database
):
    body = (SAMPLES / "amazon" / "returns_seller_fulfilled.tsv").read_bytes()
    cut = body[: body.index(b"\t89.99") + 4]
    before = await scalar(database, "SELECT count(*) FROM intake.deliveries")
    answer = await clients["intake"].post(
        "/reports/amazon/A3TH9S8BH6GOGM?market=US", content=cut, headers=AGENT
    )
    assert answer.status_code == 422
    assert (answer.json()["error"], answer.json()["field"]) == (
        "truncated_report",
        "line 3, column 25",
    )
    assert await scalar(database, "SELECT count(*) FROM intake.deliveries") == before


async def test_an_uploaded_mixed_market_report_needs_no_market_and_meets_the_polled_one(
    stack, database
):
    """An authorised account's upload: no ?market=, each row's order says; the same
    returns polled afterwards open nothing twice."""
    seller = "A2UPLOADSBACKFILL"
    start = datetime.now(UTC) - timedelta(days=2)
    report = emulated.EmulatedReport(
        "1", seller, emulated.SELLER_FULFILLED, EU, start, start + timedelta(days=1), start, "DONE"
    )
    content = emulated.report_content(seller, report)
    async with authorised(stack, seller):
        url = f"/reports/amazon/{seller}"
        first = await stack.clients["intake"].post(url, content=content, headers=AGENT)
        assert first.status_code == 200, first.text
        uploaded = first.json()["cases"]
        assert first.json()["new"] == uploaded >= 3
        again = (await stack.clients["intake"].post(url, content=content, headers=AGENT)).json()
        assert (again["new"], again["duplicates"]) == (0, uploaded)
        await eventually(lambda: polls_done(database, seller), timeout=60)
        await eventually(lambda: all_returns_opened(database, seller), timeout=90)
    polled = await scalar(
        database,
        "SELECT last_outcome FROM intake.amazon_report_polls WHERE account = :a AND "
        "report_type = 'GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE'",
        a=seller,
    )
    returns, new = (int(n) for n in re.findall(r"(\d+) returns, (\d+) new", polled)[0])
    assert returns - new >= uploaded  # the uploaded returns came again, and opened nothing
    cases = await cases_of(database, seller)
    assert len({case.case_key for case in cases}) == len(cases)
    for case in cases:
        assert case.market == market_of_order(case.order_id)


def queued(seller: str) -> dict:
    """An account whose SP-API notifications come to its own SQS queue."""
    return {
        "channel": "amazon",
        "account": seller,
        "seller": "luma-home",
        "default_market": "US",
        "secrets": ["forwarder-secret-2024"],
        "sqs_queue_url": f"https://sqs.us-east-1.amazonaws.com/123456789012/sp-api-{seller}",
        "aws_access_key_id": "AKIAEMULATED00000001",
        "aws_secret_access_key": "emulated-aws-secret",
    }


def order_change(seller: str, order_id: str, **summary) -> bytes:
    body = json.loads(
        (SAMPLES / "amazon" / "notification_order_change_buyer_cancel.json").read_text()
    )
    body["NotificationMetadata"]["NotificationId"] = str(uuid.uuid4())
    change = body["Payload"]["OrderChangeNotification"]
    change["SellerId"] = seller
    change["AmazonOrderId"] = order_id
    change["Summary"].update(summary)
    return json.dumps(body).encode()


async def delivery(database, delivery_id: str):
    found = await rows(
        database,
        "SELECT state, attempts, error FROM intake.deliveries WHERE channel = 'amazon' "
        "AND delivery_id = :d",
        d=delivery_id,
    )
    return found[0] if found and found[0].state != "accepted" else None


async def test_notifications_are_read_from_the_sellers_queue_and_a_cancellation_never_fails(
    stack, database, emulators
):
    seller = "A3QUEUEDSELLER"
    queue = f"/_emulator/amazon/queues/sp-api-{seller}"
    accounts = stack.services["intake"].context.accounts
    unshipped = order_change(seller, "114-7000001-0000001")  # no case: nothing shipped
    report = (SAMPLES / "amazon" / "returns_seller_fulfilled.tsv").read_bytes()
    report = report.replace(b"114-2203948-5521907", b"114-7000002-0000002")
    cancelled = order_change(
        seller, "114-7000002-0000002", OrderStatus="Canceled"
    )  # its case opened from the report below
    async with httpx.AsyncClient(base_url=emulators, timeout=5) as emulator:
        assert (await emulator.post(queue, content=unshipped)).is_success
        await accounts.load([queued(seller)])
        try:
            moot = (
                "amazon:notification:"
                + json.loads(unshipped)["NotificationMetadata"]["NotificationId"]
            )
            applied = await eventually(lambda: delivery(database, moot), timeout=30)
            assert (applied.state, applied.attempts, applied.error) == ("applied", 1, None)
            upload = f"/reports/amazon/{seller}?market=US"
            answer = await stack.clients["intake"].post(upload, content=report, headers=AGENT)
            assert answer.status_code == 200, answer.text
            case_id = case_id_of("amazon", "amazon:rma:DKq7TzB3RRMA", account=seller)
            await eventually(
                lambda: scalar(database, "SELECT 1 FROM intake.cases WHERE case_id = :c", c=case_id)
            )
            assert (await emulator.post(queue, content=cancelled)).is_success
            assert (await emulator.post(queue, content=b"not a notification")).is_success

            async def case_cancelled():
                return (
                    await scalar(
                        database,
                        "SELECT marketplace_status FROM intake.cases WHERE case_id = :c",
                        c=case_id,
                    )
                    == "cancelled"
                )

            await eventually(case_cancelled, timeout=30)
            failed = await eventually(
                lambda: rows(
                    database,
                    "SELECT delivery_id, error FROM intake.deliveries WHERE account = :a "
                    "AND state = 'failed'",
                    a=seller,
                ),
                timeout=30,
            )
            assert failed[0].delivery_id.startswith("amazon:sqs:") and failed[0].error
            depth = (await emulator.get(queue)).json()["messages"]
            assert depth == 0  # each one stored, then deleted from the queue
        finally:
            await accounts.load([{k: v for k, v in queued(seller).items() if "sqs" not in k}])


async def test_what_make_run_replays_of_amazon_becomes_cases(stack, database, emulators):
    """The demo seller's queue and reports (deploy/channel_accounts.json), for a test seller:
    its notifications read from the queue, its reports polled, each return a case."""
    seller = "A3DEMOREPLAY"
    demo = {
        **account(seller),
        **{k: v for k, v in queued(seller).items() if k.startswith(("sqs", "aws"))},
    }
    accounts = stack.services["intake"].context.accounts
    await accounts.load([demo])

    async def notifications_applied():
        notified = await rows(
            database,
            "SELECT state FROM intake.deliveries WHERE account = :a "
            "AND delivery_id LIKE 'amazon:notification:%'",
            a=seller,
        )
        return len(notified) == 2 and all(row.state == "applied" for row in notified)

    try:
        async with httpx.AsyncClient(base_url=emulators, timeout=5) as emulator:
            case_ids = await replay_amazon_returns(
                stack.clients["intake"], emulator, AGENT, Progress(disable=True), demo, 90
            )
        await eventually(notifications_applied, timeout=30)  # read from its queue
    finally:
        await accounts.load(
            [{k: v for k, v in demo.items() if k != "refresh_token" and "sqs" not in k}]
        )
    assert len(case_ids) >= 12


async def test_a_report_in_flight_when_intake_stops_is_taken_up_again_after_a_restart(
    stack, database, emulators
):
    """The poll's state is in its table: a restarted intake looks at the report it had asked
    for, and asks for no other for the same window."""
    seller = "A2RESTARTEDPOLL"
    slow = {"outcomes": [], "processed_after": 25}  # some five seconds of looks

    async def in_flight():
        found = await rows(
            database,
            "SELECT report_id FROM intake.amazon_report_polls WHERE account = :a",
            a=seller,
        )
        return [row.report_id for row in found if row.report_id]

    async with httpx.AsyncClient(base_url=emulators, timeout=5) as emulator:
        assert (await emulator.put("/_emulator/amazon/reports/outcomes", json=slow)).is_success
        try:
            async with authorised(stack, seller):
                asked = await eventually(in_flight, timeout=30)
                await stack.stop("intake")
                await stack.start("intake")
                await eventually(lambda: polls_done(database, seller), timeout=60)
                await eventually(lambda: all_returns_opened(database, seller), timeout=90)
        finally:
            await emulator.put("/_emulator/amazon/reports/outcomes", json={"outcomes": []})
        made = (await emulator.get("/_emulator/amazon/reports")).json()["reports"]
    ours = {report["reportId"]: report for report in made if report["reportId"] in asked}
    assert all(ours[report_id]["processingStatus"] == "DONE" for report_id in asked)
    first_windows = [
        report
        for report in made
        if report["reportId"] not in asked
        and report["dataStartTime"] == ours[asked[0]]["dataStartTime"]
        and report["reportType"] == ours[asked[0]]["reportType"]
    ]
    assert first_windows == []  # the window in flight was not asked for again


async def test_an_upload_that_is_no_report_is_refused_naming_what_is_wrong(clients):
    url = "/reports/amazon/A3TH9S8BH6GOGM?market=US"
    json_body = await clients["intake"].post(
        url, content=b"{}", headers={**AGENT, "content-type": "application/json"}
    )
    assert (json_body.status_code, json_body.json()["field"]) == (415, "content-type")
    csv = await clients["intake"].post(url, content=b"Order ID,Amazon RMA ID\n1,2\n", headers=AGENT)
    assert (csv.status_code, csv.json()["field"]) == (422, "header")
    unknown = await clients["intake"].post(
        "/reports/amazon/A3TH9S8BH6GOGM?market=XX", content=b"x\n", headers=AGENT
    )
    assert unknown.status_code == 422


async def test_a_return_whose_order_amazon_refused_is_listed_and_tried_again(
    stack, database, emulators
):
    seller = "A2REFUSEDORDER"
    fba = (SAMPLES / "amazon" / "returns_fba.tsv").read_bytes().splitlines(keepends=True)
    report = b"".join(fba[:2]).replace(b"113-5550001-1234567", b"304-5550001-1234567")
    async with (
        httpx.AsyncClient(base_url=emulators, timeout=5) as emulator,
        authorised(stack, seller),
    ):
        refused = {"status": 404, "times": 10_000}  # until cleared below
        assert (await emulator.put("/_emulator/faults/amazon", json=refused)).is_success
        try:
            url = f"/reports/amazon/{seller}"
            answer = await stack.clients["intake"].post(url, content=report, headers=AGENT)
            assert answer.json()["new"] == 1

            async def failed():
                listed = await stack.clients["intake"].get(
                    "/amazon/returns", params={"state": "failed", "account": seller}, headers=AGENT
                )
                return listed.json()

            [return_] = await eventually(failed, timeout=30)
        finally:
            assert (await emulator.delete("/_emulator/faults/amazon")).is_success
        assert return_["return_key"] == "amazon:lpn:LPNRR123456789" and "404" in return_["error"]
        retried = await stack.clients["intake"].post(
            "/amazon/returns/retry", params={"account": seller}, headers=AGENT
        )
        assert retried.json() == {"retried": 1}
        await eventually(lambda: all_returns_opened(database, seller), timeout=30)
    [case] = await cases_of(database, seller)
    assert (case.market, case.case["marketplace"]) == ("DE", "amazon_fba")


FBA_COLUMNS = emulated.FBA_COLUMNS


def fba_unit(order_id: str, plate: str, disposition: str) -> str:
    """A row of the FBA customer returns report, for an order the emulator sells."""
    item = emulated.order_items(order_id)[0]
    returned = (datetime.now(UTC) - timedelta(hours=2)).isoformat(timespec="seconds")
    row = {
        "return-date": returned,
        "order-id": order_id,
        "sku": item["sku"],
        "asin": item["asin"],
        "fnsku": f"X00{plate[-7:]}",
        "product-name": item["title"],
        "quantity": "1",
        "fulfillment-center-id": "DTM2",
        "detailed-disposition": disposition,
        "reason": "DEFECTIVE",
        "status": "Unit returned to inventory",
        "license-plate-number": plate,
        "customer-comments": "",
    }
    return "\t".join(row[column] for column in FBA_COLUMNS)


async def removal_orders_done(database, seller: str) -> bool:
    states = await rows(
        database, "SELECT state FROM intake.amazon_removal_orders WHERE account = :a", a=seller
    )
    return all(row.state in ("done", "failed") for row in states)


async def test_fba_units_follow_their_case_a_removal_order_once_and_a_claim_for_amazons_damage(
    stack, database, emulators
):
    """One report with a sellable, a defective, a carrier-damaged and an oddly graded unit:
    no label and no seller refund for any; each disposition recorded; exactly one removal
    order at Amazon for the defective unit although Amazon's first answer is lost; one
    reimbursement claim listed; the odd one waits for an agent."""
    seller = "A2FBAFOLLOWS"
    orders = {  # sold on amazon.de, fulfilled by Amazon
        "SELLABLE": ("304-5900001-0000011", "LPNFOLLOW0001"),
        "DEFECTIVE": ("304-5900002-0000012", "LPNFOLLOW0002"),
        "CARRIER_DAMAGED": ("304-5900003-0000013", "LPNFOLLOW0003"),
        "QUARANTINED_BY_AMAZON": ("304-5900004-0000014", "LPNFOLLOW0004"),
    }
    report = (
        "\n".join(
            ["\t".join(FBA_COLUMNS)]
            + [
                fba_unit(order, plate, disposition)
                for disposition, (order, plate) in orders.items()
            ]
        ).encode()
        + b"\n"
    )
    intake = stack.clients["intake"]
    plates = [plate for _, plate in orders.values()]

    async def our_cases():
        found = await rows(
            database,
            'SELECT case_id, return_id, "case" FROM intake.cases WHERE account = :a '
            "AND return_id = ANY(:plates)",
            a=seller,
            plates=plates,
        )
        return found if len(found) == len(plates) else None

    async with (
        httpx.AsyncClient(base_url=emulators, timeout=5) as emulator,
        authorised(stack, seller),
    ):
        # What the polls bring of this seller first, its removal orders sent.
        await eventually(lambda: all_returns_opened(database, seller), timeout=90)
        await eventually(lambda: removal_orders_done(database, seller), timeout=60)
        lost = {"seller": seller, "operation": "createFeed", "times": 1}
        assert (await emulator.put("/_emulator/amazon/lost-answers", json=lost)).is_success
        uploaded = await intake.post(f"/reports/amazon/{seller}", content=report, headers=AGENT)
        assert uploaded.status_code == 200, uploaded.text
        assert (uploaded.json()["new"], uploaded.json()["rejected_rows"]) == (4, [])
        cases = {row.return_id: row for row in await eventually(our_cases, timeout=60)}

        async def removal_done():
            found = await rows(
                database,
                "SELECT removal_order_id, state, feed_id, attempts, error FROM "
                "intake.amazon_removal_orders WHERE case_id = :c",
                c=cases["LPNFOLLOW0002"].case_id,
            )
            return found[0] if found and found[0].state in ("done", "failed") else None

        removal = await eventually(removal_done, timeout=60)
        made = (await emulator.get("/_emulator/amazon/removal-orders")).json()["removal_orders"]
        refunded = (await emulator.get("/_emulator/amazon/refunds")).json()["refunds"]

    # Exactly one removal order at Amazon, though its first answer was lost and it was retried.
    assert removal.state == "done", removal.error
    assert removal.feed_id is None and removal.attempts >= 4  # read back, not sent again
    ours = [order for order in made if order["order_id"] == removal.removal_order_id]
    assert len(ours) == 1
    assert (ours[0]["address"]["AddressCity"], ours[0]["address"]["AddressCountryCode"]) == (
        "Nürnberg",
        "DE",
    )
    mine = [order["order_id"] for order in made if order["seller"] == seller]
    assert len(mine) == len(set(mine))  # no order of this seller made twice

    # Each disposition recorded for its case, read through intake's API by seller.
    units = await intake.get(
        "/amazon/fba-units", params={"seller": "luma-home", "account": seller}, headers=AGENT
    )
    by_plate = {unit["license_plate"]: unit for unit in units.json()}
    assert {plate: by_plate[plate]["disposition"] for _, plate in orders.values()} == {
        plate: disposition for disposition, (_, plate) in orders.items()
    }
    assert [by_plate[plate]["outcome"] for plate in plates] == [
        "back_in_stock",
        "removal",
        "claim",
        "agent",  # kept as Amazon wrote it, for an agent
    ]
    for plate in plates:
        assert by_plate[plate]["case_id"] == cases[plate].case_id

    # One reimbursement claim, with its evidence and the unit's price read from its order.
    claims = await intake.get(
        "/amazon/reimbursement-claims",
        params={"seller": "luma-home", "account": seller, "state": "owed"},
        headers=AGENT,
    )
    [claim] = [c for c in claims.json() if c["license_plate"] in plates]
    price = emulated.order_items(orders["CARRIER_DAMAGED"][0])[0]["price"]
    assert (claim["license_plate"], claim["disposition"], claim["currency"]) == (
        "LPNFOLLOW0003",
        "CARRIER_DAMAGED",
        "EUR",
    )
    assert claim["value_minor"] == int(price * 100) and claim["fnsku"] == "X00LOW0003"
    removals_of_ours = await scalar(
        database,
        "SELECT count(*) FROM intake.amazon_removal_orders WHERE case_id = ANY(:ids)",
        ids=[case.case_id for case in cases.values()],
    )
    assert removals_of_ours == 1  # the defective unit's only

    # No return label and no seller refund: Amazon takes FBA units back and pays.
    ids = [case.case_id for case in cases.values()]

    async def all_held():
        held = await rows(
            database,
            "SELECT state, rule FROM resolution.decisions WHERE case_id = ANY(:ids)",
            ids=ids,
        )
        return len(held) == len(ids) and all(row.state == "held" for row in held)

    await eventually(all_held, timeout=60)
    for table in ("resolution.refunds", "resolution.offers", "fulfillment.returns"):
        count = await scalar(
            database, f"SELECT count(*) FROM {table} WHERE case_id = ANY(:ids)", ids=ids
        )
        assert count == 0, table
    assert [r for r in refunded if r["order_id"] in {o for o, _ in orders.values()}] == []


async def test_an_fba_unit_refunded_and_never_returned_is_one_claim_a_returned_one_none(
    stack, database
):
    """The emulated Finances API refunds FBA orders: most units come back in the returns
    report twelve hours later, one order a day never does. With a day to come back (the
    stack's AMAZON_REFUND_RETURN_DAYS), the first polls' refunds older than a day are due:
    each never returned is exactly one claim, each returned none, polled again or not."""
    seller = "A2REFUNDEDLOST"
    intake = stack.clients["intake"]

    async def refunds_of(state: str) -> list:
        return await rows(
            database,
            "SELECT order_id, sku, refunded_at, amount_minor, claim_id FROM "
            "intake.amazon_fba_refunds WHERE account = :a AND state = :s",
            a=seller,
            s=state,
        )

    async def settled():
        claimed, matched = await refunds_of("claimed"), await refunds_of("matched")
        return (claimed, matched) if len(claimed) >= 2 and len(matched) >= 8 else None

    async def refund_polls(done: int) -> bool:
        polls = await rows(
            database,
            "SELECT polls_done FROM intake.amazon_refund_polls WHERE account = :a",
            a=seller,
        )
        return bool(polls) and polls[0].polls_done >= done

    async with authorised(stack, seller, region="na", marketplace_ids=["ATVPDKIKX0DER"]):
        claimed, matched = await eventually(settled, timeout=120)
        polled = await scalar(
            database, "SELECT polls_done FROM intake.amazon_refund_polls WHERE account = :a",
            a=seller,
        )  # fmt: skip
        await eventually(lambda: refund_polls(polled + 2), timeout=60)  # read again since
        answer = await intake.get(
            "/amazon/reimbursement-claims", params={"account": seller}, headers=AGENT
        )
    # A returned unit Amazon damaged has a claim of its own (`damaged`), not these.
    claims = [claim for claim in answer.json() if claim["kind"] == "not_returned"]
    units = await rows(
        database, "SELECT order_id, sku FROM intake.amazon_fba_units WHERE account = :a", a=seller
    )
    returned = {(unit.order_id, unit.sku) for unit in units}
    never = [refund for refund in claimed if (refund.order_id, refund.sku) not in returned]
    assert len(never) == len(claimed)  # every claim is a unit that never came back
    for refund in claimed:
        [claim] = [c for c in claims if c["order_id"] == refund.order_id]  # exactly one
        item = emulated.order_items(refund.order_id)[0]
        assert (claim["kind"], claim["case_id"], claim["state"], claim["sku"]) == (
            "not_returned",
            None,
            "owed",
            item["sku"],
        )
        assert claim["value_minor"] == int(item["price"] * 100) == refund.amount_minor
        assert claim["claim_id"] == refund.claim_id and claim["late_arrival"] is None
    for refund in matched:  # returned: in the report, no claim of a unit not returned
        assert (refund.order_id, refund.sku) in returned
        assert not [c for c in claims if c["order_id"] == refund.order_id]
    assert len({c["claim_id"] for c in claims}) == len(claims)
    assert {c["order_id"] for c in claims} == {refund.order_id for refund in claimed}


def a_report_flagging_claims(start: datetime) -> tuple[str, emulated.EmulatedReport, bytes]:
    """A seller whose emulated day of seller-fulfilled returns from `start` flags both an
    A-to-z claim and a SAFE-T claim, its report and the report's content."""
    for number in range(500):
        seller = f"A2CLAIMS{number:04d}"
        report = emulated.EmulatedReport(
            "1", seller, emulated.SELLER_FULFILLED, EU, start, start + timedelta(days=1), start,
            "DONE",
        )  # fmt: skip
        content = emulated.report_content(seller, report)
        columns = content.split(b"\n")[0].split(b"\t")
        flags = [line.split(b"\t") for line in content.split(b"\n")[1:] if line]
        a_to_z = any(f[columns.index(b"A-to-Z Claim")] == b"Y" for f in flags)
        safe_t = any(len(f) > columns.index(b"SafeT claim id") for f in flags)
        if a_to_z and safe_t:
            return seller, report, content
    raise AssertionError("no emulated seller flags both claims in a day")


async def test_the_claims_a_report_flags_are_opened_in_analytics_with_their_clocks(stack, database):
    start = (datetime.now(UTC) - timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    seller, _, content = a_report_flagging_claims(start)
    async with authorised(stack, seller):
        url = f"/reports/amazon/{seller}"
        uploaded = await stack.clients["intake"].post(url, content=content, headers=AGENT)
        assert uploaded.status_code == 200, uploaded.text
        await eventually(lambda: all_returns_opened(database, seller), timeout=90)
    flagged = {
        (d.action.claim.kind.value, d.action.claim.marketplace_claim_id): d.action.order_id
        for d in reports.claim_deliveries(
            reports.read_report(content).returns, seller, datetime.now(UTC)
        )
    }
    assert {kind for kind, _ in flagged} == {"amazon_a_to_z", "amazon_safe_t"}

    async def claims_opened():
        listed = await stack.clients["analytics"].get(
            "/claims", params={"seller": seller}, headers=AGENT
        )
        assert listed.status_code == 200, listed.text
        found = {(c["kind"], c["marketplace_claim_id"]): c for c in listed.json()["claims"]}
        return found if found.keys() >= flagged.keys() else None

    opened = await eventually(claims_opened, timeout=60)
    assert len(opened) == len(flagged)  # the report's rows of one return: one claim each
    cases = {case.order_id: case.case_id for case in await cases_of(database, seller)}
    for (kind, claim_id), order_id in flagged.items():
        claim = opened[(kind, claim_id)]
        assert claim["case_id"] == cases[order_id] and claim["opened_by"] == "amazon notice"
        if kind == "amazon_a_to_z":
            # Amazon's 48 hours, from the moment the report was read.
            assert claim["outcome"] == "open" and claim["clock"]["state"] == "running"
            starts = datetime.fromisoformat(claim["starts"])
            assert datetime.fromisoformat(claim["due_at"]) - starts == timedelta(hours=48)
            assert datetime.now(UTC) - starts < timedelta(minutes=5)
        else:  # a SAFE-T claim the seller filed already
            assert claim["outcome"] == "filed" and claim["filed_at"] is not None
