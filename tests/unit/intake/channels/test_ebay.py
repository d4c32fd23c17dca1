from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.intake.channels.ebay import notifications as ebay
from services.intake.channels.ebay.returns import EbayReturn, case_from_return
from services.intake.domain.case import (
    ChannelError,
    Ignore,
    MarketplaceStatus,
    OpenCase,
    Reason,
    UpdateCase,
)
from shared.markets import Market

SAMPLES = Path(__file__).parents[3] / "samples" / "ebay"
# The keyset the samples in tests/samples/ebay were signed with.
KEYS = ebay.EbayKeys(
    dev_id="a1b2c3d4-dev0-4e5f-8a9b-0c1d2e3f4a5b",
    app_id="LumaHome-AfterSal-PRD-7f3e2d1c0-9a8b7c6d",
    cert_id="PRD-7f3e2d1c09a8-b7c6-4d5e-a6f7-8091",
)
SENT_AT = datetime(2024, 5, 17, 22, 15, 7, 412000, tzinfo=UTC)  # return_created.xml
NEW_YORK = ZoneInfo("America/New_York")

EVENTS = {
    "return_waiting_for_seller_info": MarketplaceStatus.WAITING_FOR_SELLER,
    "return_seller_info_overdue": MarketplaceStatus.SELLER_OVERDUE,
    "return_shipped": MarketplaceStatus.SHIPPED,
    "return_delivered": MarketplaceStatus.DELIVERED,
    "return_refund_overdue": MarketplaceStatus.REFUND_OVERDUE,
    "return_escalated": MarketplaceStatus.ESCALATED,
    "return_closed": MarketplaceStatus.CLOSED,
}


def sample(name: str) -> bytes:
    return (SAMPLES / f"{name}.xml").read_bytes()


def sent_at(body: bytes) -> datetime:
    return ebay.read(body).timestamp


def refused(body: bytes, keys=(KEYS,), now: datetime = SENT_AT) -> ChannelError:
    with pytest.raises(ChannelError) as error:
        ebay.verify({}, body, list(keys), now)
    return error.value


# ------------------------------------------------------------------ signature, freshness


def test_the_signature_is_base64_md5_of_timestamp_and_the_three_keys():
    # eBay KB 1201's inputs; the value is Base64(MD5(Timestamp + DevID + AppID + CertID)).
    keys = ebay.EbayKeys(
        dev_id="YOUR-VALUE-9a66-3f359d933e5d",
        app_id="YOUR-VALUE-abf3-92bdc3bcd29d",
        cert_id="YOUR-VALUE-43b2-b306-c537a0c83e7f",
    )
    assert ebay.signature_of("2022-01-14T18:35:50.478Z", keys) == "kXNCnUVxO0nT5/d0lxiOxw=="


@pytest.mark.parametrize("name", ["return_created", *EVENTS])
def test_every_sample_is_genuine_with_the_apps_keys(name):
    body = sample(name)
    ebay.verify({}, body, [KEYS], sent_at(body) + timedelta(minutes=9))


def test_a_wrong_cert_id_is_refused():
    wrong = KEYS.model_copy(update={"cert_id": "PRD-0000000000-0000-0000-0000-000000"})
    error = refused(sample("return_created"), keys=[wrong])
    assert (error.status, error.reason) == (401, "bad_signature")


def test_a_tampered_timestamp_breaks_the_signature():
    body = sample("return_created").replace(
        b"<Timestamp>2024-05-17T22:15:07.412Z", b"<Timestamp>2024-05-17T22:25:07.412Z"
    )
    error = refused(body, now=datetime(2024, 5, 17, 22, 25, 8, tzinfo=UTC))
    assert error.reason == "bad_signature"


def test_a_notification_without_signature_is_refused():
    body = sample("return_created").replace(b"/W3qkTYkDxNmwNUyxj+IWg==", b"")
    assert refused(body).reason == "bad_signature"


def test_either_keyset_verifies_while_the_app_rotates_its_cert():
    old = KEYS.model_copy(update={"cert_id": "PRD-old"})
    ebay.verify({}, sample("return_created"), [old, KEYS], SENT_AT)


@pytest.mark.parametrize("offset", [timedelta(minutes=10, seconds=1), -timedelta(minutes=11)])
def test_a_notification_more_than_10_minutes_off_is_stale(offset):
    error = refused(sample("return_created"), now=SENT_AT + offset)
    assert (error.status, error.reason) == (401, "stale_request")


def test_exactly_10_minutes_late_is_still_fresh():
    ebay.verify({}, sample("return_created"), [KEYS], SENT_AT + timedelta(minutes=10))


# ------------------------------------------------------------------ reading the XML


def test_the_notification_is_read_from_the_soap_envelope():
    notification = ebay.read(sample("return_created"))
    assert notification.event == "ReturnCreated"
    assert notification.recipient == "lumahome-us"
    assert notification.return_id == "5212345678"
    assert notification.buyer == "jane.doe_77"
    assert notification.site == "EBAY-US"
    assert notification.timestamp == SENT_AT
    assert notification.signature == "/W3qkTYkDxNmwNUyxj+IWg=="
    assert ebay.account_of({}, sample("return_created")) == "lumahome-us"


def test_a_body_that_is_not_xml_is_a_400():
    with pytest.raises(ChannelError) as error:
        ebay.read(b"{'not': 'xml'}")
    assert (error.value.status, error.value.reason) == (400, "malformed_xml")


def test_entity_expansion_is_refused_before_any_expansion():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<Envelope><Body><NotificationEvent><Timestamp>&lol2;</Timestamp>"
        b"</NotificationEvent></Body></Envelope>"
    )
    with pytest.raises(ChannelError) as error:
        ebay.read(bomb)
    assert error.value.status == 400


def test_a_notification_without_recipient_names_the_field():
    body = sample("return_shipped").replace(b"<RecipientUserID>lumahome-us</RecipientUserID>", b"")
    with pytest.raises(ChannelError) as error:
        ebay.read(body)
    assert (error.value.status, error.value.field) == (422, "RecipientUserID")


# ------------------------------------------------------------------ events


@pytest.mark.parametrize(("name", "status"), EVENTS.items())
def test_each_return_event_updates_the_case_with_its_status(name, status):
    [delivery] = ebay.parse({}, sample(name))
    assert isinstance(delivery.action, UpdateCase)
    assert delivery.action.status is status
    assert delivery.action.return_id == "5212345678"
    assert delivery.action.seller_account == delivery.seller_account == "lumahome-us"
    assert delivery.action.at == sent_at(sample(name))
    assert delivery.delivery_id == f"ebay:5212345678:{ebay.read(sample(name)).event}"


def test_a_redelivery_signed_afresh_has_the_same_dedupe_key():
    first = sample("return_shipped")
    again = first.replace(b"2024-05-23T16:40:21.500Z", b"2024-05-23T17:40:22.000Z")
    assert ebay.parse({}, first)[0].delivery_id == ebay.parse({}, again)[0].delivery_id


def test_return_created_opens_the_case_built_from_the_post_order_return():
    body = sample("return_created")
    assert ebay.return_to_fetch(body) == "5212345678"
    found = EbayReturn.model_validate_json(
        (SAMPLES / "post_order_return_defective.json").read_bytes()
    )
    case = case_from_return(ebay.read(body), found)
    [delivery] = ebay.parse({}, body, opened=case)
    assert isinstance(delivery.action, OpenCase)
    assert delivery.action.case == case
    assert delivery.delivery_id == "ebay:5212345678:ReturnCreated"


def test_return_created_cannot_be_parsed_without_its_return():
    with pytest.raises(ValueError, match="return_to_fetch"):
        ebay.parse({}, sample("return_created"))


def test_only_return_created_needs_the_post_order_return():
    assert [ebay.return_to_fetch(sample(name)) for name in EVENTS] == [None] * len(EVENTS)


def test_an_event_that_is_not_about_returns_is_ignored():
    body = sample("return_shipped").replace(b"ReturnShipped", b"ItemRevised")
    [delivery] = ebay.parse({}, body)
    assert isinstance(delivery.action, Ignore)


def test_waiting_for_seller_info_tells_when_the_2_business_days_end():
    [delivery] = ebay.parse({}, sample("return_waiting_for_seller_info"))
    # Opened Friday 17 May 18:14 New York: Monday and Tuesday, to Tuesday 23:59:59 EDT.
    assert delivery.action.note == "seller info due by 2024-05-22T03:59:59+00:00"


def test_return_delivered_tells_when_the_5_business_days_to_refund_end():
    [delivery] = ebay.parse({}, sample("return_delivered"))
    # Received Thursday 23 May: Fri, (Memorial Day Mon 27), Tue, Wed, Thu, Fri 31 May, EDT.
    assert delivery.action.note == "refund due by 2024-06-01T03:59:59+00:00"


# ------------------------------------------------------------------ business days, sites


def test_the_seller_response_skips_the_weekend():
    friday = datetime(2024, 5, 17, 15, 0, tzinfo=UTC)
    # Monday and Tuesday, to Tuesday 23:59:59 in London (BST).
    assert ebay.seller_response_due(friday, Market.UK) == datetime(
        2024, 5, 21, 22, 59, 59, tzinfo=UTC
    )


def test_a_return_opened_on_saturday_counts_from_monday():
    saturday = datetime(2024, 5, 18, 9, 0, tzinfo=UTC)
    assert ebay.seller_response_due(saturday, Market.UK) == datetime(
        2024, 5, 21, 22, 59, 59, tzinfo=UTC
    )


def test_five_business_days_from_a_thursday_end_the_next_thursday():
    thursday = datetime(2024, 5, 23, 12, 0, tzinfo=UTC)
    # No German public holiday in the week: Fri, Mon, Tue, Wed, Thu 30 May, 23:59:59 CEST.
    assert ebay.refund_due(thursday, Market.DE) == datetime(2024, 5, 30, 21, 59, 59, tzinfo=UTC)


def test_the_refund_clock_skips_the_markets_public_holidays():
    thursday = datetime(2024, 5, 23, 12, 0, tzinfo=UTC)
    # Monday 27 May is Memorial Day in the US, an ordinary day in Germany.
    assert ebay.refund_due(thursday, Market.US) == datetime(2024, 6, 1, 3, 59, 59, tzinfo=UTC)
    assert ebay.refund_due(thursday, Market.DE) == datetime(2024, 5, 30, 21, 59, 59, tzinfo=UTC)


def test_business_days_count_on_the_markets_calendar():
    # Sunday evening in New York is already Monday in UTC: Monday still counts.
    sunday_evening = datetime(2024, 5, 19, 21, 0, tzinfo=NEW_YORK)
    due = ebay.seller_response_due(sunday_evening, Market.US)
    assert due == datetime(2024, 5, 22, 3, 59, 59, tzinfo=UTC)  # Tuesday 23:59:59 EDT


def test_the_market_clocks_use_the_markets_calendar():
    opened = datetime(2024, 5, 17, 22, 14, 58, tzinfo=UTC)
    assert ebay.seller_response_due(opened, Market.US) == datetime(
        2024, 5, 22, 3, 59, 59, tzinfo=UTC
    )
    # Already Saturday in Berlin; Whit Monday (20 May) is a German public holiday:
    # Tue, Wed, Thu, Fri, Mon 27 May, 23:59:59 CEST.
    assert ebay.refund_due(opened, Market.DE) == datetime(2024, 5, 27, 21, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("site", "market"),
    [
        ("EBAY-US", Market.US),
        ("EBAY-GB", Market.UK),
        ("EBAY_DE", Market.DE),
        ("EBAY-ENCA", Market.CA),
        (77, Market.DE),
        (0, Market.US),
        ("EBAY-AU", None),
        (None, None),
    ],
)
def test_the_site_names_the_market(site, market):
    assert ebay.market_of_site(site) == market


# ------------------------------------------------------------------ reasons


@pytest.mark.parametrize(
    ("code", "category", "reason"),
    [
        ("DEFECTIVE_ITEM", "SNAD", Reason.DEFECTIVE),
        ("ARRIVED_DAMAGED", "SNAD", Reason.DAMAGED),
        ("NOT_AS_DESCRIBED", "SNAD", Reason.NOT_AS_DESCRIBED),
        ("DIFFERENT_FROM_LISTING", "SNAD", Reason.NOT_AS_DESCRIBED),
        ("FAKE_OR_COUNTERFEIT", "SNAD", Reason.NOT_AS_DESCRIBED),
        ("MISSING_PARTS", "SNAD", Reason.MISSING_PARTS),
        ("ORDERED_DIFFERENT_ITEM", "SNAD", Reason.WRONG_ITEM),
        ("ARRIVED_LATE", "SNAD", Reason.NOT_RECEIVED),
        ("NO_LONGER_NEED_ITEM", "REMORSE", Reason.CHANGED_MIND),
        ("ORDERED_WRONG_ITEM", "REMORSE", Reason.CHANGED_MIND),
        ("FOUND_BETTER_PRICE", "REMORSE", Reason.CHANGED_MIND),
        ("OTHER", "SNAD", Reason.NOT_AS_DESCRIBED),
        ("OTHER", "REMORSE", Reason.CHANGED_MIND),
        ("A_CODE_EBAY_ADDS_LATER", "UNKNOWN", Reason.OTHER),
        (None, None, Reason.OTHER),
    ],
)
def test_ebay_reasons_map_to_the_taxonomy(code, category, reason):
    assert ebay.reason_of(code, category) is reason


@pytest.mark.parametrize(
    ("words", "reason"),
    [
        ("Both panels are too short for my window", Reason.SIZE_TOO_SMALL),
        ("way too big for a single bed", Reason.SIZE_TOO_LARGE),
        ("does not fit", Reason.SIZE_FIT),
    ],
)
def test_wrong_size_takes_its_direction_from_the_buyers_words(words, reason):
    assert ebay.reason_of("WRONG_SIZE", "REMORSE", words) is reason
