"""The recovery command line's calls (`shared/recovery_cli.py`): which service, method,
path and body each command makes; bulk changes only when said so."""

import pytest

from shared.recovery_cli import parser, request_of


def call(*argv: str):
    return request_of(parser().parse_args(list(argv)))


def test_dead_letters_are_listed_re_driven_and_discarded_on_the_named_service():
    service, method, path, body = call(
        "dead-letters", "fulfillment", "list", "--type", "resolution.decided", "--limit", "5"
    )
    assert (service, method, body) == ("fulfillment", "GET", None)
    assert path == "/dead-letters?event_type=resolution.decided&limit=5"
    assert call("dead-letters", "intake", "redrive", "12") == (
        "intake",
        "POST",
        "/dead-letters/12/redrive",
        None,
    )
    assert call("dead-letters", "analytics", "redrive", "--cause", "timeout") == (
        "analytics",
        "POST",
        "/dead-letters/redrive",
        {"cause": "timeout"},
    )
    assert call("dead-letters", "intake", "discard", "--all", "--reason", "stale") == (
        "intake",
        "POST",
        "/dead-letters/discard",
        {"reason": "stale"},
    )


def test_failed_deliveries_and_calls_are_intakes():
    assert call("deliveries", "retry", "shopify/shop.myshopify.com/123") == (
        "intake",
        "POST",
        "/deliveries/shopify/shop.myshopify.com/123/retry",
        None,
    )
    assert call(
        "deliveries",
        "discard",
        "--channel",
        "ebay",
        "--since",
        "2026-01-01T00:00:00Z",
        "--reason",
        "cancelled orders",
    ) == (
        "intake",
        "POST",
        "/deliveries/discard",
        {"channel": "ebay", "received_since": "2026-01-01T00:00:00Z", "reason": "cancelled orders"},
    )
    assert call("calls", "discard", "message/msg-1", "--reason", "sent by hand") == (
        "intake",
        "POST",
        "/failed-calls/message/msg-1/discard",
        {"reason": "sent by hand"},
    )
    assert call("calls", "retry", "--kind", "return_action") == (
        "intake",
        "POST",
        "/failed-calls/retry",
        {"kind": "return_action"},
    )


def test_a_bulk_change_needs_a_filter_or_all_and_a_discard_its_reason():
    with pytest.raises(SystemExit, match="--all"):
        call("calls", "retry")
    with pytest.raises(SystemExit, match="--reason"):
        call("deliveries", "discard", "--cause", "404")


def test_a_failed_calls_kind_names_the_service_that_made_it():
    assert call("calls", "retry", "carrier_label/rma-7") == (
        "fulfillment",
        "POST",
        "/failed-calls/carrier_label/rma-7/retry",
        None,
    )
    service, method, path, body = call(
        "calls", "list", "--kind", "carrier_label", "--cause", "address"
    )
    assert (service, method, body) == ("fulfillment", "GET", None)
    assert path == "/failed-calls?kind=carrier_label&cause=address&limit=100"
    since = "2026-12-01T00:00:00Z"
    assert call("calls", "discard", "--kind", "refund", "--since", since, "--reason", "paid") == (
        "intake",
        "POST",
        "/failed-calls/discard",
        {"kind": "refund", "owed_since": since, "reason": "paid"},
    )
    assert call("calls", "retry", "refund/r-1", "--service", "resolution") == (
        "resolution",
        "POST",
        "/failed-calls/refund/r-1/retry",
        None,
    )
    assert call("calls", "list", "--service", "fulfillment")[:2] == ("fulfillment", "GET")
    assert call("calls", "retry", "--kind", "warehouse_delivery", "--since", since) == (
        "fulfillment",
        "POST",
        "/failed-calls/retry",
        {"kind": "warehouse_delivery", "owed_since": since},
    )
    assert call("calls", "discard", "removal_order/RMV1", "--reason", "removed by hand") == (
        "intake",
        "POST",
        "/failed-calls/removal_order/RMV1/discard",
        {"reason": "removed by hand"},
    )
    with pytest.raises(SystemExit, match="makes no removal_order"):
        call("calls", "retry", "removal_order/RMV1", "--service", "fulfillment")
    with pytest.raises(SystemExit, match="makes no carrier_label"):
        call("calls", "retry", "carrier_label/rma-7", "--service", "intake")
    with pytest.raises(SystemExit, match="no kind of call"):
        call("calls", "retry", "parcel/p-1")
