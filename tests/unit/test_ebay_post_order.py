"""The Post-Order client against a real HTTP server on a free local port (pytest-httpserver)."""

import json
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from services.intake.channels.ebay import notifications as ebay
from services.intake.channels.ebay.post_order_api import read_return
from services.intake.channels.ebay.returns import EbayReturn, case_from_return, marketplace_id_of
from services.intake.domain.case import ChannelError
from shared.events import Reason
from shared.markets import Currency, Market
from shared.outbound import Refused, Unavailable

SAMPLES = Path(__file__).parent.parent / "samples" / "ebay"
TOKEN = "v^1.1#i^1#p^3#r^1#I^3#f^0#t^Ul4xMF8x"
RETURN_PATH = "/post-order/v2/return/5212345678"


def resource(name: str) -> dict:
    return json.loads((SAMPLES / f"post_order_return_{name}.json").read_text())


def created() -> ebay.ReturnNotification:
    return ebay.read((SAMPLES / "return_created.xml").read_bytes())


async def read(
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
    found = await read(httpserver, "5212345678", marketplace_id_of(created()))
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
    found = await read(httpserver, "5212345678")
    assert found.summary.return_id == "5212345678"
    assert found.detail.item_detail.item_title == "Motorized Curtain Rod 84in Smart Track, US Plug"


async def test_an_unknown_return_is_a_clear_not_found(httpserver: HTTPServer):
    httpserver.expect_request(RETURN_PATH).respond_with_json(
        {"error": [{"errorId": 1001, "message": "Return not found"}]}, status=404
    )
    with pytest.raises(Refused, match="no return 5212345678") as error:
        await read(httpserver, "5212345678")
    assert error.value.status == 404


async def test_a_server_error_says_to_try_again_later(httpserver: HTTPServer):
    httpserver.expect_request(RETURN_PATH).respond_with_data("upstream down", status=503)
    with pytest.raises(Unavailable, match="answered 503 .* try again later") as error:
        await read(httpserver, "5212345678")
    assert error.value.status == 503


async def test_a_slow_server_times_out_and_may_be_retried(httpserver: HTTPServer):
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response(json.dumps(resource("defective")), content_type="application/json")

    httpserver.expect_request(RETURN_PATH).respond_with_handler(slow)
    with pytest.raises(Unavailable, match="did not answer .* in time"):
        await read(httpserver, "5212345678", timeout=0.2)


async def test_a_refused_token_is_not_retried(httpserver: HTTPServer):
    httpserver.expect_request(RETURN_PATH).respond_with_json({"error": []}, status=401)
    with pytest.raises(Refused, match="refused the seller's token") as error:
        await read(httpserver, "5212345678")
    assert error.value.status == 401


async def test_an_answer_that_is_not_the_resource_is_an_error(httpserver: HTTPServer):
    httpserver.expect_request(RETURN_PATH).respond_with_data("<html>maintenance</html>")
    with pytest.raises(Refused, match="not the documented resource"):
        await read(httpserver, "5212345678")


async def test_fetched_and_merged_the_return_opens_a_case(httpserver: HTTPServer):
    httpserver.expect_request(RETURN_PATH).respond_with_json(resource("defective"))
    body = (SAMPLES / "return_created.xml").read_bytes()
    found = await read(httpserver, ebay.return_to_fetch(body))
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
