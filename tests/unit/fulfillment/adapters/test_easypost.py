"""What fulfillment's EasyPost adapters share: EasyPost's error bodies read, and addresses
written as it takes them."""

import httpx
import pytest

from services.fulfillment.adapters.easypost import error_of, wire_address
from shared.labels import PostalAddress


@pytest.mark.parametrize(
    ("body", "read"),
    [
        (
            {
                "error": {
                    "code": "PARAMETER.REQUIRED",
                    "message": "Missing required parameter.",
                    "errors": [{"field": "shipment", "message": "cannot be blank"}],
                }
            },
            ("PARAMETER.REQUIRED", "Missing required parameter. (shipment: cannot be blank)"),
        ),
        (
            {
                "error": {
                    "code": "SHIPMENT.POSTAGE.FAILURE",
                    "message": "Unable to buy postage",
                    "errors": ["Account not allowed for this service."],
                }
            },
            (
                "SHIPMENT.POSTAGE.FAILURE",
                "Unable to buy postage (Account not allowed for this service.)",
            ),
        ),
        ({"error": {"code": "NOT_FOUND"}}, ("NOT_FOUND", "NOT_FOUND")),
        ({"detail": "elsewhere"}, (None, '{"detail":"elsewhere"}')),
    ],
)
def test_easyposts_error_body_gives_its_code_and_words(body, read):
    assert error_of(httpx.Response(422, json=body)) == read


def test_a_body_that_is_not_json_is_its_start():
    assert error_of(httpx.Response(502, text="Bad gateway from the edge")) == (
        None,
        "Bad gateway from the edge",
    )


def test_a_warehouse_city_gives_its_state_and_a_buyers_address_is_kept_as_it_is():
    boston = PostalAddress(
        "Boston FC", "88 Black Falcon Ave", None, "Boston, MA", None, "02210", "US"
    )
    assert wire_address(boston) == {
        "name": "Boston FC",
        "street1": "88 Black Falcon Ave",
        "street2": None,
        "city": "Boston",
        "state": "MA",
        "zip": "02210",
        "country": "US",
    }
    london = PostalAddress(
        "Oliver", "10 Downing St", None, "London, Westminster", None, "SW1A 2AA", "GB"
    )
    assert wire_address(london)["city"] == "London, Westminster"
    jane = PostalAddress("Jane", "1 Main St", "Apt 2", "Cambridge", "MA", "02139", "US")
    assert (wire_address(jane)["state"], wire_address(jane)["street2"]) == ("MA", "Apt 2")
