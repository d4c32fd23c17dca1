"""Analytics' reports over a fixed set of events, applied through FastStream's test broker
to the real PostgreSQL: numbers checked by hand, CSV read back, the seller's workbook
opened, return rates from the sales feed."""

import csv
import io
import uuid
from datetime import datetime, timedelta

import openpyxl
import pytest
from faststream.kafka import TestKafkaBroker
from sqlalchemy import func, select, true

from services.analytics.tables import AppliedEvent, CaseView
from services.analytics.workflows.rebuild import rebuild
from shared.events import (
    Alternative,
    CaseOpened,
    DeadlineAlert,
    Disposition,
    DispositionDecided,
    Envelope,
    Grade,
    Remedy,
    ResolutionOffered,
    SatisfactionRated,
    Scenario,
)
from shared.markets import Market
from tests.factories import AGENT, bearer, envelope_bytes, token_of
from tests.handlers.analytics.conftest import (
    SPEAKER,
    START,
    events_of,
    pareto,
    publish_at,
    report,
    seller_with_cases,
)


async def test_each_listing_shows_why_it_is_returned(api):
    seller = await seller_with_cases(api)
    answer = await api.get("/reports/listings", params={"seller": seller}, headers=AGENT)
    assert answer.status_code == 200
    listings = answer.json()["listings"]
    # The most returned first; a tie goes by SKU.
    assert [(x["sku"], x["asin"], x["cases"]) for x in listings] == [
        ("BT-SPK-200", "B0C7K2M4QX", 5),
        ("CRT-BLK-5284", "B0CF6T1Y4M", 5),
    ]
    by_sku = {listing["sku"]: listing for listing in listings}
    assert pareto(by_sku["CRT-BLK-5284"]["reasons"]) == [
        ("size_fit", 4, 0.8),
        ("not_as_described", 1, 0.2),
    ]
    assert pareto(by_sku["BT-SPK-200"]["reasons"]) == [
        ("defective", 3, 0.6),
        ("damaged", 1, 0.2),
        ("size_fit", 1, 0.2),
    ]
    assert pareto(by_sku["CRT-BLK-5284"]["remedies"]) == [
        ("exchange", 3, 0.6),
        ("return_full_refund", 2, 0.4),
    ]
    assert pareto(by_sku["CRT-BLK-5284"]["reason_codes"])[0] == ("SIZE_FIT", 4, 0.8)
    # What buyers keep writing, per reason: phrases two or more of them wrote.
    assert by_sku["CRT-BLK-5284"]["phrases"]["size_fit"] == [["too small", 3]]
    assert by_sku["BT-SPK-200"]["phrases"]["defective"] == [["stopped charging", 2]]
    assert "USB-C-1M" not in by_sku  # a case is about its most valuable item


async def test_markets_are_compared_and_a_period_or_market_narrows_the_report(api):
    seller = await seller_with_cases(api)
    markets = (await report(api, "markets", {"seller": seller}))["markets"]
    by_market = {m["market"]: m for m in markets}
    assert {m: by_market[m]["cases"] for m in by_market} == {"DE": 4, "UK": 2, "US": 4}
    assert pareto(by_market["DE"]["reasons"]) == [
        ("size_fit", 2, 0.5),
        ("defective", 1, 0.25),
        ("not_as_described", 1, 0.25),
    ]
    # The same per market as per listing: a trend, and what buyers there keep writing.
    assert by_market["US"]["weekly"] == {"2026-09-28": 2, "2026-10-05": 2}
    assert by_market["US"]["phrases"] == {
        "size_fit": [["too small", 2]],
        "defective": [["stopped charging", 2]],
    }
    first_week = {
        "seller": seller,
        "since": START.isoformat(),
        "until": (START + timedelta(days=5)).isoformat(),
    }
    listings = (await report(api, "listings", first_week))["listings"]
    assert [(x["sku"], x["cases"]) for x in listings] == [("CRT-BLK-5284", 5)]
    germany = (
        await api.get("/reports/listings", params={"seller": seller, "market": "DE"}, headers=AGENT)
    ).json()
    assert sum(x["cases"] for x in germany["listings"]) == 4
    backwards = {"seller": seller, "since": "2026-10-09T00:00:00Z", "until": "2026-10-01T00:00:00Z"}
    assert (await api.get("/reports/listings", params=backwards, headers=AGENT)).status_code == 422


async def test_the_csv_export_reads_back_as_the_report(api):
    seller = await seller_with_cases(api)
    answer = await api.get(
        "/reports/listings", params={"seller": seller, "format": "csv"}, headers=AGENT
    )
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    curtain = [r for r in rows if r["sku"] == "CRT-BLK-5284"]
    assert [(r["reason"], r["reason_cases"], float(r["reason_share"])) for r in curtain] == [
        ("size_fit", "4", 0.8),
        ("not_as_described", "1", 0.2),
    ]
    markets = await api.get(
        "/reports/markets", params={"seller": seller, "format": "csv"}, headers=AGENT
    )
    uk = [r for r in csv.DictReader(io.StringIO(markets.text)) if r["market"] == "UK"]
    assert {(r["reason"], r["reason_cases"]) for r in uk} == {("size_fit", "1"), ("damaged", "1")}


async def test_the_sellers_workbook_has_the_listing_and_market_sheets(api):
    seller = await seller_with_cases(api)
    sales = [{"sku": "CRT-BLK-5284", "day": "2026-10-01", "units": 50}]
    assert (await api.put(f"/sales/{seller}", json=sales, headers=AGENT)).status_code == 200
    answer = await api.get("/reports/workbook", params={"seller": seller}, headers=AGENT)
    assert answer.status_code == 200
    assert seller in answer.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert {"Summary", "Listings", "Markets"} <= set(book.sheetnames)
    listings = book["Listings"]
    header = [cell.value for cell in listings[1]]
    sku_column, size_fit = header.index("SKU"), header.index("size_fit")
    curtain = next(
        row for row in listings.iter_rows(min_row=2) if row[sku_column].value == "CRT-BLK-5284"
    )
    assert curtain[size_fit].value == pytest.approx(0.8)
    assert "%" in curtain[size_fit].number_format
    # The return rate from the sales feed: 5 cases of 50 units.
    assert curtain[header.index("Return rate")].value == pytest.approx(0.1)
    assert len(book["Markets"]._charts) == 1


async def test_outcomes_are_measured_against_the_targets(api):
    seller = f"seller-{uuid.uuid4().hex[:8]}"
    replies_after = (10, 20, 30, 40, 240)  # minutes to the first message
    ratings = (5, 5, 4, 2, None)
    async with TestKafkaBroker(api.service.broker) as broker:
        for index, (minutes, rating) in enumerate(zip(replies_after, ratings, strict=True)):
            returned = index == 4
            remedy = Remedy.RETURN_FULL_REFUND if returned else Remedy.PARTIAL_REFUND
            opened, decided = events_of(
                seller, index, SPEAKER, Market.US, "damaged", Scenario.MINOR_DEFECT, remedy
            )
            decided = decided.model_copy(
                update={
                    "alternatives": [
                        Alternative(
                            remedy=Remedy.PARTIAL_REFUND,
                            cost_minor=500,
                            expected_cost_minor=800,
                            acceptance=0.8,
                        ),
                        Alternative(
                            remedy=Remedy.RETURN_FULL_REFUND,
                            cost_minor=2000,
                            expected_cost_minor=2000,
                            acceptance=1.0,
                        ),
                    ]
                }
            )
            at = opened.opened_at
            reply = at + timedelta(minutes=minutes)
            await publish_at(broker, opened, at)
            await publish_at(broker, offered(opened, remedy, reply), reply)
            await publish_at(broker, offered(opened, remedy, reply), reply + timedelta(hours=2))
            await publish_at(broker, decided, reply + timedelta(hours=3))
            if rating:
                rated = SatisfactionRated(case_id=opened.case_id, rating=rating, at=at)
                await publish_at(broker, rated, reply + timedelta(days=2))
            if returned:
                await publish_at(broker, disposed(opened), reply + timedelta(days=9))
                for level in ("near_breach", "breached"):
                    alert = DeadlineAlert(
                        case_id=opened.case_id,
                        clock="first_reply",
                        level=level,
                        due_at=at + timedelta(hours=4),
                        at=at,
                    )
                    await publish_at(broker, alert, at + timedelta(hours=4))

    report = (await api.get("/reports/outcomes", params={"seller": seller}, headers=AGENT)).json()
    assert report["cases"] == 5
    assert report["minor_defects"] == {
        "decided": 5,
        "without_return": 4,
        "share": 0.8,
        "target": 0.8,
        "met": True,
    }
    assert report["satisfaction"] == {
        "ratings": 4,
        "satisfied": 3,
        "share": 0.75,
        "target": 0.92,
        "met": False,
    }
    # The second message of a case does not move its first reply.
    assert report["first_reply"] == {
        "cases": 5,
        "median_minutes": 30.0,
        "p90_minutes": 160.0,
        "buckets": {"under 15 min": 1, "15-60 min": 3, "1-4 h": 0, "4-24 h": 1, "over 24 h": 0},
    }
    assert report["savings"] == {
        "USD": {"cases": 5, "cost_minor": 4000, "baseline_minor": 10000, "saved_minor": 6000}
    }
    assert report["by_remedy"] == {
        "partial_refund": {
            "USD": {"cases": 4, "cost_minor": 2000, "baseline_minor": 8000, "saved_minor": 6000}
        },
        "return_full_refund": {
            "USD": {"cases": 1, "cost_minor": 2000, "baseline_minor": 2000, "saved_minor": 0}
        },
    }
    monthly = (await api.get("/reports/savings", params={"seller": seller}, headers=AGENT)).json()
    assert monthly["months"] == [
        {
            "month": "2026-10",
            "currency": "USD",
            "cases": 5,
            "cost_minor": 4000,
            "baseline_minor": 10000,
            "saved_minor": 6000,
        }
    ]
    per_listing = await api.get(
        "/reports/savings", params={"seller": seller, "per": "listing"}, headers=AGENT
    )
    assert [(r["month"], r["sku"], r["saved_minor"]) for r in per_listing.json()["months"]] == [
        ("2026-10", "BT-SPK-200", 6000)
    ]
    assert report["recovery"] == {
        "USD": {
            "units": 1,
            "net_minor": 1200,
            "by_grade": {"B": 1200},
            "by_disposition": {"sell_as_renewed": 1200},
        }
    }
    assert report["breaches"] == {"first_reply": 1}


def offered(opened: CaseOpened, remedy: Remedy, at: datetime) -> ResolutionOffered:
    return ResolutionOffered(
        case_id=opened.case_id,
        offer_id=f"offer-{uuid.uuid4()}",
        step=1,
        remedy=remedy,
        amount_minor=500,
        currency=opened.currency,
        language="en",
        message="…",
        expires_at=at + timedelta(hours=48),
    )


def disposed(opened: CaseOpened) -> DispositionDecided:
    return DispositionDecided(
        case_id=opened.case_id,
        inspection_id="insp-1",
        rma_id="RMA-1",
        warehouse="BOS1",
        grade=Grade.B,
        disposition=Disposition.SELL_AS_RENEWED,
        net_minor=1200,
        currency=opened.currency,
        items=opened.items,
        alternatives=[],
    )


async def test_a_sales_feed_gives_each_listing_its_return_rate_and_flags_the_outlier(api):
    seller = await seller_with_cases(api)
    path = f"/sales/{seller}"
    # CSV for the curtain (two days), JSON for the speaker; sending a day again replaces it.
    upload = "sku,day,units\nCRT-BLK-5284,2026-10-01,10\nCRT-BLK-5284,2026-10-02,99\n"
    csv_headers = {**AGENT, "content-type": "text/csv"}
    assert (await api.put(path, content=upload, headers=csv_headers)).json()["days"] == 2
    fixed = "sku,day,units\nCRT-BLK-5284,2026-10-02,10\n"
    assert (await api.put(path, content=fixed, headers=csv_headers)).status_code == 200
    speaker = [{"sku": "BT-SPK-200", "day": "2026-10-03", "units": 230}]
    assert (await api.put(path, json=speaker, headers=AGENT)).status_code == 200

    listings = (
        await api.get("/reports/listings", params={"seller": seller}, headers=AGENT)
    ).json()["listings"]
    by_sku = {x["sku"]: x for x in listings}
    curtain, speaker_report = by_sku["CRT-BLK-5284"], by_sku["BT-SPK-200"]
    assert (curtain["units_sold"], curtain["return_rate"]) == (20, 0.25)
    assert (speaker_report["units_sold"], speaker_report["return_rate"]) == (230, 0.0217)
    # Each is alone in its category: as high as its category, so not far above it.
    assert curtain["category_return_rate"] == 0.25 and not curtain["far_above_category"]
    # The curtain's cases opened on Oct 1–5 (Thu–Mon): two weeks.
    assert curtain["weekly"] == {"2026-09-28": 4, "2026-10-05": 1}


async def test_sales_per_market_give_each_market_its_return_rate(api):
    seller = await seller_with_cases(api)
    upload = (
        "sku,day,units,market\n"
        "CRT-BLK-5284,2026-10-01,40,US\n"
        "BT-SPK-200,2026-10-01,60,US\n"
        "CRT-BLK-5284,2026-10-01,20,DE\n"
        "BT-SPK-200,2026-10-02,20,DE\n"
    )
    headers = {**AGENT, "content-type": "text/csv"}
    assert (await api.put(f"/sales/{seller}", content=upload, headers=headers)).status_code == 200
    markets = (await report(api, "markets", {"seller": seller}))["markets"]
    rates = {m["market"]: (m["units_sold"], m["return_rate"]) for m in markets}
    assert rates == {"DE": (40, 0.1), "UK": (None, None), "US": (100, 0.04)}
    # A listing without a figure for every market together sums its markets'.
    listings = (
        await api.get("/reports/listings", params={"seller": seller}, headers=AGENT)
    ).json()["listings"]
    assert {x["sku"]: x["units_sold"] for x in listings} == {"BT-SPK-200": 80, "CRT-BLK-5284": 60}
    germany = {"seller": seller, "market": "DE"}
    in_germany = (await report(api, "listings", germany))["listings"]
    assert {x["sku"]: x["return_rate"] for x in in_germany} == {
        "BT-SPK-200": 0.1,
        "CRT-BLK-5284": 0.1,
    }

    wrong = "sku,day,units,market\nCRT-BLK-5284,2026-10-01,4,ZZ\n"
    refused = await api.put(f"/sales/{seller}", content=wrong, headers=headers)
    assert refused.status_code == 422 and "line 2: market" in refused.json()["detail"]


PARTIAL_REFUND = (Scenario.MINOR_DEFECT, Remedy.PARTIAL_REFUND)


async def summary_as_counted_before(api, sellers: list[str] | None) -> dict:
    """The summary as it was counted before each case row kept its count of events: the
    kept events themselves (all of them for every seller, else those of the sellers'
    cases), then one count of the cases per fact. `sellers` None: every seller."""
    served = true() if sellers is None else CaseView.seller_account.in_(sellers)
    events = select(func.count()).select_from(AppliedEvent)
    if sellers is not None:
        events = events.where(AppliedEvent.case_id.in_(select(CaseView.case_id).where(served)))
    async with api.service.sessions() as session:
        answer = {
            "cases": await session.scalar(select(func.count()).select_from(CaseView).where(served)),
            "events": await session.scalar(events),
        }
        for name in ("scenario", "remedy", "market", "marketplace", "status"):
            column = getattr(CaseView, name)
            rows = await session.execute(
                select(column, func.count())
                .where(column.is_not(None), served)
                .group_by(column)
                .order_by(column)
            )
            answer[f"by_{name}"] = dict(rows.all())
    return answer


async def test_the_summary_counts_as_it_did_for_every_caller_before_and_after_a_rebuild(api):
    first, second = await seller_with_cases(api), await seller_with_cases(api)
    # A case whose opening has not arrived: its seller is not known yet. Its events count
    # for whoever serves every seller only. Another case's events come twice.
    unopened = events_of("not-yet", 0, SPEAKER, Market.UK, "damaged", *PARTIAL_REFUND)[1]
    redelivered = events_of(second, 11, SPEAKER, Market.FR, "defective", *PARTIAL_REFUND)
    envelopes = [Envelope.wrap(event) for event in (unopened, *redelivered)]
    async with TestKafkaBroker(api.service.broker) as broker:
        for envelope in (*envelopes, *envelopes[1:]):
            await broker.publish(
                envelope_bytes(envelope), envelope.topic, key=envelope.subject.encode()
            )
    callers = {
        None: AGENT,
        (first,): bearer(token_of(["operations"], sellers=[first])),
        (first, second): bearer(token_of(["operations"], sellers=[first, second])),
        ("not-yet",): bearer(token_of(["agent"], sellers=["not-yet"])),
    }

    async def same_as_before() -> dict:
        answers = {}
        for sellers, headers in callers.items():
            answered = await api.get("/reports/summary", headers=headers)
            assert answered.status_code == 200, answered.text
            expected = await summary_as_counted_before(api, sellers and list(sellers))
            assert answered.json() == expected, sellers
            assert list(answered.json()["by_market"]) == list(expected["by_market"])  # order
            answers[sellers] = answered.json()
        return answers

    answers = await same_as_before()
    assert (answers[(first,)]["cases"], answers[(first,)]["events"]) == (10, 20)
    assert (answers[(first, second)]["cases"], answers[(first, second)]["events"]) == (21, 42)
    assert answers[("not-yet",)]["events"] == 0
    async with api.service.sessions() as session:
        kept = await session.scalar(
            select(CaseView.events_kept).where(CaseView.case_id == unopened.case_id)
        )
    assert kept == 1
    # Rebuilt: an event of a type this version does not read counts too, as it did.
    async with api.service.transaction() as session:
        session.add(
            AppliedEvent(
                event_id=f"evt-{uuid.uuid4()}",
                case_id=redelivered[0].case_id,
                type="case.of_a_later_version",
                source="tests",
                time=START,
                trace_id="0" * 32,
                data={},
            )
        )
    async with api.service.transaction() as session:
        await rebuild(session)
    rebuilt = await same_as_before()
    assert rebuilt[(first,)] == answers[(first,)]
    assert rebuilt[(first, second)]["events"] == 43
