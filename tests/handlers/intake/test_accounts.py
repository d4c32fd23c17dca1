"""Seller onboarding over HTTP (`handlers/accounts.py`, `workflows/accounts.py`): accounts
created, rotated, disabled and checked; secrets never shown; a change seen by every
replica within the accounts' cache time."""

import asyncio
import dataclasses
import logging
import time
import uuid

import pytest
from werkzeug import Response

from services.intake.channels.generic.channel import GENERIC
from services.intake.channels.registry import BY_NAME
from services.intake.domain.case import Channel
from shared.outbound import Refused, Unavailable
from tests.conftest import eventually
from tests.factories import AGENT
from tests.handlers.intake.conftest import ACCOUNT_CACHE_SECONDS, Seller, running_intake


def url_of(seller: Seller, action: str = "") -> str:
    return f"/channel-accounts/generic/{seller.account}{action}"


async def test_an_onboarded_account_verifies_its_sellers_deliveries(intake, seller):
    answer = await seller.post(intake)
    assert answer.status_code == 202, answer.text
    view = (await intake.get(url_of(seller), headers=AGENT)).json()
    assert view["seller"] == seller.account
    assert (view["enabled"], view["managed_by"], view["secrets"]) == (True, "api", 1)
    listed = (await intake.get("/channel-accounts?channel=generic", headers=AGENT)).json()
    assert seller.account in {each["account"] for each in listed}
    again = await seller.create(intake)
    assert again.status_code == 409
    assert (await intake.get(url_of(seller))).status_code == 401  # agents only


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "etsy"}, "channel"),
        ({"channel": "agent"}, "channel"),
        ({"account": "a/b"}, "account"),
        ({"seller": ""}, "seller"),
        ({"default_market": "ZZ"}, "default_market"),
        ({"secrets": ["top-secret-1", 7]}, "secrets.1"),
        ({"credentials": {"secrets": ["top-secret-2"]}}, "credentials.secrets"),
        ({"password": "top-secret-3"}, "password"),
    ],
)
async def test_a_bad_onboarding_names_the_field_never_what_was_sent(intake, change, field):
    seller = Seller(f"seller-{uuid.uuid4().hex[:8]}", "s")
    answer = await seller.create(intake, **change)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert "top-secret" not in answer.text
    assert (await intake.get(url_of(seller), headers=AGENT)).status_code == 404


async def test_a_rotated_secret_is_refused_by_every_replica_within_the_cache_time(
    settings, intake, seller
):
    async with running_intake(settings) as replica:
        assert (await seller.post(replica)).status_code == 202  # the replica keeps the account
        new = f"secret-{uuid.uuid4().hex}"
        rotated = await intake.post(
            url_of(seller, "/secrets"), json={"secret": new, "grace_seconds": 0}, headers=AGENT
        )
        assert rotated.status_code == 200, rotated.text
        assert rotated.json()["secrets"] == 1 and rotated.json()["retiring_secrets"] == []
        # The replica that rotated it refuses the old secret at once.
        assert (await seller.post(intake)).status_code == 401
        assert (await seller.post(intake, secret=new)).status_code == 202
        rotated_at = time.monotonic()

        async def old_refused():
            return (await seller.post(replica)).status_code == 401

        await eventually(old_refused, timeout=10, interval=0.1)
        assert time.monotonic() - rotated_at <= ACCOUNT_CACHE_SECONDS + 1
        assert (await seller.post(replica, secret=new)).status_code == 202


async def test_an_old_secret_verifies_for_the_grace_period_asked_then_no_more(intake, seller):
    new = f"secret-{uuid.uuid4().hex}"
    answer = await intake.post(
        url_of(seller, "/secrets"), json={"secret": new, "grace_seconds": 2}, headers=AGENT
    )
    assert len(answer.json()["retiring_secrets"]) == 1
    assert (await seller.post(intake)).status_code == 202
    assert (await seller.post(intake, secret=new)).status_code == 202

    async def old_refused():
        return (await seller.post(intake)).status_code == 401

    await eventually(old_refused, timeout=10, interval=0.2)
    assert (await seller.post(intake, secret=new)).status_code == 202


async def test_a_disabled_accounts_deliveries_are_refused_as_forged_ones_are(intake, seller):
    forged = await seller.post(intake, secret="not-the-secret")
    disabled = await intake.post(url_of(seller, "/disable"), headers=AGENT)
    assert disabled.json()["enabled"] is False
    refused = await seller.post(intake)
    assert (
        (refused.status_code, refused.json())
        == (forged.status_code, forged.json())
        == (
            401,
            {"error": "bad_signature", "detail": "the generic signature does not match"},
        )
    )
    enabled = await intake.post(url_of(seller, "/enable"), headers=AGENT)
    assert enabled.json()["enabled"] is True
    assert (await seller.post(intake)).status_code == 202


async def test_an_update_changes_only_what_it_names(intake, seller):
    answer = await intake.patch(
        url_of(seller),
        json={"default_market": "DE", "credentials": {"access_token": "tok-1", "scope": None}},
        headers=AGENT,
    )
    view = answer.json()
    assert (view["seller"], view["default_market"], view["credentials"]) == (
        seller.account,
        "DE",
        ["access_token"],
    )
    assert (await seller.post(intake)).status_code == 202  # its secret is unchanged
    gone = await intake.patch(
        url_of(seller), json={"credentials": {"access_token": None}}, headers=AGENT
    )
    assert gone.json()["credentials"] == [] and gone.json()["default_market"] == "DE"
    missing = await intake.patch(
        "/channel-accounts/generic/nobody-here", json={"seller": "x"}, headers=AGENT
    )
    assert missing.status_code == 404


@pytest.fixture
def checked_by(monkeypatch, httpserver):
    """The generic channel given a credentials check: a call to a marketplace (the local
    HTTP server) with the account's access token."""

    async def check(account, apis):
        token = account.credentials.get("access_token", "")
        answer = await apis.http.get(
            httpserver.url_for("/check"), headers={"authorization": f"Bearer {token}"}
        )
        if answer.status_code >= 500:
            raise Unavailable("marketplace", answer.text, answer.status_code)
        if answer.status_code >= 400:
            raise Refused("marketplace", answer.text, answer.status_code)

    monkeypatch.setitem(BY_NAME, Channel.GENERIC, dataclasses.replace(GENERIC, check_account=check))
    return httpserver


async def test_a_check_asks_the_marketplace_with_the_accounts_credentials(
    intake, seller, checked_by
):
    token = f"tok-{uuid.uuid4().hex}"
    await intake.patch(url_of(seller), json={"credentials": {"access_token": token}}, headers=AGENT)
    checked_by.expect_ordered_request(
        "/check", headers={"authorization": f"Bearer {token}"}
    ).respond_with_json({"shop": "ok"})
    checked_by.expect_ordered_request("/check").respond_with_response(
        Response(f"invalid access token {token}", status=401)
    )
    checked_by.expect_ordered_request("/check").respond_with_response(Response("down", status=503))

    passed = (await intake.post(url_of(seller, "/check"), headers=AGENT)).json()
    assert passed["verified"] is True
    refused = await intake.post(url_of(seller, "/check"), headers=AGENT)
    assert refused.json()["verified"] is False
    assert "invalid access token [redacted]" in refused.json()["detail"]
    assert token not in refused.text
    unreachable = await intake.post(url_of(seller, "/check"), headers=AGENT)
    assert unreachable.status_code == 503
    missing = await intake.post("/channel-accounts/generic/nobody-here/check", headers=AGENT)
    assert missing.status_code == 404


async def test_a_channel_without_a_check_says_so(intake, seller):
    answer = await intake.post(url_of(seller, "/check"), headers=AGENT)
    assert answer.status_code == 200
    assert answer.json()["verified"] is None


async def test_secrets_and_credentials_are_never_in_an_answer_or_a_log_line(
    intake, checked_by, caplog
):
    caplog.set_level(logging.DEBUG)
    secret, newer = f"sec-{uuid.uuid4().hex}", f"sec-{uuid.uuid4().hex}"
    token, keyset = f"tok-{uuid.uuid4().hex}", f"cert-{uuid.uuid4().hex}"
    hidden = (secret, newer, token, keyset)
    seller = Seller(f"seller-{uuid.uuid4().hex[:8]}", secret)
    checked_by.expect_request("/check").respond_with_response(
        Response(f"refused: {token} {keyset}", status=403)
    )
    answers = [
        await seller.create(
            intake, credentials={"access_token": token, "keysets": [{"cert_id": keyset}]}
        ),
        await seller.create(intake),  # 409
        await seller.create(intake, secrets=[secret, {"nested": token}]),  # 422
        await seller.post(intake),
        await seller.post(intake, secret=token),
        await intake.get(url_of(seller), headers=AGENT),
        await intake.get("/channel-accounts", headers=AGENT),
        await intake.patch(
            url_of(seller), json={"credentials": {"access_token": token}}, headers=AGENT
        ),
        await intake.post(
            url_of(seller, "/secrets"), json={"secret": newer, "grace_seconds": 60}, headers=AGENT
        ),
        await intake.post(
            url_of(seller, "/secrets"), json={"secret": 5, "grace_seconds": 1}, headers=AGENT
        ),
        await intake.post(url_of(seller, "/check"), headers=AGENT),
        await intake.post(url_of(seller, "/disable"), headers=AGENT),
        await seller.post(intake, secret=newer),
    ]
    assert [answer.status_code for answer in answers] == [
        201, 409, 422, 202, 401, 200, 200, 200, 200, 422, 200, 200, 401
    ]  # fmt: skip
    for answer in answers:
        assert not any(value in answer.text for value in hidden), answer.text
    logged = [record.getMessage() + (record.exc_text or "") for record in caplog.records]
    assert any("onboarded generic account" in line for line in logged)
    for line in logged:
        assert not any(value in line for value in hidden), line


async def test_accounts_are_read_once_while_kept_and_unknown_ones_are_kept_too(
    settings, intake, seller
):
    accounts = intake.service.context.accounts
    reads = 0
    read = accounts._read

    async def counted(channel, account):
        nonlocal reads
        reads += 1
        return await read(channel, account)

    accounts._read = counted
    found = await asyncio.gather(
        *(accounts.find(Channel.GENERIC, seller.account) for _ in range(20))
    )
    assert {each.account for each in found} == {seller.account} and reads == 1
    assert await accounts.find(Channel.GENERIC, "nobody-here") is None
    assert await accounts.find(Channel.GENERIC, "nobody-here") is None
    assert reads == 2
    await asyncio.sleep(ACCOUNT_CACHE_SECONDS + 0.1)
    await accounts.find(Channel.GENERIC, seller.account)
    assert reads == 3


async def test_the_bootstrap_file_leaves_an_account_the_api_changed_alone(settings, intake):
    """The file names the generic test seller with two secrets: once the API rotated its
    secret, a restart reading the file again does not bring the old ones back."""
    accounts = intake.service.context.accounts
    entry = {"channel": "generic", "account": f"file-{uuid.uuid4().hex[:8]}", "seller": "s"}
    await accounts.load([{**entry, "secrets": ["from-file-1"]}])
    assert (await accounts.find(Channel.GENERIC, entry["account"])).secrets == ["from-file-1"]
    await accounts.load([{**entry, "secrets": ["from-file-2"]}])  # the file keeps it
    assert (await accounts.find(Channel.GENERIC, entry["account"])).secrets == ["from-file-2"]
    await intake.post(
        f"/channel-accounts/generic/{entry['account']}/secrets",
        json={"secret": "from-api", "grace_seconds": 0},
        headers=AGENT,
    )
    await accounts.load([{**entry, "secrets": ["from-file-3"]}])
    assert (await accounts.find(Channel.GENERIC, entry["account"])).secrets == ["from-api"]
