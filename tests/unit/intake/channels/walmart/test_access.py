"""A seller's Walmart token (`services/intake/channels/walmart/access.py`) against the emulated
Token API: fetched with the client credentials, kept, refreshed before its 15 minutes run
out, forgotten on a 401; and an account's credentials checked."""

from datetime import timedelta

import pytest

from services.intake.channels.walmart import access, returns_api
from shared.outbound import Refused, Unavailable
from tests.unit.intake.channels.walmart.conftest import (
    BASE_URL,
    CREDENTIALS,
    account_with,
    tokens_issued,
)

RETURN_ORDER = "300000000000000004"


async def read(account, apis):
    """A call that needs a token: one return order from the Returns API."""
    return await access.with_token(
        account,
        apis,
        lambda token: returns_api.return_order(apis.http, BASE_URL, token, RETURN_ORDER),
    )


async def test_a_token_is_fetched_with_the_client_credentials_and_kept(account, apis, emulator):
    for _ in range(3):
        assert (await read(account, apis)).return_order_id == RETURN_ORDER
    [issued] = await tokens_issued(emulator)
    assert issued["client_id"] == "wm-test-client"


async def test_the_token_is_refreshed_before_its_fifteen_minutes_run_out(
    account, apis, emulator, clock
):
    await read(account, apis)
    clock.now += timedelta(minutes=12, seconds=59)  # more than two minutes left: kept
    await read(account, apis)
    assert len(await tokens_issued(emulator)) == 1
    clock.now += timedelta(seconds=2)  # under two minutes left: a new one first
    await read(account, apis)
    first, second = await tokens_issued(emulator)
    assert second["issued_at"] < first["expires_at"]  # before the old one ran out
    clock.now += timedelta(minutes=12)  # the first would be refused by now; the second is not
    await read(account, apis)
    assert len(await tokens_issued(emulator)) == 2


async def test_a_revoked_token_is_forgotten_and_the_call_made_once_more(account, apis, emulator):
    await read(account, apis)
    await emulator.delete("/_emulator/walmart/tokens")  # a rotated secret, say
    assert (await read(account, apis)).return_order_id == RETURN_ORDER
    revoked, fresh = await tokens_issued(emulator)
    assert (revoked["revoked"], fresh["revoked"]) == (True, False)


async def test_wrong_client_credentials_are_refused_without_saying_the_secret(apis):
    wrong = account_with(client_id="wm-test-client", client_secret="not-the-secret-123")
    with pytest.raises(Refused) as refused:
        await read(wrong, apis)
    assert refused.value.status == 401
    assert refused.value.code == "UNAUTHORIZED.GMP_GATEWAY_API"
    assert "not-the-secret-123" not in str(refused.value)


async def test_an_account_with_a_token_alone_calls_with_it(apis, emulator):
    issued = await emulator.post(
        "/walmart/v3/token",
        data={"grant_type": "client_credentials"},
        auth=tuple(CREDENTIALS.values()),
        headers={"WM_SVC.NAME": "Walmart Marketplace", "WM_QOS.CORRELATION_ID": "c-1"},
    )
    kept_fresh_elsewhere = account_with(access_token=issued.json()["access_token"])
    assert (await read(kept_fresh_elsewhere, apis)).return_order_id == RETURN_ORDER
    assert len(await tokens_issued(emulator)) == 1  # none fetched by intake


async def test_an_account_without_credentials_is_refused(apis):
    with pytest.raises(Refused, match="no client credentials"):
        await read(account_with(secrets=["s"]), apis)


async def test_a_throttled_token_api_is_transient(account, apis, emulator):
    await emulator.put("/_emulator/faults/walmart", json={"status": 429, "retry_after": 30})
    with pytest.raises(Unavailable) as unavailable:
        await read(account, apis)
    assert (unavailable.value.status, unavailable.value.retry_after) == (429, 30)


# Checking an account's credentials


async def test_good_credentials_pass_the_check(account, apis):
    await access.check_account(account, apis)


async def test_wrong_credentials_fail_the_check(apis):
    with pytest.raises(Refused) as refused:
        await access.check_account(
            account_with(client_id="wm-test-client", client_secret="x"), apis
        )
    assert refused.value.status == 401


async def test_credentials_that_may_only_view_returns_fail_the_check(apis, emulator):
    scopes = {"returns": "view_only", "orders": "full_access"}
    await emulator.put(
        "/_emulator/walmart/clients/view-only", json={"client_secret": "s-1", "scopes": scopes}
    )
    with pytest.raises(Refused, match="the Returns API is view_only"):
        await access.check_account(account_with(client_id="view-only", client_secret="s-1"), apis)
