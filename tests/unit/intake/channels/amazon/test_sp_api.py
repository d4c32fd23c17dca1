"""Calling the SP-API for an account (`services/intake/channels/amazon/sp_api.py`) against the
emulated Amazon: Login with Amazon tokens kept and refreshed, a refused token replaced once,
throttling and outages read as Amazon says them, and no credential in any error."""

from datetime import timedelta

import httpx
import pytest

from services.intake.channels.amazon import sp_api
from services.intake.channels.amazon.sp_api import selling_partner
from shared.outbound import Refused, Unavailable
from tests.unit.intake.channels.amazon.conftest import account_with, tokens_issued

PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"


async def participations(account, apis) -> httpx.Response:
    return await sp_api.call(apis, selling_partner(account), "GET", PARTICIPATIONS, "a test")


def test_an_account_without_lwa_credentials_has_no_sp_api_authorisation():
    assert selling_partner(account_with(secrets=["x"])) is None
    partner = selling_partner(account_with(lwa_client_id="c", lwa_client_secret="s",
                                           refresh_token="r"))  # fmt: skip
    assert partner.region == "eu"  # the UK default market's region
    assert partner.marketplace_ids == ("A1F83G8C2ARO7P",)
    assert "s" not in repr(partner).replace("SellingPartner", "")


async def test_one_token_serves_calls_until_it_nears_its_end(account, apis, emulator, clock):
    await participations(account, apis)
    await participations(account, apis)
    assert await tokens_issued(emulator) == 1
    clock.now += timedelta(minutes=59)  # under two minutes left: refreshed before use
    await participations(account, apis)
    assert await tokens_issued(emulator) == 2


async def test_a_token_amazon_no_longer_takes_is_replaced_once(account, apis, emulator):
    await participations(account, apis)
    await emulator.delete("/_emulator/amazon/tokens")  # revoked at Amazon
    answer = await participations(account, apis)
    assert answer.status_code == 200
    assert await tokens_issued(emulator) == 2


async def test_a_refused_refresh_token_is_refused_without_saying_it(apis):
    account = account_with(
        lwa_client_id="amzn1.application-oa2-client.unit0001",
        lwa_client_secret="the-client-secret",
        refresh_token="revoked|the-refresh-token",
    )
    with pytest.raises(Refused) as error:
        await participations(account, apis)
    assert error.value.system == sp_api.LWA and "invalid_grant" in error.value.reason
    assert "the-refresh-token" not in str(error.value)
    assert "the-client-secret" not in str(error.value)


async def test_throttling_is_unavailable_for_as_long_as_amazon_says(account, apis, emulator):
    await emulator.put("/_emulator/faults/amazon", json={"status": 429, "retry_after": 7})
    with pytest.raises(Unavailable) as error:
        await participations(account, apis)
    assert (error.value.status, error.value.retry_after) == (429, 7)


def test_without_retry_after_the_pause_is_one_over_the_rate_limit():
    throttled = httpx.Response(429, headers={"x-amzn-RateLimit-Limit": "0.0167"}, json={})
    assert round(sp_api.throttle_pause(throttled)) == 60
    assert sp_api.throttle_pause(httpx.Response(429, json={})) == sp_api.DEFAULT_THROTTLE_PAUSE


async def test_an_outage_is_unavailable_and_an_sp_api_error_is_read(account, apis, emulator):
    await emulator.put("/_emulator/faults/amazon", json={"outage_seconds": 30})
    with pytest.raises(Unavailable) as error:
        await participations(account, apis)
    assert error.value.status == 503
    await emulator.delete("/_emulator/faults/amazon")
    partner = selling_partner(account)
    with pytest.raises(Refused) as refused:
        await sp_api.call(apis, partner, "GET", "/orders/v0/orders/nonsense", "an order")
    assert (refused.value.status, refused.value.code) == (400, "InvalidInput")
