import gzip
import hashlib
import hmac
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from services.intake.channels.amazon import notifications, reports
from services.intake.channels.amazon.reports import RejectedRow, ReportKind
from services.intake.domain.case import (
    ChannelError,
    Ignore,
    MarketplaceStatus,
    Reason,
    UpdateCase,
)
from shared.markets import Currency, Market

SAMPLES = Path(__file__).parents[3] / "samples" / "amazon"
SELLER = "A3TH9S8BH6GOGM"
SECRET = "forwarder-secret-2024"
NOW = datetime(2024, 5, 24, 15, 0, tzinfo=UTC)


def report(name: str, market: Market = Market.US) -> reports.ReportParse:
    body = (SAMPLES / f"{name}.tsv").read_bytes()
    return reports.parse_report(body, seller_account=SELLER, market=market)


def by_key(parsed: reports.ReportParse) -> dict:
    return {delivery.delivery_id: delivery.action.case for delivery in parsed.deliveries}


def notification(name: str) -> bytes:
    return (SAMPLES / f"notification_{name}.json").read_bytes()


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"x-forwarder-signature": f"sha256={digest}"}


# ------------------------------------------------------------------ seller-fulfilled report


def test_each_return_request_of_the_report_opens_a_case():
    parsed = report("returns_seller_fulfilled")
    assert parsed.kind is ReportKind.SELLER_FULFILLED
    assert parsed.rejected_rows == []
    assert list(by_key(parsed)) == [
        "amazon:rma:DfqRyqfBRRMA",
        "amazon:rma:DKq7TzB3RRMA",
        "amazon:rma:DmW2xR9pRRMA",
    ]
    assert {d.seller_account for d in parsed.deliveries} == {SELLER}


def test_a_report_row_becomes_the_canonical_case():
    case = by_key(report("returns_seller_fulfilled"))["amazon:rma:DfqRyqfBRRMA"]
    assert (case.ids.order_id, case.ids.rma_id) == ("113-6277818-6289068", "DfqRyqfBRRMA")
    assert (case.market, case.currency) == (Market.US, Currency.USD)
    [item] = case.items
    assert (item.sku, item.asin) == ("CURT-BLK-84", "B0DFN2HN9N")
    assert item.title == "Blackout Curtains 84 inch, 2 Panels, Eyelet, Black"
    assert (item.quantity, item.unit_price) == (1, Decimal("19.99"))  # 39.98 for 2 ordered
    assert (case.marketplace_reason, case.reason) == ("AMZ-PG-BAD-DESC", Reason.NOT_AS_DESCRIBED)
    assert case.requested_at == datetime(2024, 5, 14, tzinfo=UTC)
    assert case.buyer_ref == "order:113-6277818-6289068"
    [deadline] = case.deadlines
    assert (deadline.name, deadline.due_at) == ("amazon_reply", datetime(2024, 5, 15, tzinfo=UTC))


def test_the_rows_of_one_rma_are_one_case_with_several_items():
    case = by_key(report("returns_seller_fulfilled"))["amazon:rma:DKq7TzB3RRMA"]
    assert [(i.sku, i.unit_price) for i in case.items] == [
        ("RODMOTOR-US", Decimal("89.99")),
        ("RODMOTOR-REMOTE", Decimal("14.99")),
    ]


def test_uploading_the_same_report_again_gives_the_same_deliveries():
    first = report("returns_seller_fulfilled")
    again = report("returns_seller_fulfilled")
    assert [d.delivery_id for d in again.deliveries] == [d.delivery_id for d in first.deliveries]
    assert again.deliveries == first.deliveries


def test_malformed_rows_are_reported_by_line_while_good_rows_are_kept():
    parsed = report("returns_seller_fulfilled_malformed")
    assert list(by_key(parsed)) == ["amazon:rma:DGood1RRMA", "amazon:rma:DGood2RRMA"]
    assert [(r.line, r.field) for r in parsed.rejected_rows] == [
        (3, "Amazon RMA ID"),
        (4, "Return quantity"),
        (5, "Return request date"),
        (6, "Order Amount"),
    ]
    assert parsed.rejected_rows[1] == RejectedRow(
        line=4, field="Return quantity", detail="'two' is not a quantity of at least 1"
    )


def test_a_report_of_another_marketplace_is_refused_row_by_row():
    parsed = report("returns_seller_fulfilled", market=Market.UK)
    assert parsed.deliveries == []
    assert {(r.field, r.detail) for r in parsed.rejected_rows} == {
        ("Currency code", "USD in a report for the UK marketplace")
    }


def test_a_row_longer_than_the_header_is_rejected():
    body = b"Order ID\tAmazon RMA ID\n111-1\tD1RRMA\textra\n"
    parsed = reports.parse_report(body, seller_account=SELLER, market=Market.US)
    assert parsed.rejected_rows == [
        RejectedRow(line=2, field="row", detail="3 fields, the header has 2")
    ]


def test_a_file_that_is_no_returns_report_is_refused_whole():
    with pytest.raises(ChannelError) as error:
        reports.parse_report(b"sku\tprice\nA\t1\n", seller_account=SELLER, market=Market.US)
    assert (error.value.status, error.value.field) == (422, "header")


# ------------------------------------------------------------------ FBA customer returns report


def test_each_fba_returned_unit_opens_a_case_keyed_by_its_license_plate():
    parsed = report("returns_fba")
    assert parsed.kind is ReportKind.FBA
    cases = by_key(parsed)
    assert list(cases) == [
        "amazon:lpn:LPNRR123456789",
        "amazon:lpn:LPNRR987654321",
        "amazon:lpn:LPNRR555666777",
        "amazon:lpn:LPNRR111222333",
    ]
    case = cases["amazon:lpn:LPNRR123456789"]
    assert (case.ids.order_id, case.ids.license_plate) == ("113-5550001-1234567", "LPNRR123456789")
    assert case.buyer_words == "Motor stops after 2 seconds, error E3 blinking"
    assert (case.marketplace_reason, case.reason) == ("DEFECTIVE", Reason.DEFECTIVE)
    assert case.currency is Currency.USD
    assert case.items[0].unit_price == Decimal(0)  # the FBA report has no price
    assert case.requested_at == datetime(2024, 5, 20, 9, 14, 31, tzinfo=UTC)
    assert case.deadlines == []  # Amazon answers FBA buyers itself
    assert [c.reason for c in cases.values()] == [
        Reason.DEFECTIVE,
        Reason.CHANGED_MIND,
        Reason.WRONG_ITEM,
        Reason.NOT_RECEIVED,
    ]


def test_the_eu_fba_download_is_read_too():
    [delivery] = report("returns_fba_de", market=Market.DE).deliveries
    case = delivery.action.case
    assert case.ids.order_id == "302-1234567-7654321"  # the amazon-order-id column
    assert case.items[0].title == "Verdunkelungsvorhänge 245 x 140 cm, Ösen, Grau"  # cp1252
    assert (case.market, case.currency) == (Market.DE, Currency.EUR)
    assert case.requested_at == datetime(2024, 5, 20, tzinfo=UTC)  # DD-MM-YYYY
    assert case.reason is Reason.SIZE_TOO_LARGE


# ------------------------------------------------------------------ reasons


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("DEFECTIVE", Reason.DEFECTIVE),
        ("CR-DEFECTIVE", Reason.DEFECTIVE),
        ("DAMAGED_BY_CARRIER", Reason.DAMAGED),
        ("CR-DAMAGED_BY_FC", Reason.DAMAGED),
        ("UNWANTED_ITEM", Reason.CHANGED_MIND),
        ("CR-UNWANTED_ITEM", Reason.CHANGED_MIND),
        ("ORDERED_WRONG_ITEM", Reason.CHANGED_MIND),
        ("FOUND_BETTER_PRICE", Reason.CHANGED_MIND),
        ("NOT_AS_DESCRIBED", Reason.NOT_AS_DESCRIBED),
        ("AMZ-PG-BAD-DESC", Reason.NOT_AS_DESCRIBED),
        ("SWITCHEROO", Reason.WRONG_ITEM),
        ("QUALITY_UNACCEPTABLE", Reason.QUALITY),
        ("MISSING_PARTS", Reason.MISSING_PARTS),
        ("UNDELIVERABLE_REFUSED", Reason.NOT_RECEIVED),
        ("UNDELIVERABLE_UNKNOWN", Reason.NOT_RECEIVED),
        ("CR-MISSED_ESTIMATED_DELIVERY", Reason.NOT_RECEIVED),
        ("APPAREL_TOO_SMALL", Reason.SIZE_TOO_SMALL),
        ("AMZ-PG-WJ-TOO-SMALL", Reason.SIZE_TOO_SMALL),
        ("AMZ-PG-APP-TOO-LARGE", Reason.SIZE_TOO_LARGE),
        ("APPAREL_STYLE", Reason.STYLE),
        ("NO_REASON_GIVEN", Reason.OTHER),
        ("", Reason.OTHER),
    ],
)
def test_amazon_reasons_map_to_the_taxonomy(code, reason):
    assert reports.reason_of(code) is reason


# ------------------------------------------------------------------ SP-API notifications


def test_a_notification_signed_by_the_forwarder_is_genuine():
    body = notification("order_change_buyer_cancel")
    notifications.verify(signed(body), body, [SECRET], NOW)


def test_either_secret_verifies_while_the_forwarder_rotates():
    body = notification("order_change_buyer_cancel")
    notifications.verify(signed(body, "new-secret"), body, [SECRET, "new-secret"], NOW)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Forwarder-Signature": "sha256=" + "0" * 64},
        {"X-Forwarder-Signature": "not-a-sha256-signature"},
    ],
)
def test_a_missing_or_wrong_signature_is_refused(headers):
    body = notification("order_change_buyer_cancel")
    with pytest.raises(ChannelError) as error:
        notifications.verify(headers, body, [SECRET], NOW)
    assert (error.value.status, error.value.reason) == (401, "bad_signature")


def test_a_body_changed_after_signing_is_refused():
    body = notification("order_change_buyer_cancel")
    tampered = body.replace(b"114-2203948-5521907", b"114-0000000-0000000")
    with pytest.raises(ChannelError) as error:
        notifications.verify(signed(body), tampered, [SECRET], NOW)
    assert error.value.reason == "bad_signature"


def test_a_notification_is_deduped_on_its_notification_id():
    body = notification("order_change_buyer_cancel")
    [first] = notifications.parse({}, body)
    [again] = notifications.parse({}, body)
    assert first.delivery_id == again.delivery_id
    assert first.delivery_id == "amazon:notification:d0e9e693-c3ad-4373-979f-ed4ec98dd746"
    other = json.loads(body)
    other["NotificationMetadata"]["NotificationId"] = "e1f0a7a4-0000-4000-8000-000000000001"
    [second] = notifications.parse({}, json.dumps(other).encode())
    assert second.delivery_id != first.delivery_id


def test_stray_spaces_around_the_notification_id_are_not_part_of_the_key():
    [delivery] = notifications.parse({}, notification("fulfillment_order_return"))
    assert delivery.delivery_id == "amazon:notification:2012e8e5-b365-4cb1-9fd8-be9dfc6d5eaf"


def test_a_buyer_asking_to_cancel_updates_the_orders_case():
    [delivery] = notifications.parse({}, notification("order_change_buyer_cancel"))
    assert delivery.seller_account == SELLER
    assert delivery.action == UpdateCase(
        seller_account=SELLER,
        order_id="114-2203948-5521907",
        status=MarketplaceStatus.UPDATED,
        note="Buyer Requested Cancel",
        at=datetime(2024, 5, 16, 19, 42, 4, 284000, tzinfo=UTC),
    )


def test_a_cancelled_order_is_cancelled_on_its_case():
    body = json.loads(notification("order_change_shipped"))
    change = body["Payload"]["OrderChangeNotification"]
    change["Summary"]["OrderStatus"] = "Canceled"
    [delivery] = notifications.parse({}, json.dumps(body).encode())
    assert delivery.action.status is MarketplaceStatus.CANCELLED
    assert delivery.action.order_id == "111-9876543-1112223"


def test_other_order_changes_are_ignored():
    [delivery] = notifications.parse({}, notification("order_change_shipped"))
    assert isinstance(delivery.action, Ignore)


def test_an_item_back_at_amazon_marks_the_return_delivered():
    [delivery] = notifications.parse({}, notification("fulfillment_order_return"))
    assert isinstance(delivery.action, UpdateCase)
    assert delivery.action.order_id == "SHOP-1042"
    assert delivery.action.status is MarketplaceStatus.DELIVERED
    assert delivery.action.at == datetime(2024, 5, 24, 13, 58, 40, tzinfo=UTC)
    assert delivery.action.note == "1 x RODMOTOR-US back at Amazon"


def test_a_fulfillment_shipment_event_is_ignored():
    body = json.loads(notification("fulfillment_order_return"))
    status = body["Payload"]["FulfillmentOrderStatusNotification"]
    status["EventType"] = "Shipment"
    del status["FulfillmentReturnItem"]
    [delivery] = notifications.parse({}, json.dumps(body).encode())
    assert isinstance(delivery.action, Ignore)


def test_the_camel_case_envelope_is_read_and_offer_changes_ignored():
    body = notification("any_offer_changed")
    [delivery] = notifications.parse({}, body)
    assert delivery.delivery_id == "amazon:notification:8e009934-da2c-4f9c-9bc7-93f23b7e1f60"
    assert isinstance(delivery.action, Ignore)
    assert notifications.account_of({}, body) == SELLER


def test_a_notification_naming_no_seller_is_accounted_to_the_application():
    body = json.loads(notification("any_offer_changed"))
    del body["payload"]["AnyOfferChangedNotification"]["SellerId"]
    expected = "amzn1.sellerapps.app.f1234566-aaec-55a6-b123-bcb752069ec5"
    assert notifications.account_of({}, json.dumps(body).encode()) == expected


def test_an_order_change_without_order_id_names_the_field():
    body = json.loads(notification("order_change_buyer_cancel"))
    del body["Payload"]["OrderChangeNotification"]["AmazonOrderId"]
    with pytest.raises(ChannelError) as error:
        notifications.parse({}, json.dumps(body).encode())
    assert (error.value.status, error.value.field) == (
        422,
        "Payload.OrderChangeNotification.AmazonOrderId",
    )


def test_a_body_that_is_not_json_is_a_400():
    with pytest.raises(ChannelError) as error:
        notifications.parse({}, b"<xml/>")
    assert error.value.status == 400


# ------------------------------------------------------------------ whole reports, any market


def test_a_report_cut_short_is_refused_whole_naming_its_last_line_and_column():
    body = (SAMPLES / "returns_seller_fulfilled.tsv").read_bytes()
    cut = body[: body.index(b"\t89.99") + 4]  # in the Order Amount of line 3
    with pytest.raises(ChannelError) as error:
        reports.read_report(cut)
    assert (error.value.status, error.value.reason) == (422, "truncated_report")
    assert error.value.field == "line 3, column 25"
    assert "Order Amount" in error.value.detail


def test_a_gzipped_report_is_read_and_a_broken_one_refused():
    body = (SAMPLES / "returns_fba.tsv").read_bytes()
    assert len(reports.read_report(gzip.compress(body)).returns) == 4
    with pytest.raises(ChannelError) as error:
        reports.read_report(gzip.compress(body)[:-20])
    assert (error.value.status, error.value.reason) == (422, "truncated_report")


def test_a_row_names_its_marketplace_and_the_default_market_only_fills_in():
    body = (
        b"Order ID\tAmazon RMA ID\tReturn request date\tMerchant SKU\tReturn quantity\t"
        b"Order Amount\tCurrency code\tmarketplace-id\n"
        b"304-1\tDRMA1\t14-May-2024\tSKU-1\t1\t20.00\tEUR\tA1PA6795UKMFR9\n"
        b"203-1\tDRMA2\t14-May-2024\tSKU-2\t1\t18.00\tGBP\tA1F83G8C2ARO7P\n"
        b"113-1\tDRMA3\t14-May-2024\tSKU-3\t1\t25.00\tUSD\t\n"
    )
    parsed = reports.parse_report(body, seller_account=SELLER, market=Market.US)
    markets = {key: (c.market, c.currency) for key, c in by_key(parsed).items()}
    assert markets == {
        "amazon:rma:DRMA1": (Market.DE, Currency.EUR),
        "amazon:rma:DRMA2": (Market.UK, Currency.GBP),
        "amazon:rma:DRMA3": (Market.US, Currency.USD),
    }


def test_the_order_gives_the_market_and_a_missing_price():
    body = (
        b"Order ID\tAmazon RMA ID\tReturn request date\tMerchant SKU\tReturn quantity\t"
        b"Order Amount\tCurrency code\n"
        b"405-1234567-1234567\tDRMA1\t14-May-2024\tSKU-1\t1\t\tEUR\n"
    )
    [rows] = reports.read_report(body).returns
    assert reports.needs_order(rows)
    order = reports.OrderFacts(
        order_id="405-1234567-1234567",
        market=Market.FR,
        currency=Currency.EUR,
        fulfilled_by_amazon=False,
        unit_prices={"SKU-1": Decimal("31.90")},
    )
    case, rejected = reports.case_of(rows, seller_account=SELLER, market=Market.US, order=order)
    assert rejected == []
    assert (case.market, case.currency, case.items[0].unit_price) == (
        Market.FR,
        Currency.EUR,
        Decimal("31.90"),
    )
    without, refused = reports.case_of(rows, seller_account=SELLER, market=Market.DE)
    assert without is None
    assert [(r.line, r.field) for r in refused] == [(2, "Order Amount")]


def test_a_row_outside_amazons_policy_is_an_agents_to_decide():
    body = (SAMPLES / "returns_seller_fulfilled.tsv").read_bytes()
    outside = body.replace(b"CR-DEFECTIVE\tY\t", b"CR-DEFECTIVE\tN\t")
    cases = by_key(reports.parse_report(outside, seller_account=SELLER, market=Market.US))
    assert cases["amazon:rma:DKq7TzB3RRMA"].agent_decides_because.startswith("Amazon says")
    assert cases["amazon:rma:DfqRyqfBRRMA"].agent_decides_because is None


def test_an_fba_unit_is_amazons_and_what_the_centre_found_follows_its_opening():
    [delivery, *_] = report("returns_fba").deliveries
    case = delivery.action.case
    assert case.fulfilled_by_marketplace
    assert case.ids.return_id == "LPNRR123456789"
    [found] = delivery.action.then
    assert (found.license_plate, found.order_id, found.sku) == (
        "LPNRR123456789",
        "113-5550001-1234567",
        "RODMOTOR-US",
    )
    assert (found.fulfillment_center, found.disposition, found.amazon_status) == (
        "PHX7",
        "DEFECTIVE",
        "Unit returned to inventory",
    )
    assert (found.fnsku, found.quantity, found.seller_account) == ("X002ABCDEF", 1, SELLER)
    assert found.returned_at == datetime(2024, 5, 20, 9, 14, 31, tzinfo=UTC)


def test_each_report_says_what_it_found_of_each_unit_in_a_delivery_keyed_by_what_it_says():
    body = (SAMPLES / "returns_fba.tsv").read_bytes()
    seen = datetime(2024, 6, 1, tzinfo=UTC)
    returns = reports.read_report(body).returns
    first = reports.unit_deliveries(returns, SELLER, seen)
    again = reports.unit_deliveries(reports.read_report(body).returns, SELLER, seen)
    assert [d.delivery_id for d in first] == [d.delivery_id for d in again]  # a duplicate
    assert first[0].delivery_id.startswith("amazon:lpn:LPNRR123456789/unit/")
    assert first[0].action.seen_at == seen
    graded = reports.unit_deliveries(
        reports.read_report(body.replace(b"\tDEFECTIVE\tDEFECTIVE\t", b"\t\tDEFECTIVE\t")).returns,
        SELLER,
        seen,
    )
    assert graded[0].delivery_id != first[0].delivery_id  # a new word: a new delivery
    assert graded[0].action.disposition == ""  # not graded yet
    assert [d.delivery_id for d in graded[1:]] == [d.delivery_id for d in first[1:]]
    seller_fulfilled = reports.read_report((SAMPLES / "returns_seller_fulfilled.tsv").read_bytes())
    assert reports.unit_deliveries(seller_fulfilled.returns, SELLER, seen) == []


# ------------------------------------------------------------------ cancellations


def test_a_buyer_cancelling_before_shipment_never_waits_for_a_case():
    [delivery] = notifications.read({}, notification("order_change_buyer_cancel"))
    assert delivery.action.status is MarketplaceStatus.UPDATED
    assert "cancelled before it shipped" in delivery.action.moot_without_case


def test_a_shipped_orders_change_is_not_moot():
    body = json.loads(notification("order_change_shipped"))
    body["Payload"]["OrderChangeNotification"]["OrderChangeType"] = "BuyerRequestedChange"
    body["Payload"]["OrderChangeNotification"]["OrderChangeTrigger"]["ChangeReason"] = (
        "Buyer Requested Cancel"
    )
    [delivery] = notifications.read({}, json.dumps(body).encode())
    assert delivery.action.moot_without_case is None


def test_a_cancelled_order_is_cancelled_even_when_the_buyer_asked_for_it():
    body = json.loads(notification("order_change_buyer_cancel"))
    body["Payload"]["OrderChangeNotification"]["Summary"]["OrderStatus"] = "Canceled"
    [delivery] = notifications.read({}, json.dumps(body).encode())
    assert delivery.action.status is MarketplaceStatus.CANCELLED
    assert delivery.action.moot_without_case


def flagged_report() -> bytes:
    """The sample report, its first return flagged with an A-to-z claim and its second with
    a SAFE-T claim the seller filed (the trailing SafeT columns)."""
    header, first, second, *rest = (
        (SAMPLES / "returns_seller_fulfilled.tsv").read_text().split("\n")
    )
    columns = header.split("\t")
    first_fields = first.split("\t")
    first_fields[columns.index("A-to-Z Claim")] = "Y"
    second_fields = second.split("\t")
    safe_t = {
        "SafeT Action reason": "Buyer returned a damaged item",
        "SafeT claim id": "SAFET0042",
        "SafeT claim state": "Pending",
        "SafeT claim creation time": "25-May-2024",
        "SafeT claim reimbursement amount": "45.00",
    }
    for column, value in safe_t.items():
        second_fields[columns.index(column)] = value
    lines = [header, "\t".join(first_fields), "\t".join(second_fields), *rest]
    return "\n".join(lines).encode()


def test_the_claims_a_report_flags_are_each_a_delivery_of_their_own():
    read = reports.read_report(flagged_report())
    deliveries = reports.claim_deliveries(read.returns, SELLER, NOW)
    by_kind = {d.action.claim.kind.value: d for d in deliveries}
    assert sorted(by_kind) == ["amazon_a_to_z", "amazon_safe_t"]

    a_to_z = by_kind["amazon_a_to_z"]
    assert (
        a_to_z.delivery_id
        == "amazon:rma:DfqRyqfBRRMA/claim/amazon_a_to_z/order:113-6277818-6289068"
    )
    # Its case is found by its order, as every seller-fulfilled return's is.
    assert a_to_z.action.order_id == "113-6277818-6289068"
    assert a_to_z.action.status == "escalated"
    # The report dates no A-to-z claim: its clock starts when the report is read.
    assert a_to_z.action.claim.notice_at == NOW
    assert a_to_z.action.claim.amount_minor == 3998  # the order line's amount

    safe_t = by_kind["amazon_safe_t"].action
    assert safe_t.status is None  # nothing new of the return itself
    assert safe_t.claim.marketplace_claim_id == "SAFET0042"
    assert safe_t.claim.filed_at == datetime(2024, 5, 25, tzinfo=UTC)
    assert (safe_t.claim.amount_minor, safe_t.claim.state) == (4500, "Pending")
    # Read again, the same claims are the same deliveries: a duplicate, not a new claim.
    again = reports.claim_deliveries(reports.read_report(flagged_report()).returns, SELLER, NOW)
    assert [d.delivery_id for d in again] == [d.delivery_id for d in deliveries]


def test_a_report_flagging_no_claim_gives_no_claim_delivery():
    read = reports.read_report((SAMPLES / "returns_seller_fulfilled.tsv").read_bytes())
    assert reports.claim_deliveries(read.returns, SELLER, NOW) == []
