"""Intake's ship-to lookup against a local fake (pytest-httpserver): the address, none
(`Refused`, 404), or not now (`Unavailable`)."""

import httpx
import pytest
from pytest_httpserver import HTTPServer

from services.fulfillment.adapters.ship_to import ShipToLookup
from shared.outbound import Refused, Unavailable

TOKEN = "a-service-token"
PATH = "/cases/case-1/ship-to"
SHIP_TO = {
    "case_id": "case-1",
    "name": "Oliver Smith",
    "address": {
        "line1": "10 Downing Street",
        "city": "London",
        "postal_code": "SW1A 2AA",
        "country": "uk",
    },
}


@pytest.fixture
async def lookup(httpserver: HTTPServer):
    headers = {"Authorization": f"Bearer {TOKEN}"}  # the client carries the service's token
    async with httpx.AsyncClient(
        base_url=httpserver.url_for(""), timeout=0.5, headers=headers
    ) as client:
        yield ShipToLookup(client)


async def test_the_address_is_read_with_the_client_s_token(lookup, httpserver):
    httpserver.expect_request(PATH, headers={"Authorization": f"Bearer {TOKEN}"}).respond_with_json(
        SHIP_TO
    )
    address = await lookup.address_of("case-1")
    assert (address.name, address.postal_code, address.line2) == ("Oliver Smith", "SW1A 2AA", None)
    assert address.country_code == "GB"  # intake's market code, as ISO 3166


async def test_no_address_is_refused_with_intakes_reason(lookup, httpserver):
    httpserver.expect_request(PATH).respond_with_json(
        {"detail": "no ship-to address for case case-1 (unknown or erased)"}, status=404
    )
    with pytest.raises(Refused, match="unknown or erased") as refused:
        await lookup.address_of("case-1")
    assert (refused.value.system, refused.value.status) == ("intake", 404)


@pytest.mark.parametrize("status", [401, 403, 429, 500, 503])
async def test_any_other_failure_is_asked_again_later(lookup, httpserver, status):
    httpserver.expect_request(PATH).respond_with_data(
        "", status=status, headers={"Retry-After": "7"}
    )
    with pytest.raises(Unavailable, match=f"answered {status}") as unavailable:
        await lookup.address_of("case-1")
    assert (unavailable.value.status, unavailable.value.retry_after) == (status, 7.0)


async def test_an_unreachable_intake_is_asked_again_later():
    async with httpx.AsyncClient(base_url="http://127.0.0.1:9", timeout=0.5) as client:
        with pytest.raises(Unavailable, match="unreachable"):
            await ShipToLookup(client).address_of("case-1")
