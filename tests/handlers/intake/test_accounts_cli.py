"""The onboarding command line (`handlers/accounts_cli.py`) over intake's API: a seller
created, rotated, checked and disabled, its secrets read from standard input and never
printed."""

import io
import json
import uuid

import httpx
import pytest

from services.intake.handlers.accounts_cli import main, run
from tests.factories import AGENT
from tests.handlers.intake.conftest import Seller, forget_deliveries


@pytest.fixture
async def agent(intake):
    """A client of the running intake with the agent's token, as `main` makes one."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=intake.app), base_url="http://intake", headers=AGENT
    ) as client:
        yield client


async def command(agent, *argv: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    status = await run(list(argv), agent, stdin=io.StringIO(stdin), out=out)
    return status, out.getvalue()


async def test_a_seller_is_onboarded_rotated_and_disabled_from_the_command_line(
    intake, agent, tmp_path
):
    seller = Seller(f"cli-{uuid.uuid4().hex[:8]}", f"secret-{uuid.uuid4().hex}")
    token = f"tok-{uuid.uuid4().hex}"
    credentials = tmp_path / "credentials.json"
    credentials.write_text(json.dumps({"access_token": token}))
    printed = []
    try:
        status, out = await command(
            agent,
            "create",
            "generic",
            seller.account,
            "--seller",
            "acme",
            "--market",
            "US",
            "--secrets",
            "-",
            "--credentials",
            str(credentials),
            stdin=f"{seller.secret}\n",
        )
        printed.append(out)
        assert status == 0, out
        assert json.loads(out)["credentials"] == ["access_token"]
        assert (await seller.post(intake)).status_code == 202

        newer = f"secret-{uuid.uuid4().hex}"
        status, out = await command(
            agent, "rotate", "generic", seller.account, "--drop-old", stdin=newer
        )
        printed.append(out)
        assert status == 0 and json.loads(out)["secrets"] == 1
        assert (await seller.post(intake)).status_code == 401
        assert (await seller.post(intake, secret=newer)).status_code == 202

        status, out = await command(agent, "update", "generic", seller.account, "--no-market")
        printed.append(out)
        assert status == 0 and json.loads(out)["default_market"] is None

        status, out = await command(agent, "list", "--seller", "acme")
        printed.append(out)
        assert seller.account in {each["account"] for each in json.loads(out)}

        status, out = await command(agent, "check", "generic", seller.account)
        assert (status, json.loads(out)["verified"]) == (0, None)

        status, out = await command(agent, "disable", "generic", seller.account)
        printed.append(out)
        assert status == 0 and json.loads(out)["enabled"] is False
        assert (await seller.post(intake, secret=newer)).status_code == 401

        status, out = await command(agent, "show", "generic", "nobody-here")
        assert status == 1 and "no generic account" in out
        with pytest.raises(SystemExit, match="exactly one new secret"):
            await command(
                agent, "rotate", "generic", seller.account, "--grace", "60", stdin="a\nb\n"
            )
    finally:
        await forget_deliveries(intake, seller.account)
    for out in printed:
        assert seller.secret not in out and token not in out


def test_the_command_line_wants_an_access_token(monkeypatch):
    monkeypatch.delenv("ACCESS_TOKEN", raising=False)
    monkeypatch.chdir("/")  # no .env
    with pytest.raises(SystemExit, match="ACCESS_TOKEN"):
        main(["list"])
