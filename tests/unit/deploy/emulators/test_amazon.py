"""The emulated Amazon (`deploy/emulators/amazon.py`): Login with Amazon, the Reports API and
its returns reports (deterministic, several markets, FBA units), the Orders API, the Feeds
API's payment adjustments with their ledger, the Finances API, SQS, and faults."""

import gzip
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from deploy.emulators import amazon as emulated
from deploy.emulators.app import create_app, emulated_settings

US, DE, FR, UK = "ATVPDKIKX0DER", "A1PA6795UKMFR9", "A13V1IB3VIYZZH", "A1F83G8C2ARO7P"
CLIENT = "amzn1.application-oa2-client.emulatortest"
START = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.fixture
async def emulator():
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://emulators") as http:
        yield http


def form(**changes) -> dict:
    return {
        "grant_type": "refresh_token",
        "refresh_token": "Atzr|A1SELLER",
        "client_id": CLIENT,
        "client_secret": "secret",
        **changes,
    }


async def token_of(emulator: httpx.AsyncClient, seller: str = "A1SELLER") -> dict[str, str]:
    answer = await emulator.post("/amazon/auth/o2/token", data=form(refresh_token=f"Atzr|{seller}"))
    return {"x-amz-access-token": answer.json()["access_token"]}


async def report(
    emulator: httpx.AsyncClient, kind: str, marketplaces: list[str], days: int = 2, seller="A1"
) -> tuple[str, bytes]:
    """A report asked for, looked at until done, its document downloaded and unzipped."""
    auth = await token_of(emulator, seller)
    spec = {
        "reportType": kind,
        "marketplaceIds": marketplaces,
        "dataStartTime": START.isoformat(),
        "dataEndTime": (START + timedelta(days=days)).isoformat(),
    }
    created = await emulator.post("/amazon/reports/2021-06-30/reports", json=spec, headers=auth)
    assert created.status_code == 202
    report_id = created.json()["reportId"]
    statuses = []
    for _ in range(3):
        got = await emulator.get(f"/amazon/reports/2021-06-30/reports/{report_id}", headers=auth)
        statuses.append(got.json()["processingStatus"])
    assert statuses == ["IN_QUEUE", "IN_PROGRESS", "DONE"]
    document_id = got.json()["reportDocumentId"]
    document = await emulator.get(
        f"/amazon/reports/2021-06-30/documents/{document_id}", headers=auth
    )
    assert document.json()["compressionAlgorithm"] == "GZIP"
    url = document.json()["url"].removeprefix("http://emulators")
    return report_id, gzip.decompress((await emulator.get(url)).content)


def rows_of(content: bytes) -> list[dict[str, str]]:
    header, *lines = content.decode().splitlines()
    columns = header.split("\t")
    return [dict(zip(columns, line.split("\t"), strict=False)) for line in lines]


# Login with Amazon


async def test_a_refresh_token_gets_an_hour_long_access_token(emulator):
    answer = await emulator.post("/amazon/auth/o2/token", data=form())
    assert answer.status_code == 200
    token = answer.json()
    assert token["token_type"] == "bearer" and token["expires_in"] == 3600
    assert token["access_token"].startswith("Atza|")
    assert (await emulator.get("/_emulator/amazon/tokens")).json() == {"issued": 1}


@pytest.mark.parametrize(
    ("changes", "status", "error"),
    [
        ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
        ({"refresh_token": ""}, 400, "invalid_request"),
        ({"client_id": "someone-else"}, 401, "invalid_client"),
        ({"refresh_token": "revoked|A1"}, 400, "invalid_grant"),
    ],
)
async def test_lwa_refuses_as_login_with_amazon_does(emulator, changes, status, error):
    answer = await emulator.post("/amazon/auth/o2/token", data=form(**changes))
    assert answer.status_code == status
    assert answer.json()["error"] == error and answer.json()["error_description"]


async def test_an_sp_api_call_without_a_good_token_is_refused_as_sp_api_refuses_it(emulator):
    for headers in ({}, {"x-amz-access-token": "Atza|forged"}):
        answer = await emulator.get("/amazon/orders/v0/orders/113-1000000-0000000", headers=headers)
        assert answer.status_code == 403
        assert answer.json()["errors"][0]["code"] == "Unauthorized"
    auth = await token_of(emulator)
    assert (await emulator.delete("/_emulator/amazon/tokens")).status_code == 204
    revoked = await emulator.get("/amazon/orders/v0/orders/113-1000000-0000000", headers=auth)
    assert revoked.status_code == 403


# Reports


async def test_a_report_goes_through_its_states_and_its_document_is_gzipped_tsv(emulator):
    _, content = await report(emulator, emulated.SELLER_FULFILLED, [US])
    header = content.decode().splitlines()[0].split("\t")
    assert header == list(emulated.SELLER_FULFILLED_COLUMNS)
    assert len(rows_of(content)) >= 8  # a return every six hours, some of two items


async def test_the_same_window_gives_the_same_rows_and_a_window_within_a_subset(emulator):
    _, first = await report(emulator, emulated.FBA, [US, DE])
    _, again = await report(emulator, emulated.FBA, [US, DE])
    _, shorter = await report(emulator, emulated.FBA, [US, DE], days=1)
    assert first == again
    plates = {row["license-plate-number"] for row in rows_of(first)}
    assert {row["license-plate-number"] for row in rows_of(shorter)} < plates


async def test_a_report_of_several_marketplaces_mixes_markets_currencies_and_languages(emulator):
    _, content = await report(emulator, emulated.SELLER_FULFILLED, [UK, DE, FR], days=4)
    rows = rows_of(content)
    assert {row["Currency code"] for row in rows} == {"GBP", "EUR"}
    assert {emulated.marketplace_of_order(row["Order ID"]) for row in rows} == {UK, DE, FR}
    for row in rows:
        facts = emulated.MARKETPLACES[emulated.marketplace_of_order(row["Order ID"])]
        assert row["Currency code"] == facts["currency"]
    assert any(row["Order Amount"] == "" for row in rows)  # read from the order instead
    assert any(row["In policy"] == "N" for row in rows)


async def test_fba_rows_name_the_unit_its_disposition_and_the_buyers_words(emulator):
    _, content = await report(emulator, emulated.FBA, [DE, FR], days=4)
    rows = rows_of(content)
    assert all(row["order-id"][4] == "5" for row in rows)  # fulfilled by Amazon
    assert {row["detailed-disposition"] for row in rows} >= {"SELLABLE"}
    said = {
        prefix: {words[language] for _, words in emulated.REASONS}
        for prefix, language in (("304", "de"), ("405", "fr"))
    }
    commented = [row for row in rows if row["customer-comments"]]
    assert commented
    for row in commented:  # in the language of the marketplace it was bought on
        assert row["customer-comments"] in said[row["order-id"][:3]]


async def test_reports_can_be_made_to_fail_fatally_or_be_cancelled(emulator):
    outcomes = {"outcomes": ["FATAL", "CANCELLED"]}
    assert (
        await emulator.put("/_emulator/amazon/reports/outcomes", json=outcomes)
    ).status_code == 204
    auth = await token_of(emulator)
    spec = {
        "reportType": emulated.FBA,
        "marketplaceIds": [US],
        "dataStartTime": START.isoformat(),
        "dataEndTime": (START + timedelta(days=1)).isoformat(),
    }
    ends = []
    for _ in range(3):
        report_id = (
            await emulator.post("/amazon/reports/2021-06-30/reports", json=spec, headers=auth)
        ).json()["reportId"]  # noqa: E501
        for _ in range(3):
            got = await emulator.get(
                f"/amazon/reports/2021-06-30/reports/{report_id}", headers=auth
            )
        ends.append(got.json())
    assert [end["processingStatus"] for end in ends] == ["FATAL", "CANCELLED", "DONE"]
    document_id = ends[0]["reportDocumentId"]  # why it failed
    document = await emulator.get(
        f"/amazon/reports/2021-06-30/documents/{document_id}", headers=auth
    )
    assert "compressionAlgorithm" not in document.json()
    error = await emulator.get(document.json()["url"].removeprefix("http://emulators"))
    assert "errorDetails" in error.json()
    assert "reportDocumentId" not in ends[1]


async def test_a_sellers_own_report_outcomes_are_not_taken_by_another_sellers_reports(emulator):
    outcomes = {"outcomes": ["FATAL"], "seller": "A2FAILING"}
    assert (
        await emulator.put("/_emulator/amazon/reports/outcomes", json=outcomes)
    ).status_code == 204
    spec = {
        "reportType": emulated.FBA,
        "marketplaceIds": [US],
        "dataStartTime": START.isoformat(),
        "dataEndTime": (START + timedelta(days=1)).isoformat(),
    }
    ends = {}
    for seller in ("A1OTHER", "A2FAILING"):
        auth = await token_of(emulator, seller)
        made = await emulator.post("/amazon/reports/2021-06-30/reports", json=spec, headers=auth)
        for _ in range(3):
            got = await emulator.get(
                f"/amazon/reports/2021-06-30/reports/{made.json()['reportId']}", headers=auth
            )
        ends[seller] = got.json()["processingStatus"]
    assert ends == {"A1OTHER": "DONE", "A2FAILING": "FATAL"}


@pytest.mark.parametrize(
    "changes",
    [
        {"reportType": "GET_SOMETHING_ELSE"},
        {"marketplaceIds": ["NOTAMARKETPLACE"]},
        {"marketplaceIds": []},
        {"dataEndTime": START.isoformat()},
    ],
)
async def test_a_bad_report_request_is_invalid_input(emulator, changes):
    spec = {
        "reportType": emulated.FBA,
        "marketplaceIds": [US],
        "dataStartTime": START.isoformat(),
        "dataEndTime": (START + timedelta(days=1)).isoformat(),
        **changes,
    }
    answer = await emulator.post(
        "/amazon/reports/2021-06-30/reports", json=spec, headers=await token_of(emulator)
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "InvalidInput"


async def test_a_report_of_another_seller_is_not_found(emulator):
    report_id, _ = await report(emulator, emulated.FBA, [US], seller="A1")
    other = await token_of(emulator, "A2")
    answer = await emulator.get(f"/amazon/reports/2021-06-30/reports/{report_id}", headers=other)
    assert answer.status_code == 404


# Orders


async def test_any_order_is_answered_the_same_way_with_its_marketplace_and_fulfilment(emulator):
    auth = await token_of(emulator)
    fba = (await emulator.get("/amazon/orders/v0/orders/304-5123456-7654321", headers=auth)).json()
    assert fba["payload"]["MarketplaceId"] == DE
    assert fba["payload"]["FulfillmentChannel"] == "AFN"
    assert fba["payload"]["OrderTotal"]["CurrencyCode"] == "EUR"
    again = (
        await emulator.get("/amazon/orders/v0/orders/304-5123456-7654321", headers=auth)
    ).json()
    assert again == fba
    mfn = (await emulator.get("/amazon/orders/v0/orders/113-1123456-7654321", headers=auth)).json()
    assert (mfn["payload"]["MarketplaceId"], mfn["payload"]["FulfillmentChannel"]) == (US, "MFN")
    items = await emulator.get(
        "/amazon/orders/v0/orders/113-1123456-7654321/orderItems", headers=auth
    )
    assert items.headers["x-amzn-RateLimit-Limit"] == "0.5"
    [first, *_] = items.json()["payload"]["OrderItems"]
    assert first["ItemPrice"]["CurrencyCode"] == "USD" and first["SellerSKU"]
    bad = await emulator.get("/amazon/orders/v0/orders/not-an-order", headers=auth)
    assert bad.status_code == 400


# Feeds and Finances: refunds


def adjustment(order_id: str, amount: str, currency: str = "USD", **changes) -> bytes:
    item = emulated.order_items(order_id)[0]
    record = {
        "order-id": order_id,
        "order-item-id": item["order_item_id"],
        "adjustment-reason-code": "CustomerReturn",
        "currency": currency,
        "item-price-adj": amount,
        **changes,
    }
    return ("\t".join(record) + "\n" + "\t".join(record.values()) + "\n").encode()


async def feed(
    emulator: httpx.AsyncClient,
    content: bytes,
    auth: dict,
    feed_type: str = emulated.PAYMENT_ADJUSTMENT,
    marketplace: str = US,
) -> dict:
    """A feed (a payment adjustment unless said) submitted and looked at until done; its
    last state."""
    kind = "text/tab-separated-values; charset=UTF-8"
    made = await emulator.post(
        "/amazon/feeds/2021-06-30/documents", json={"contentType": kind}, headers=auth
    )
    assert made.status_code == 201
    url = made.json()["url"].removeprefix("http://emulators")
    assert (await emulator.put(url, content=content, headers={"content-type": kind})).is_success
    spec = {
        "feedType": feed_type,
        "marketplaceIds": [marketplace],
        "inputFeedDocumentId": made.json()["feedDocumentId"],
    }
    created = await emulator.post("/amazon/feeds/2021-06-30/feeds", json=spec, headers=auth)
    assert created.status_code == 202
    for _ in range(3):
        got = await emulator.get(
            f"/amazon/feeds/2021-06-30/feeds/{created.json()['feedId']}", headers=auth
        )
    return got.json()


async def processing_report(emulator: httpx.AsyncClient, done: dict, auth: dict) -> str:
    document = await emulator.get(
        f"/amazon/feeds/2021-06-30/documents/{done['resultFeedDocumentId']}", headers=auth
    )
    return (await emulator.get(document.json()["url"].removeprefix("http://emulators"))).text


async def test_a_payment_adjustment_refunds_once_and_is_in_the_ledger_and_the_finances(emulator):
    auth = await token_of(emulator)
    order_id = "113-1000001-0000001"
    done = await feed(emulator, adjustment(order_id, "5.00"), auth)
    assert done["processingStatus"] == "DONE"
    text = await processing_report(emulator, done, auth)
    assert "Number of records successful\t\t1" in text
    ledger = (await emulator.get("/_emulator/amazon/refunds")).json()["refunds"]
    assert [(r["order_id"], r["amount"], r["currency"]) for r in ledger] == [
        (order_id, "5.00", "USD")
    ]
    events = await emulator.get(
        f"/amazon/finances/v0/orders/{order_id}/financialEvents", headers=auth
    )
    [event] = events.json()["payload"]["FinancialEvents"]["RefundEventList"]
    [charge] = event["ShipmentItemAdjustmentList"][0]["ItemChargeAdjustmentList"]
    assert charge["ChargeAmount"] == {"CurrencyCode": "USD", "CurrencyAmount": -5.0}


@pytest.mark.parametrize(
    ("order_id", "amount", "currency", "error"),
    [
        ("113-5000001-0000001", "5.00", "USD", "fulfilled by Amazon"),
        ("113-1000001-0000001", "5.00", "EUR", "currency must be"),
        ("113-1000001-0000001", "99999.00", "USD", "exceeds the amount"),
    ],
)
async def test_an_adjustment_amazon_will_not_make_is_an_error_of_the_processing_report(
    emulator, order_id, amount, currency, error
):
    auth = await token_of(emulator)
    done = await feed(emulator, adjustment(order_id, amount, currency), auth)
    text = await processing_report(emulator, done, auth)
    assert "Number of records successful\t\t0" in text and error in text
    assert (await emulator.get("/_emulator/amazon/refunds")).json()["refunds"] == []


async def test_feeds_are_listed_by_type_and_state(emulator):
    auth = await token_of(emulator)
    await feed(emulator, adjustment("113-1000001-0000001", "1.00"), auth)
    listed = await emulator.get(
        "/amazon/feeds/2021-06-30/feeds",
        params={"feedTypes": emulated.PAYMENT_ADJUSTMENT, "processingStatuses": "DONE"},
        headers=auth,
    )
    assert [f["processingStatus"] for f in listed.json()["feeds"]] == ["DONE"]
    none = await emulator.get(
        "/amazon/feeds/2021-06-30/feeds",
        params={"feedTypes": emulated.PAYMENT_ADJUSTMENT, "processingStatuses": "IN_QUEUE"},
        headers=auth,
    )
    assert none.json()["feeds"] == []


# Feeds and Reports: removal orders


def removal(order_id: str = "RMV0001", **changes) -> bytes:
    record = {
        "MerchantRemovalOrderID": order_id,
        "RemovalDisposition": "Return",
        "AddressName": "Boston Fulfillment Center",
        "AddressFieldOne": "88 Black Falcon Ave",
        "AddressCity": "Boston",
        "AddressCountryCode": "US",
        "AddressStateOrRegion": "MA",
        "AddressPostalCode": "02210",
        "MerchantSKU": "TWS-EB-A3-WHT",
        "SellableQuantity": "0",
        "UnsellableQuantity": "1",
        **changes,
    }
    return ("\t".join(record) + "\n" + "\t".join(record.values()) + "\n").encode()


async def removal_orders(emulator: httpx.AsyncClient) -> list[dict]:
    return (await emulator.get("/_emulator/amazon/removal-orders")).json()["removal_orders"]


async def test_a_removal_feed_makes_an_order_per_record_even_under_an_id_used_before(emulator):
    auth = await token_of(emulator)
    for _ in range(2):
        done = await feed(emulator, removal(), auth, emulated.REMOVAL)
        assert "Number of records successful\t\t1" in await processing_report(emulator, done, auth)
    orders = await removal_orders(emulator)
    assert [(o["order_id"], o["sku"], o["unsellable_quantity"]) for o in orders] == [
        ("RMV0001", "TWS-EB-A3-WHT", 1)
    ] * 2  # Amazon does not guard the caller's retries: the caller reads back first
    assert orders[0]["address"]["AddressCity"] == "Boston"


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"RemovalDisposition": "Keep"}, "Return or Disposal"),
        ({"AddressCountryCode": "DE"}, "outside the marketplace's region"),
        ({"AddressCity": ""}, "AddressCity missing"),
        ({"UnsellableQuantity": "0"}, "not both 0"),
        ({"MerchantSKU": ""}, "MerchantSKU is required"),
    ],
)
async def test_a_removal_amazon_will_not_make_is_an_error_of_the_processing_report(
    emulator, changes, error
):
    auth = await token_of(emulator)
    done = await feed(emulator, removal(**changes), auth, emulated.REMOVAL)
    text = await processing_report(emulator, done, auth)
    assert "Number of records successful\t\t0" in text and error in text
    assert await removal_orders(emulator) == []


async def test_the_removal_order_detail_report_lists_the_sellers_orders_of_its_window(emulator):
    auth = await token_of(emulator)
    await feed(emulator, removal("RMV0001"), auth, emulated.REMOVAL)
    other = await token_of(emulator, "A2OTHERSELLER")
    await feed(emulator, removal("RMV0002"), other, emulated.REMOVAL)
    now = datetime.now(UTC)
    spec = {
        "reportType": emulated.REMOVAL_DETAIL,
        "marketplaceIds": [US],
        "dataStartTime": (now - timedelta(hours=1)).isoformat(),
        "dataEndTime": (now + timedelta(minutes=1)).isoformat(),
    }
    created = await emulator.post("/amazon/reports/2021-06-30/reports", json=spec, headers=auth)
    report_id = created.json()["reportId"]
    for _ in range(3):
        got = await emulator.get(f"/amazon/reports/2021-06-30/reports/{report_id}", headers=auth)
    document = await emulator.get(
        f"/amazon/reports/2021-06-30/documents/{got.json()['reportDocumentId']}", headers=auth
    )
    url = document.json()["url"].removeprefix("http://emulators")
    [row] = rows_of(gzip.decompress((await emulator.get(url)).content))
    assert list(row) == list(emulated.REMOVAL_DETAIL_COLUMNS)
    assert (row["order-id"], row["order-type"], row["requested-quantity"]) == (
        "RMV0001",
        "Return",
        "1",
    )


async def test_an_answer_can_be_lost_after_the_feed_was_made_and_listing_feeds_processes_them(
    emulator,
):
    auth = await token_of(emulator)
    kind = "text/tab-separated-values; charset=UTF-8"
    made = await emulator.post(
        "/amazon/feeds/2021-06-30/documents", json={"contentType": kind}, headers=auth
    )
    url = made.json()["url"].removeprefix("http://emulators")
    await emulator.put(url, content=removal(), headers={"content-type": kind})
    lost = {"seller": "A1SELLER", "operation": "createFeed", "times": 1}
    assert (await emulator.put("/_emulator/amazon/lost-answers", json=lost)).status_code == 204
    spec = {
        "feedType": emulated.REMOVAL,
        "marketplaceIds": [US],
        "inputFeedDocumentId": made.json()["feedDocumentId"],
    }
    answer = await emulator.post("/amazon/feeds/2021-06-30/feeds", json=spec, headers=auth)
    assert answer.status_code == 503
    listed = []
    for _ in range(2):
        got = await emulator.get(
            "/amazon/feeds/2021-06-30/feeds", params={"feedTypes": emulated.REMOVAL}, headers=auth
        )
        listed.append([f["processingStatus"] for f in got.json()["feeds"]])
    assert listed == [["IN_PROGRESS"], ["DONE"]]
    assert len(await removal_orders(emulator)) == 1
    again = await emulator.post("/amazon/feeds/2021-06-30/feeds", json=spec, headers=auth)
    assert again.status_code == 202  # one answer lost, no more


# SQS, settings, faults


async def test_notifications_are_put_on_a_queue_made_when_missing(emulator):
    queue = "/_emulator/amazon/queues/unit-test-queue-1"
    assert (await emulator.post(queue, content=b'{"NotificationType": "ORDER_CHANGE"}')).is_success
    assert (await emulator.get(queue)).json()["messages"] == 1


def test_the_services_are_pointed_at_amazon_and_its_sqs():
    settings = emulated_settings("http://127.0.0.1:8099")
    assert settings["AMAZON_SP_API_BASE_URL"] == "http://127.0.0.1:8099/amazon"
    assert settings["AMAZON_LWA_BASE_URL"] == "http://127.0.0.1:8099/amazon"
    assert settings["AMAZON_SQS_ENDPOINT_URL"] == "http://127.0.0.1:8099/sqs"


async def test_amazon_fails_on_demand(emulator):
    fault = {"status": 429, "times": 1, "retry_after": 3}
    assert (await emulator.put("/_emulator/faults/amazon", json=fault)).status_code == 204
    throttled = await emulator.post("/amazon/auth/o2/token", data=form())
    assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "3")
    assert (await emulator.post("/amazon/auth/o2/token", data=form())).status_code == 200


async def financial_events(emulator, auth, **params) -> list[dict]:
    events, query = [], {"MaxResultsPerPage": 7, **params}
    while True:
        got = await emulator.get("/amazon/finances/v0/financialEvents", params=query, headers=auth)
        assert got.status_code == 200
        payload = got.json()["payload"]
        events += payload["FinancialEvents"]["RefundEventList"]
        if "NextToken" not in payload:
            return events
        query = {"NextToken": payload["NextToken"]}


async def test_fba_refunds_of_any_window_some_returned_in_the_report_some_never(emulator):
    _, content = await report(emulator, emulated.FBA, [US, DE], days=6)  # the seller's markets
    returned = {(row["order-id"], row["sku"]) for row in rows_of(content)}
    auth = await token_of(emulator, "A1")
    window = {
        "PostedAfter": START.isoformat(),
        "PostedBefore": (START + timedelta(days=4)).isoformat(),
    }
    events = await financial_events(emulator, auth, **window)
    assert events == await financial_events(emulator, auth, **window)  # deterministic
    refunded = {
        (event["AmazonOrderId"], item["SellerSKU"])
        for event in events
        for item in event["ShipmentItemAdjustmentList"]
    }
    came_back = refunded & returned
    assert len(came_back) == 16  # each return of the report refunded in the window, 12 h before
    never = refunded - returned
    assert len(never) == 4  # one a day, never in any report
    assert all(order[4] == "5" for order, _ in refunded)  # FBA orders
    for event in events:
        posted = datetime.fromisoformat(event["PostedDate"].replace("Z", "+00:00"))
        assert START <= posted < START + timedelta(days=4)


async def test_listing_financial_events_wants_a_window_and_is_faulted(emulator):
    auth = await token_of(emulator, "A1")
    path = "/amazon/finances/v0/financialEvents"
    assert (await emulator.get(path, headers=auth)).status_code == 400
    assert (
        await emulator.get(path, params={"NextToken": "nonsense"}, headers=auth)
    ).status_code == 400
    await emulator.put("/_emulator/faults/amazon", json={"status": 429})
    throttled = await emulator.get(path, params={"PostedAfter": START.isoformat()}, headers=auth)
    assert throttled.status_code == 429


# Messaging API v1 and the Orders API v2026's packages

ORDER = "304-1000077-0000077"  # of amazon.de, shipped by the seller
MESSAGING = f"/amazon/messaging/v1/orders/{ORDER}"


async def test_an_orders_messaging_actions_are_listed_in_hal(emulator):
    auth = await token_of(emulator)
    answer = await emulator.get(MESSAGING, params={"marketplaceIds": DE}, headers=auth)
    assert answer.status_code == 200
    links = answer.json()["_links"]
    assert links["self"]["href"] == f"/messaging/v1/orders/{ORDER}?marketplaceIds={DE}"
    names = [action["name"] for action in links["actions"]]
    assert {"unexpectedProblem", "confirmDeliveryDetails", "attributes"} <= set(names)
    unexpected = next(a for a in links["actions"] if a["name"] == "unexpectedProblem")
    assert (
        unexpected["href"]
        == f"{MESSAGING.removeprefix('/amazon')}/messages/unexpectedProblem?marketplaceIds={DE}"
    )
    embedded = answer.json()["_embedded"]["actions"]
    assert len(embedded) == len(names) and "schema" in embedded[0]["_links"]
    attributes = await emulator.get(
        f"{MESSAGING}/attributes", params={"marketplaceIds": DE}, headers=auth
    )
    assert attributes.json() == {"buyer": {"locale": "de-DE"}}


@pytest.mark.parametrize(
    ("params", "body", "status"),
    [
        ({"marketplaceIds": DE}, {"text": "Your replacement is on its way."}, 201),
        ({}, {"text": "Hello"}, 400),  # exactly one marketplace
        ({"marketplaceIds": [DE, FR]}, {"text": "Hello"}, 400),
        ({"marketplaceIds": DE}, {"text": ""}, 400),
        ({"marketplaceIds": DE}, {"text": "x" * 2001}, 400),
        ({"marketplaceIds": DE}, {"text": "Write to care@shop.example"}, 400),
        ({"marketplaceIds": DE}, {"text": "<b>Hello</b>"}, 400),
    ],
)
async def test_a_text_message_is_made_within_amazons_rules(emulator, params, body, status):
    auth = await token_of(emulator)
    path = f"{MESSAGING}/messages/unexpectedProblem"
    answer = await emulator.post(path, params=params, json=body, headers=auth)
    assert answer.status_code == status, answer.text
    made = (
        await emulator.get("/_emulator/amazon/buyer-messages", params={"order_id": ORDER})
    ).json()
    assert len(made["messages"]) == (1 if status == 201 else 0)
    if status != 201:
        assert answer.json()["errors"][0]["code"] == "InvalidInput"


async def test_messaging_wants_the_sellers_token_and_an_offered_action(emulator):
    path = f"{MESSAGING}/messages/unexpectedProblem"
    refused = await emulator.post(path, params={"marketplaceIds": DE}, json={"text": "Hi"})
    assert refused.status_code == 403
    auth = await token_of(emulator)
    setup = {"actions": ["warranty"]}
    assert (
        await emulator.put(f"/_emulator/amazon/messaging/{ORDER}", json=setup)
    ).status_code == 204
    offered = await emulator.post(
        path, params={"marketplaceIds": DE}, json={"text": "Hi"}, headers=auth
    )
    assert offered.status_code == 400


async def test_an_order_the_seller_shipped_has_its_package_and_one_amazon_shipped_none(emulator):
    auth = await token_of(emulator)
    path = "/amazon/orders/2026-01-01/orders/{}"
    by_seller = await emulator.get(
        path.format(ORDER), params={"includedData": "PACKAGES"}, headers=auth
    )
    [package] = by_seller.json()["order"]["packages"]
    assert package["carrier"] == "DHL" and len(package["trackingNumber"]) == 20
    fba = await emulator.get(
        path.format("304-5000077-0000077"), params={"includedData": "PACKAGES"}, headers=auth
    )
    assert "packages" not in fba.json()["order"]
    plain = await emulator.get(path.format(ORDER), headers=auth)
    assert "packages" not in plain.json()["order"]
    assert package["packageStatus"] == {"status": "SHIPPED"}


async def test_a_package_status_a_test_sets_is_the_one_getorder_gives(emulator):
    auth = await token_of(emulator)
    order = "304-1000123-0000123"
    put = await emulator.put(
        f"/_emulator/amazon/orders/{order}/package-status",
        json={"status": "DELIVERED", "detailedStatus": "DELIVERED_TO_DOOR"},
    )
    assert put.status_code == 204, put.text
    got = await emulator.get(
        f"/amazon/orders/2026-01-01/orders/{order}",
        params={"includedData": "PACKAGES"},
        headers=auth,
    )
    [package] = got.json()["order"]["packages"]
    assert package["packageStatus"] == {
        "status": "DELIVERED",
        "detailedStatus": "DELIVERED_TO_DOOR",
    }
