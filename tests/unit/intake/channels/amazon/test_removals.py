"""Removal orders of FBA units (`services/intake/channels/amazon/removals.py`) through the
emulated Feeds API, and read back from the emulated removal order detail report: the
emulator's ledger counts what Amazon made."""

from datetime import timedelta

import pytest

from services.intake.channels.amazon import removals
from services.intake.channels.amazon.removals import FeedOutcome
from services.intake.channels.amazon.reports_api import ProcessingStatus
from services.intake.channels.amazon.sp_api import selling_partner
from services.intake.domain.removal_orders import RemovalAddress
from shared.outbound import Refused, Unavailable

NUREMBERG = RemovalAddress(
    name="Logistikzentrum Nürnberg",
    line1="Hafenstraße 22",
    city="Nürnberg",
    postal_code="90451",
    country_code="DE",
)
DE = "A1PA6795UKMFR9"


def request(removal_order_id: str = "RMVTEST0001", **changes) -> removals.RemovalRequest:
    fields = {
        "removal_order_id": removal_order_id,
        "marketplace_id": DE,
        "sku": "VORH-GRAU-245",
        "unsellable_quantity": 1,
        "address": NUREMBERG,
        "notes": "after-sales case case-1, unit LPNDE10020030",
    }
    return removals.RemovalRequest(**{**fields, **changes})


async def made(emulator) -> list[dict]:
    return (await emulator.get("/_emulator/amazon/removal-orders")).json()["removal_orders"]


def test_the_feed_is_seller_centrals_removal_request_template():
    header, record, end = removals.feed_content(request()).decode().split("\n")
    assert header.split("\t") == list(removals.COLUMNS)
    fields = dict(zip(removals.COLUMNS, record.split("\t"), strict=True))
    assert fields["MerchantRemovalOrderID"] == "RMVTEST0001"
    assert fields["RemovalDisposition"] == "Return"
    assert (fields["AddressName"], fields["AddressCountryCode"]) == (
        "Logistikzentrum Nürnberg",
        "DE",
    )
    assert (fields["MerchantSKU"], fields["SellableQuantity"], fields["UnsellableQuantity"]) == (
        "VORH-GRAU-245",
        "0",
        "1",
    )
    assert end == ""


async def test_a_removal_order_is_one_feed_processed_into_one_order_at_amazon(
    account, apis, emulator
):
    partner = selling_partner(account)
    feed_id = await removals.submit(apis, partner, request())
    assert await removals.feed_outcome(apis, partner, feed_id, "RMVTEST0001") is (
        FeedOutcome.IN_PROCESS
    )
    assert await removals.feed_outcome(apis, partner, feed_id, "RMVTEST0001") is (
        FeedOutcome.ACCEPTED
    )
    [order] = await made(emulator)
    assert (order["order_id"], order["order_type"], order["unsellable_quantity"]) == (
        "RMVTEST0001",
        "Return",
        1,
    )
    assert order["address"]["AddressCity"] == "Nürnberg"


async def test_a_record_amazon_refuses_is_refused_with_its_words_and_makes_nothing(
    account, apis, emulator
):
    partner = selling_partner(account)
    boston = NUREMBERG.model_copy(update={"country_code": "US"})  # outside the EU region
    feed_id = await removals.submit(apis, partner, request(address=boston))
    await removals.feed_outcome(apis, partner, feed_id, "RMVTEST0001")
    with pytest.raises(Refused) as refused:
        await removals.feed_outcome(apis, partner, feed_id, "RMVTEST0001")
    assert "outside the marketplace's region" in refused.value.reason
    assert await made(emulator) == []


async def read_back(apis, partner, clock, removal_order_id: str) -> removals.ReadBack:
    since = clock.now - timedelta(minutes=5)
    report_id = await removals.ask_for_detail_report(apis, partner, since, clock.now)
    for _ in range(5):
        back = await removals.read_back(apis, partner, report_id, removal_order_id)
        if back.done:
            return back
    raise AssertionError("the detail report was never done")


async def test_an_order_whose_answer_was_lost_is_found_in_the_detail_report(
    account, apis, emulator, clock
):
    partner = selling_partner(account)
    lost = {"seller": account.account, "times": 1}
    assert (await emulator.put("/_emulator/amazon/lost-answers", json=lost)).is_success
    with pytest.raises(Unavailable) as unanswered:
        await removals.submit(apis, partner, request())
    assert "503" in str(unanswered.value)
    # Amazon made the feed nonetheless: it is in process until looked at...
    [busy] = await removals.in_process(apis, partner, clock.now)
    assert busy.processing_status is ProcessingStatus.IN_PROGRESS
    assert await removals.in_process(apis, partner, clock.now) == []  # ...then processed
    back = await read_back(apis, partner, clock, "RMVTEST0001")
    assert (back.found, back.order_status) == (True, "Pending")
    assert not (await read_back(apis, partner, clock, "RMVOTHER0002")).found
    assert len(await made(emulator)) == 1


def test_the_detail_report_is_read_by_its_column_names():
    content = (
        b"request-date\torder-id\torder-type\torder-status\tsku\n"
        b"2026-05-01T10:00:00+00:00\tRMV1\tReturn\tCompleted\tSKU-1\n\n"
    )
    [row] = removals.detail_rows(content)
    assert (row["order-id"], row["order-status"]) == ("RMV1", "Completed")
