"""The seller's user access token (`oauth.py`): minted from the refresh token with the app's
credentials, kept, refreshed before it runs out, forgotten and minted anew when eBay answers
401; a given user token used as is. Against the eBay emulator, and a fake for the requests."""

import base64
from urllib.parse import parse_qs

import httpx
import pytest
from pytest_httpserver import HTTPServer

from services.intake.channels.ebay import oauth, post_order_api
from services.intake.channels.ebay.oauth import UserCredentials, as_the_seller, mint_user_token
from services.intake.channels.tokens import MARGIN
from shared.outbound import Refused, Unavailable
from tests.unit.intake.channels.ebay.conftest import (
    BASE_URL,
    KEYSET,
    minted,
    seller,
)

CREDENTIALS = UserCredentials(
    refresh_token="v^1.1#refresh", client_id="App-ID", client_secret="Cert-ID-secret"
)


def read(account, apis, return_id: str = "5100000001"):
    return lambda token: post_order_api.read_return(
        apis.http, BASE_URL, token, return_id, "EBAY_US"
    )


async def test_the_refresh_request_is_the_documented_form_with_basic_credentials(
    httpserver: HTTPServer,
):
    httpserver.expect_request("/identity/v1/oauth2/token", method="POST").respond_with_json(
        {"access_token": "v^1.1#user", "expires_in": 7200, "token_type": "User Access Token"}
    )
    async with httpx.AsyncClient() as http:
        token = await mint_user_token(http, httpserver.url_for(""), CREDENTIALS)
    assert token.value == "v^1.1#user"
    [(request, _)] = httpserver.log
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert (
        request.headers["Authorization"]
        == "Basic " + base64.b64encode(b"App-ID:Cert-ID-secret").decode()
    )
    form = parse_qs(request.get_data(as_text=True))
    assert form["grant_type"] == ["refresh_token"]
    assert form["refresh_token"] == ["v^1.1#refresh"]
    assert form["scope"] == [" ".join(oauth.SCOPES)]


async def test_the_app_keyset_is_the_client_id_and_secret_by_default():
    credentials = oauth.credentials_of(seller(keysets=[KEYSET], refresh_token="r"))
    assert (credentials.client_id, credentials.client_secret) == (
        KEYSET["app_id"],
        KEYSET["cert_id"],
    )
    assert credentials.mints
    given = oauth.credentials_of(seller(user_token="pasted"))
    assert not given.mints and given.user_token == "pasted"


async def test_a_minted_token_is_kept_until_near_its_end_then_refreshed(account, apis, http, clock):
    for _ in range(3):
        await as_the_seller(account, apis, read(account, apis))
    assert await minted(http) == 1
    clock.advance(7200 - MARGIN.total_seconds() - 30)
    await as_the_seller(account, apis, read(account, apis))
    assert await minted(http) == 1
    clock.advance(60)  # now within two minutes of its end
    await as_the_seller(account, apis, read(account, apis))
    assert await minted(http) == 2


async def test_a_token_ebay_refuses_is_forgotten_and_a_new_one_minted_once(account, apis, http):
    await as_the_seller(account, apis, read(account, apis))
    await http.post("/_emulator/ebay/oauth/expire")  # e.g. revoked by the seller, or lost
    found = await as_the_seller(account, apis, read(account, apis))
    assert found.summary.return_id == "5100000001"
    assert await minted(http) == 2


async def test_a_revoked_refresh_token_is_refused_without_saying_any_secret(account, apis, http):
    await http.post(
        "/_emulator/ebay/oauth/revoke", json={"refresh_token": account.credentials["refresh_token"]}
    )
    with pytest.raises(Refused, match="invalid_grant") as refused:
        await as_the_seller(account, apis, read(account, apis))
    assert refused.value.status == 400
    for secret in (account.credentials["refresh_token"], KEYSET["cert_id"]):
        assert secret not in str(refused.value)


async def test_an_outage_at_the_token_endpoint_is_a_try_again_later(account, apis, http):
    await http.put("/_emulator/faults/ebay", json={"status": 503, "times": 1})
    with pytest.raises(Unavailable):
        await as_the_seller(account, apis, read(account, apis))
    await as_the_seller(account, apis, read(account, apis))  # the fault was for one call


async def test_a_given_user_token_is_used_as_is_and_not_retried_when_refused(apis, http):
    account = seller(keysets=[KEYSET], user_token="seller-pasted-token")
    with pytest.raises(Refused, match="refused the seller's token"):
        await as_the_seller(account, apis, read(account, apis))
    await http.post("/_emulator/ebay/oauth/user-tokens", json={"token": "seller-pasted-token"})
    found = await as_the_seller(account, apis, read(account, apis))
    assert found.detail is not None and await minted(http) == 0


async def test_an_account_without_any_token_is_refused(apis):
    with pytest.raises(Refused, match="neither a refresh token nor a user token"):
        await oauth.user_token(seller(keysets=[KEYSET]), apis)
