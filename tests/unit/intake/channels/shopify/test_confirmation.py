"""A Shopify state change is applied only when what the Admin API says bears it out."""

import json
from pathlib import Path

import pytest

from services.intake.channels.shopify.confirmation import (
    RefundState,
    ReturnState,
    StateChange,
    ensure_confirmed,
    state_change_to_confirm,
)
from services.intake.domain.case import ChannelError

SAMPLES = Path(__file__).parents[4] / "samples" / "shopify"
RETURN = "gid://shopify/Return/945000959"


def headers(topic: str) -> dict[str, str]:
    return {
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": "linen-home.myshopify.com",
        "X-Shopify-Event-Id": "evt-1",
        "X-Shopify-Triggered-At": "2026-03-02T14:05:09Z",
    }


def sample(name: str) -> bytes:
    return (SAMPLES / f"{name}.json").read_bytes()


def state(status: str, approved: bool = False, order_id: str = "625362839") -> ReturnState:
    return ReturnState(return_id=RETURN, order_id=order_id, status=status, approved=approved)


@pytest.mark.parametrize(
    ("topic", "order_id"),
    [
        ("returns/approve", "625362839"),
        ("returns/decline", None),
        ("returns/cancel", "625362839"),
        ("returns/close", "625362839"),
        ("returns/update", None),
    ],
)
def test_a_return_topic_is_confirmed_by_reading_its_return(topic, order_id):
    change = state_change_to_confirm(headers(topic), sample(topic.replace("/", "_")))
    assert change == StateChange(topic=topic, gid=RETURN, order_id=order_id)


def test_a_refund_is_confirmed_by_reading_the_refund():
    change = state_change_to_confirm(headers("refunds/create"), sample("refunds_create"))
    assert change == StateChange(
        topic="refunds/create",
        gid="gid://shopify/Refund/890088186047892319",
        order_id="625362839",
    )
    assert change.of_refund


@pytest.mark.parametrize("topic", ["returns/request", "customers/redact", "orders/create"])
def test_topics_that_change_no_state_are_not_read_back(topic):
    body = sample("returns_request") if topic == "returns/request" else b'{"customer": {}}'
    assert state_change_to_confirm(headers(topic), body) is None


@pytest.mark.parametrize(
    ("topic", "status", "approved"),
    [
        ("returns/approve", "OPEN", True),
        ("returns/approve", "CLOSED", True),
        ("returns/approve", "CANCELED", True),  # approved, then cancelled: the approval was real
        ("returns/decline", "DECLINED", False),
        ("returns/cancel", "CANCELED", False),
        ("returns/close", "CLOSED", True),
        ("returns/update", "REQUESTED", False),
        ("returns/update", "OPEN", True),
    ],
)
def test_what_shopify_says_now_bears_the_topic_out(topic, status, approved):
    ensure_confirmed(StateChange(topic=topic, gid=RETURN), state(status, approved))


@pytest.mark.parametrize(
    ("topic", "status"),
    [
        ("returns/approve", "REQUESTED"),
        ("returns/approve", "DECLINED"),
        ("returns/decline", "REQUESTED"),
        ("returns/decline", "OPEN"),
        ("returns/cancel", "OPEN"),
        ("returns/close", "OPEN"),
    ],
)
def test_a_topic_the_return_does_not_bear_out_is_refused(topic, status):
    with pytest.raises(ChannelError) as error:
        ensure_confirmed(StateChange(topic=topic, gid=RETURN), state(status))
    assert (error.value.status, error.value.reason) == (401, "unconfirmed")
    assert topic in error.value.detail and status in error.value.detail


def test_a_return_shopify_does_not_know_is_refused():
    with pytest.raises(ChannelError, match="knows no return"):
        ensure_confirmed(StateChange(topic="returns/close", gid=RETURN), None)


def test_a_return_of_another_order_is_refused():
    change = StateChange(topic="returns/close", gid=RETURN, order_id="1")
    with pytest.raises(ChannelError, match="is of order 625362839"):
        ensure_confirmed(change, state("CLOSED"))


def test_a_refund_is_confirmed_by_its_order_and_its_return():
    change = StateChange(topic="refunds/create", gid="gid://shopify/Refund/7", order_id="625362839")
    found = RefundState(refund_id="gid://shopify/Refund/7", order_id="625362839", return_id=RETURN)
    ensure_confirmed(change, found)
    ensure_confirmed(change.model_copy(update={"return_id": RETURN}), found)
    with pytest.raises(ChannelError, match="not of return"):
        ensure_confirmed(change.model_copy(update={"return_id": "gid://shopify/Return/1"}), found)
    with pytest.raises(ChannelError, match="knows no refund"):
        ensure_confirmed(change, None)


def test_a_return_cancel_body_sent_as_a_refund_names_a_refund_shopify_does_not_have():
    """The forgery the read-back stops: a returns/cancel body names an order, as a refund does."""
    change = state_change_to_confirm(headers("refunds/create"), sample("returns_cancel"))
    assert change.gid == "gid://shopify/Refund/945000959"
    with pytest.raises(ChannelError, match="knows no refund"):
        ensure_confirmed(change, None)
    assert json.loads(sample("returns_cancel"))["admin_graphql_api_id"] == RETURN
