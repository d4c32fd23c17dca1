"""eBay (`services/intake/channels/ebay/`): return notifications, verified and parsed; the
Post-Order return, read and merged into its case; Marketplace Account Deletion; eBay's
public keys. The API clients run against local fakes (pytest-httpserver)."""

import asyncio
import base64
import hashlib
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from services.intake.channels.ebay import account_deletion, public_keys
from services.intake.channels.ebay import notifications as ebay
from services.intake.channels.ebay.post_order_api import read_return
from services.intake.channels.ebay.returns import EbayReturn, case_from_return, marketplace_id_of
from services.intake.domain.case import (
    Channel,
    ChannelError,
    EraseBuyer,
    Ignore,
    MarketplaceStatus,
    OpenCase,
    Reason,
    UpdateCase,
)
from shared.markets import Currency, Market
from shared.outbound import Refused, Unavailable

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


# ------------------------------------------- the Post-Order return (post_order_api.py, returns.py)
TOKEN = "v^1.1#i^1#p^3#r^1#I^3#f^0#t^Ul4xMF8x"
RETURN_PATH = "/post-order/v2/return/5212345678"


def resource(name: str) -> dict:
    return json.loads((SAMPLES / f"post_order_return_{name}.json").read_text())


def created() -> ebay.ReturnNotification:
    return ebay.read((SAMPLES / "return_created.xml").read_bytes())


async def read_ebay_return(
    server: HTTPServer,
    return_id: str = "5212345678",
    marketplace_id: str = "EBAY_US",
    timeout: float = 2.0,
) -> EbayReturn:
    async with httpx.AsyncClient(timeout=timeout) as http:
        return await read_return(http, server.url_for(""), TOKEN, return_id, marketplace_id)


# ------------------------------------------------------------------ the client, over HTTP


async def test_the_return_is_fetched_with_the_sellers_token_and_site(httpserver: HTTPServer):
    httpserver.expect_request(
        RETURN_PATH,
        method="GET",
        query_string={"fieldgroups": "FULL"},
        headers={"Authorization": f"IAF {TOKEN}", "X-EBAY-C-MARKETPLACE-ID": "EBAY_US"},
    ).respond_with_json(resource("defective"))
    found = await read_ebay_return(httpserver, "5212345678", marketplace_id_of(created()))
    assert found == EbayReturn.model_validate(resource("defective"))
    assert found.summary.creation_info.reason == "DEFECTIVE_ITEM"
    httpserver.check_assertions()


async def test_the_summary_is_asked_for_when_the_full_answer_lacks_it(httpserver: HTTPServer):
    both = resource("defective")
    httpserver.expect_request(RETURN_PATH, query_string={"fieldgroups": "FULL"}).respond_with_json(
        {"detail": both["detail"]}
    )
    httpserver.expect_request(
        RETURN_PATH, query_string={"fieldgroups": "SUMMARY"}
    ).respond_with_json({"summary": both["summary"]})
    found = await read_ebay_return(httpserver, "5212345678")
    assert found.summary.return_id == "5212345678"
    assert found.detail.item_detail.item_title == "Motorized Curtain Rod 84in Smart Track, US Plug"


async def test_an_unknown_return_is_a_clear_not_found(httpserver: HTTPServer):
    httpserver.expect_request(RETURN_PATH).respond_with_json(
        {"error": [{"errorId": 1001, "message": "Return not found"}]}, status=404
    )
    with pytest.raises(Refused, match="no return 5212345678") as error:
        await read_ebay_return(httpserver, "5212345678")
    assert error.value.status == 404


async def test_a_server_error_says_to_try_again_later(httpserver: HTTPServer):
    httpserver.expect_request(RETURN_PATH).respond_with_data("upstream down", status=503)
    with pytest.raises(Unavailable, match="answered 503 .* try again later") as error:
        await read_ebay_return(httpserver, "5212345678")
    assert error.value.status == 503


@pytest.mark.parametrize("status", [408, 429])
async def test_a_timeout_or_throttling_answer_says_to_try_again_later(httpserver, status):
    httpserver.expect_request(RETURN_PATH).respond_with_data("slow down", status=status)
    with pytest.raises(Unavailable) as error:
        await read_ebay_return(httpserver, "5212345678")
    assert error.value.status == status


async def test_a_slow_server_times_out_and_may_be_retried(httpserver: HTTPServer):
    answered = threading.Event()

    def slow(request: Request) -> Response:
        time.sleep(1.0)
        answered.set()
        return Response(json.dumps(resource("defective")), content_type="application/json")

    httpserver.expect_request(RETURN_PATH).respond_with_handler(slow)
    with pytest.raises(Unavailable, match="did not answer .* in time"):
        await read_ebay_return(httpserver, "5212345678", timeout=0.2)
    # The late answer is logged when given: not in a later test's log of the shared server.
    await asyncio.to_thread(answered.wait, 5)
    await asyncio.sleep(0.1)


async def test_a_refused_token_is_not_retried(httpserver: HTTPServer):
    httpserver.expect_request(RETURN_PATH).respond_with_json({"error": []}, status=401)
    with pytest.raises(Refused, match="refused the seller's token") as error:
        await read_ebay_return(httpserver, "5212345678")
    assert error.value.status == 401


async def test_an_answer_that_is_not_the_resource_is_an_error(httpserver: HTTPServer):
    httpserver.expect_request(RETURN_PATH).respond_with_data("<html>maintenance</html>")
    with pytest.raises(Refused, match="not the documented resource"):
        await read_ebay_return(httpserver, "5212345678")


async def test_fetched_and_merged_the_return_opens_a_case(httpserver: HTTPServer):
    httpserver.expect_request(RETURN_PATH).respond_with_json(resource("defective"))
    body = (SAMPLES / "return_created.xml").read_bytes()
    found = await read_ebay_return(httpserver, ebay.return_to_fetch(body))
    [delivery] = ebay.parse({}, body, opened=case_from_return(ebay.read(body), found))
    assert delivery.action.case.reason is Reason.DEFECTIVE


# ------------------------------------------------------------------ the merge, pure


def test_the_return_becomes_the_canonical_case():
    case = case_from_return(created(), EbayReturn.model_validate(resource("defective")))
    assert case.seller_account == "lumahome-us"
    assert (case.ids.order_id, case.ids.return_id) == ("12-11223-44556", "5212345678")
    assert (case.market, case.currency) == (Market.US, Currency.USD)
    [item] = case.items
    assert item.sku == "395512345678"  # the listing: eBay documents no SKU on a return
    assert item.title == "Motorized Curtain Rod 84in Smart Track, US Plug"
    assert (item.unit_price, item.quantity) == (Decimal("89.99"), 1)
    assert (case.marketplace_reason, case.reason) == ("DEFECTIVE_ITEM", Reason.DEFECTIVE)
    assert case.buyer_words == "The rod motor stops after 2 seconds and the light blinks E3."
    assert case.buyer_ref == "jane.doe_77"
    assert case.requested_at == datetime(2024, 5, 17, 22, 14, 58, tzinfo=UTC)
    # eBay's own respondByDate wins over the computed 2 business days (22 May).
    [deadline] = case.deadlines
    assert (deadline.name, deadline.due_at) == (
        "seller_response",
        datetime(2024, 5, 23, 6, 59, 59, tzinfo=UTC),
    )


def test_without_due_date_or_order_id_the_documented_rules_fill_in():
    case = case_from_return(created(), EbayReturn.model_validate(resource("wrong_size")))
    assert (case.market, case.currency) == (Market.UK, Currency.GBP)  # the listing's site
    assert case.ids.order_id == "285598765432-2290011223344"  # itemId-transactionId
    assert (case.items[0].quantity, case.items[0].unit_price) == (2, Decimal("24.50"))
    assert case.reason is Reason.SIZE_TOO_SMALL  # WRONG_SIZE, "too short"
    # Opened Saturday 18 May: Monday and Tuesday, to Tuesday 23:59:59 in London (BST).
    assert case.deadlines[0].due_at == datetime(2024, 5, 21, 22, 59, 59, tzinfo=UTC)


def test_a_currency_we_do_not_serve_names_the_field():
    found = resource("defective")
    found["detail"]["itemDetail"]["itemPrice"]["currency"] = "AUD"
    with pytest.raises(ChannelError) as error:
        case_from_return(created(), EbayReturn.model_validate(found))
    assert (error.value.status, error.value.field) == (422, "itemPrice.currency")


def test_a_return_without_summary_cannot_open_a_case():
    with pytest.raises(ChannelError) as error:
        case_from_return(created(), EbayReturn.model_validate({"detail": {}}))
    assert error.value.field == "summary"


def test_the_marketplace_header_is_the_notifications_site():
    uk = created().model_copy(update={"site": "EBAY-GB"})
    assert marketplace_id_of(uk) == "EBAY_GB"


# ---------------------------------------------- Marketplace Account Deletion (account_deletion.py)
KID = "9936261a-7d7b-4621-a0f1-96ccb428af49"
SELLER = "linen_home_outlet"
NOTIFICATION_ID = "49feeaeb-4982-42d9-a377-9645b8479411_33f7e043-fed8-442b-9d44-791923bd9a6d"

# eBay's own known answer, from its Java SDK's test data (Apache-2.0,
# https://github.com/eBay/event-notification-java-sdk, src/test/.../data): the key as
# getPublicKey gives it, and the header eBay sent with the sample notification.
EBAY_SDK_KEY = (
    "-----BEGIN PUBLIC KEY-----MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZhhxXKtR+TOvtDbgTPCkSof02qgBB7Is"
    "YOyf76ilExJ/upAa/vKIKheOoCyOpcLmi4t0b4uepb7LLjmMr90FUg==-----END PUBLIC KEY-----"
)
EBAY_SDK_HEADER = (
    "eyJhbGciOiJlY2RzYSIsImtpZCI6Ijk5MzYyNjFhLTdkN2ItNDYyMS1hMGYxLTk2Y2NiNDI4YWY0OSIsInNpZ25hdHVy"
    "ZSI6Ik1FWUNJUUNmeGZJV3V4bVdjSUJRSjljNS9YN2lHREpxczJSQ0dzQkVhQWppbnlycmZBSWhBSVY2d0djVGlCdVY1"
    "S0pVaWYyaG9reXJMK1E5c3NIa2FkK214Mm5FRTI1dyIsImRpZ2VzdCI6IlNIQTEifQ=="
)


@pytest.fixture(scope="module")
def ebay_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def deletion_sample() -> bytes:
    return (SAMPLES / "account_deletion.json").read_bytes()


def compact(body: bytes) -> bytes:
    return json.dumps(json.loads(body), separators=(",", ":")).encode()


def pem(private_key: ec.EllipticCurvePrivateKey) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def signature_header(claims: dict) -> str:
    return base64.b64encode(json.dumps(claims).encode()).decode()


def signed(body: bytes, private_key: ec.EllipticCurvePrivateKey, **claims: str) -> dict:
    """The headers eBay sends: SHA1withECDSA over the body, DER, in base64 JSON."""
    signature = private_key.sign(body, ec.ECDSA(hashes.SHA1()))
    header = {
        "alg": "ecdsa",
        "kid": KID,
        "signature": base64.b64encode(signature).decode(),
        "digest": "SHA1",
        **claims,
    }
    return {"X-EBAY-SIGNATURE": signature_header(header), "Content-Type": "application/json"}


def refused_deletion(headers: dict, body: bytes, public_key_pem: str) -> ChannelError:
    with pytest.raises(ChannelError) as error:
        account_deletion.verify(headers, body, public_key_pem)
    assert (error.value.status, error.value.reason) == (401, "bad_signature")
    return error.value


# Endpoint validation


def test_the_challenge_response_is_the_sha256_of_code_token_and_endpoint():
    code, token = "a8628072-3d33-45ee-9004-bee86830a22d", "tok_3kP9wQ7zX2mN8vB4cR6tY1uJ5hG0fD3s"
    endpoint = "https://intake.example.com/webhooks/ebay/account-deletion"
    expected = hashlib.sha256(code.encode() + token.encode() + endpoint.encode()).hexdigest()
    assert account_deletion.challenge_response(code, token, endpoint) == expected
    assert account_deletion.challenge_answer(code, token, endpoint) == {
        "challengeResponse": expected
    }


def test_the_endpoint_must_be_the_one_registered_to_the_character():
    code, token = "a8628072", "tok_3kP9wQ7zX2mN8vB4cR6tY1uJ5hG0fD3s"
    endpoint = "https://intake.example.com/webhooks/ebay/account-deletion"
    assert account_deletion.challenge_response(
        code, token, endpoint
    ) != account_deletion.challenge_response(code, token, endpoint + "/")


# The signature


def test_the_key_id_is_read_from_the_signature_header(ebay_key):
    assert account_deletion.signature_key_id(signed(deletion_sample(), ebay_key)) == KID


def test_a_body_signed_with_ebays_key_is_genuine(ebay_key):
    body = deletion_sample()
    account_deletion.verify(signed(body, ebay_key), body, pem(ebay_key))


def test_ebays_own_sample_signature_is_genuine():
    """eBay signed the compact JSON of the sample; the sample here is pretty-printed."""
    headers = {"x-ebay-signature": EBAY_SDK_HEADER}
    assert account_deletion.signature_key_id(headers) == KID
    account_deletion.verify(headers, compact(deletion_sample()), EBAY_SDK_KEY)
    account_deletion.verify(headers, deletion_sample(), EBAY_SDK_KEY)


def test_the_compact_json_ebays_sdks_check_is_accepted_for_a_reformatted_body(ebay_key):
    body = deletion_sample()
    account_deletion.verify(signed(compact(body), ebay_key), body, pem(ebay_key))


@pytest.mark.parametrize("form", ["one line, as getPublicKey gives it", "bare base64"])
def test_the_public_key_is_read_as_ebay_gives_it(ebay_key, form):
    lines = pem(ebay_key).strip().splitlines()
    key = "".join(lines) if form.startswith("one line") else "".join(lines[1:-1])
    body = deletion_sample()
    account_deletion.verify(signed(body, ebay_key), body, key)


def test_a_tampered_body_is_forged(ebay_key):
    body = deletion_sample()
    tampered = body.replace(b"test_user", b"other_user")
    assert tampered != body
    refused_deletion(signed(body, ebay_key), tampered, pem(ebay_key))


def test_a_body_signed_with_another_key_is_forged(ebay_key):
    body = deletion_sample()
    other_key = ec.generate_private_key(ec.SECP256R1())
    refused_deletion(signed(body, other_key), body, pem(ebay_key))


def test_ebays_sample_signature_does_not_cover_another_user():
    body = compact(deletion_sample()).replace(b"test_user", b"other_user")
    refused_deletion({"X-EBAY-SIGNATURE": EBAY_SDK_HEADER}, body, EBAY_SDK_KEY)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("not base64 at all!", id="not base64"),
        pytest.param(base64.b64encode(b"alg=ecdsa;kid=1").decode(), id="not JSON"),
        pytest.param(
            signature_header({"alg": "ecdsa", "signature": "MEU=", "digest": "SHA1"}), id="no kid"
        ),
        pytest.param(
            signature_header(
                {"alg": "ecdsa", "kid": "../../oauth", "signature": "MEU=", "digest": "SHA1"}
            ),
            id="a kid that is not an id",
        ),
    ],
)
def test_a_malformed_signature_header_is_forged(ebay_key, header):
    refused_deletion({"X-EBAY-SIGNATURE": header}, deletion_sample(), pem(ebay_key))
    with pytest.raises(ChannelError):
        account_deletion.signature_key_id({"X-EBAY-SIGNATURE": header})


def test_a_notification_without_the_signature_header_is_forged(ebay_key):
    error = refused_deletion({"Content-Type": "application/json"}, deletion_sample(), pem(ebay_key))
    assert "X-EBAY-SIGNATURE" in error.detail


@pytest.mark.parametrize(
    ("claims", "words"),
    [
        ({"alg": "rsa"}, "ECDSA"),
        ({"digest": "MD5"}, "digest"),
        ({"signature": "not base64!"}, "base64"),
        ({"signature": base64.b64encode(b"not DER").decode()}, "does not match"),
    ],
)
def test_a_signature_eBay_does_not_make_is_forged(ebay_key, claims, words):
    body = deletion_sample()
    error = refused_deletion(signed(body, ebay_key, **claims), body, pem(ebay_key))
    assert words in error.detail


def test_a_key_that_cannot_check_an_ecdsa_signature_is_refused(ebay_key):
    body = deletion_sample()
    refused_deletion(
        signed(body, ebay_key),
        body,
        "-----BEGIN PUBLIC KEY-----bm90IGEga2V5-----END PUBLIC KEY-----",
    )


# Parsing


def test_an_account_deletion_erases_the_buyer_known_by_ebay_username():
    [delivery] = account_deletion.parse({}, deletion_sample(), SELLER)
    assert delivery.channel is Channel.EBAY
    assert delivery.delivery_id == f"ebay:account-deletion:{NOTIFICATION_ID}:{SELLER}"
    assert delivery.seller_account == SELLER
    assert delivery.action == EraseBuyer(seller_account=SELLER, buyer_ref="test_user")


def test_each_seller_account_gets_its_own_erasure():
    accounts = ("linen_home_outlet", "gadget_depot_us")
    actions = [account_deletion.parse({}, deletion_sample(), a)[0].action for a in accounts]
    assert [action.seller_account for action in actions] == list(accounts)


def test_another_topic_is_ignored():
    notification = json.loads(deletion_sample())
    notification["metadata"]["topic"] = "PRIORITY_LISTING_REVISION"
    [delivery] = account_deletion.parse({}, json.dumps(notification).encode(), SELLER)
    assert isinstance(delivery.action, Ignore)
    assert delivery.delivery_id == f"ebay:account-deletion:{NOTIFICATION_ID}:{SELLER}"


def test_a_body_that_is_not_json_is_a_bad_request():
    with pytest.raises(ChannelError) as error:
        account_deletion.parse({}, b"<xml/>", SELLER)
    assert error.value.status == 400


def test_a_deletion_without_a_username_names_the_field():
    notification = json.loads(deletion_sample())
    del notification["notification"]["data"]["username"]
    with pytest.raises(ChannelError) as error:
        account_deletion.parse({}, json.dumps(notification).encode(), SELLER)
    assert (error.value.status, error.value.field) == (422, "notification.data.username")


# ------------------------------------------------------------- eBay's public keys (public_keys.py)
PATH = f"/commerce/notification/v1/public_key/{KID}"
APP_TOKEN = "v^1.1#i^1#p^1#r^0#I^3#f^0#t^H4sIAAAAAAAAAOVYa2wUVRTe7fZBKQWMhFeILA"
CLIENT_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def public_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def as_ebay_gives_it(pem: str) -> str:
    """getPublicKey's `key`: the armoured PEM on one line."""
    return "".join(pem.strip().splitlines())


def answer(httpserver: HTTPServer, pem: str, key_id: str = KID) -> None:
    httpserver.expect_request(
        f"/commerce/notification/v1/public_key/{key_id}", method="GET"
    ).respond_with_json({"key": as_ebay_gives_it(pem), "algorithm": "ECDSA", "digest": "SHA1"})


@pytest.fixture
async def client():
    async with httpx.AsyncClient(timeout=CLIENT_TIMEOUT) as client:
        yield client


async def read_key(client: httpx.AsyncClient, httpserver: HTTPServer, key_id: str = KID) -> str:
    return await public_keys.read_public_key(client, httpserver.url_for("/"), APP_TOKEN, key_id)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# A successful read


async def test_the_key_is_read_with_the_app_token_as_a_standard_pem(client, httpserver, public_pem):
    answer(httpserver, public_pem)
    assert await read_key(client, httpserver) == public_pem
    [(request, _)] = httpserver.log
    assert request.path == PATH
    assert request.headers["Authorization"] == f"Bearer {APP_TOKEN}"


async def test_a_bare_key_is_given_its_armour(client, httpserver, public_pem):
    bare = "".join(public_pem.strip().splitlines()[1:-1])
    httpserver.expect_request(PATH).respond_with_json({"key": bare, "algorithm": "ECDSA"})
    assert await read_key(client, httpserver) == public_pem


async def test_the_key_id_is_one_segment_of_the_path(httpserver, public_pem):
    leaving: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        leaving.append(request)

    httpserver.expect_request("/commerce/notification/v1/public_key/a/b").respond_with_json(
        {"key": as_ebay_gives_it(public_pem)}
    )
    async with httpx.AsyncClient(event_hooks={"request": [record]}) as client:
        await read_key(client, httpserver, "a/b")
    [request] = leaving
    assert request.url.raw_path == b"/commerce/notification/v1/public_key/a%2Fb"


# The cache


async def test_a_key_read_once_is_not_asked_again_within_the_hour(client, httpserver, public_pem):
    answer(httpserver, public_pem)
    keys = public_keys.PublicKeys()
    base_url = httpserver.url_for("/")
    first = await keys.key(client, base_url, APP_TOKEN, KID)
    second = await keys.key(client, base_url, APP_TOKEN, KID)
    assert first == second == public_pem
    assert len(httpserver.log) == 1


async def test_a_key_is_asked_again_after_the_hour(client, httpserver, public_pem):
    answer(httpserver, public_pem)
    clock = Clock()
    keys = public_keys.PublicKeys(clock=clock)
    base_url = httpserver.url_for("/")
    await keys.key(client, base_url, APP_TOKEN, KID)
    clock.now += 3599
    await keys.key(client, base_url, APP_TOKEN, KID)
    assert len(httpserver.log) == 1
    clock.now += 1
    await keys.key(client, base_url, APP_TOKEN, KID)
    assert len(httpserver.log) == 2


async def test_each_key_id_is_kept_apart(client, httpserver, public_pem):
    other_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    answer(httpserver, public_pem)
    answer(httpserver, other_pem, "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")
    keys = public_keys.PublicKeys()
    base_url = httpserver.url_for("/")
    assert await keys.key(client, base_url, APP_TOKEN, KID) == public_pem
    other = await keys.key(client, base_url, APP_TOKEN, "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")
    assert other == other_pem


async def test_a_failed_read_is_not_kept(client, httpserver, public_pem):
    httpserver.expect_ordered_request(PATH).respond_with_json({"errors": []}, status=503)
    httpserver.expect_ordered_request(PATH).respond_with_json({"key": as_ebay_gives_it(public_pem)})
    keys = public_keys.PublicKeys()
    base_url = httpserver.url_for("/")
    with pytest.raises(Unavailable):
        await keys.key(client, base_url, APP_TOKEN, KID)
    assert await keys.key(client, base_url, APP_TOKEN, KID) == public_pem


# Refused: retrying will not help


@pytest.mark.parametrize("status", [404, 400, 401, 403])
async def test_a_refusing_status_is_permanent(client, httpserver, status):
    body = {"errors": [{"errorId": 195000, "message": "Resource not found."}]}
    httpserver.expect_request(PATH).respond_with_json(body, status=status)
    with pytest.raises(Refused) as error:
        await read_key(client, httpserver)
    assert error.value.status == status
    assert f"public key {KID}" in error.value.reason


@pytest.mark.parametrize(
    "body", [{"algorithm": "ECDSA", "digest": "SHA1"}, {"key": "not a key", "digest": "SHA1"}]
)
async def test_an_answer_without_a_readable_key_is_refused(client, httpserver, body):
    httpserver.expect_request(PATH).respond_with_json(body)
    with pytest.raises(Refused):
        await read_key(client, httpserver)


# Unavailable: retry later


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_throttling_and_server_errors_are_transient(client, httpserver, status):
    httpserver.expect_request(PATH).respond_with_json({"errors": []}, status=status)
    with pytest.raises(Unavailable) as error:
        await read_key(client, httpserver)
    assert error.value.status == status


async def test_no_answer_in_time_is_transient(client, httpserver):
    answered = threading.Event()

    def slow(request: Request) -> Response:
        # The fake server serves one request at a time: it answers once the client gave up.
        answered.wait(timeout=5)
        return Response("{}", content_type="application/json")

    httpserver.expect_request(PATH).respond_with_handler(slow)
    with pytest.raises(Unavailable, match="no answer in time"):
        await read_key(client, httpserver)
    answered.set()
