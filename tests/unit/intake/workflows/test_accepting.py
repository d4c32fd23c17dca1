"""What accepting stores of a delivery, read back as completing reads it."""

from services.intake.domain.case import Channel, Delivery, Ignore
from services.intake.workflows.accepting import (
    parsed_content,
    parsed_delivery,
    webhook_content,
    webhook_of,
)


def test_a_webhook_keeps_its_body_and_the_channels_own_headers_only():
    headers = {
        "X-Shopify-Topic": "returns/request",
        "WM_SEC.SIGNATURE": "c2lnbmVk",
        "content-type": "application/json",
        "cookie": "session=abc",
        "authorization": "Bearer t",
    }
    body = b'{"id": 1}\n'
    kept, read_back = webhook_of(webhook_content(headers, body))
    assert read_back == body
    assert kept == {
        "X-Shopify-Topic": "returns/request",
        "WM_SEC.SIGNATURE": "c2lnbmVk",
        "content-type": "application/json",
    }


def test_a_delivery_parsed_on_arrival_reads_back_the_same():
    delivery = Delivery(
        channel=Channel.AGENT,
        delivery_id="acme:1",
        seller_account="acme",
        action=Ignore(why="nothing to do"),
    )
    assert parsed_delivery(parsed_content(delivery)) == delivery
