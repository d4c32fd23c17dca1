"""The audit trail over the real PostgreSQL: intake running in this process keeps its
changes and its reads of personal data in `audit.entries`, and every service answers its
platform admins' `GET /audit`."""

import asyncio
import importlib
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shared.service import create_app
from shared.settings import SERVICE_NAMES
from tests.factories import AGENT, INTERNAL_TOKEN, bearer, token_of
from tests.handlers.conftest import api_of
from tests.handlers.intake.conftest import running_intake

CLIENT = "203.0.113.5"  # where the calls come from, as the trusted proxy says
FORWARDED = {"x-forwarded-for": f"198.51.100.99, {CLIENT}"}


@pytest.fixture
async def intake(settings):
    async with running_intake(settings, trusted_proxies=["127.0.0.1/32"]) as client:
        yield client


def someone(roles=("agent",), sellers=("acme",)) -> tuple[str, dict[str, str]]:
    subject = f"agnes-{uuid.uuid4().hex[:8]}"
    token = token_of(roles, sellers=sellers, name="Agnes Audit", sub=subject)
    return subject, bearer(token) | FORWARDED


async def trail(intake, **filters) -> list[dict]:
    answer = await intake.get("/audit", params=filters, headers=AGENT)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_change_is_kept_with_who_what_which_case_when_and_where(intake):
    subject, headers = someone()
    case_id = f"case-{uuid.uuid4()}"
    before = datetime.now(UTC)
    answer = await intake.post(
        f"/cases/{case_id}/classification",
        json={"scenario": "changed_mind", "agent": "Agnes"},
        headers=headers,
    )
    after = datetime.now(UTC)
    assert answer.status_code == 404  # no such case: the attempt is kept all the same

    [entry] = await trail(intake, case_id=case_id)
    assert entry["service"] == "intake"
    assert (entry["subject"], entry["name"], entry["roles"]) == (subject, "Agnes Audit", ["agent"])
    assert (entry["method"], entry["route"], entry["status"]) == (
        "POST",
        "/cases/{case_id}/classification",
        404,
    )
    assert entry["path_params"] == {"case_id": case_id}
    assert entry["personal_data"] is None
    assert before <= datetime.fromisoformat(entry["at"]) <= after
    assert entry["client_address"] == CLIENT


async def test_a_change_without_a_case_is_kept_with_its_answer(intake):
    subject, _ = someone()
    admin = bearer(token_of(["platform_admin"], name="Pat Admin", sub=subject))
    account = f"seller-{uuid.uuid4().hex[:8]}"
    body = {"channel": "generic", "account": account, "seller": account, "secrets": ["s" * 32]}
    answer = await intake.post("/channel-accounts", json=body, headers=admin)
    assert answer.status_code == 201, answer.text

    [entry] = await trail(intake, subject=subject)
    assert (entry["method"], entry["route"], entry["status"]) == ("POST", "/channel-accounts", 201)
    assert entry["case_id"] is None
    assert entry["client_address"] == "127.0.0.1"  # no X-Forwarded-For: the proxy's own


async def test_a_read_of_personal_data_is_kept_a_plain_read_is_not(intake):
    case_id = f"case-{uuid.uuid4()}"
    service = bearer(INTERNAL_TOKEN)
    assert (await intake.get(f"/cases/{case_id}/ship-to", headers=service)).status_code == 404
    subject, headers = someone()
    assert (await intake.get(f"/cases/{case_id}", headers=headers)).status_code == 404
    assert (await intake.get("/cases", headers=headers)).status_code == 200  # plain read
    assert (await intake.get("/healthz", headers=headers)).status_code == 200

    entries = await trail(intake, case_id=case_id)
    assert [(e["route"], e["personal_data"], e["roles"]) for e in entries] == [
        ("/cases/{case_id}", "buyer's words", ["agent"]),
        ("/cases/{case_id}/ship-to", "ship-to address", ["service"]),
    ]
    assert [e["route"] for e in await trail(intake, subject=subject)] == ["/cases/{case_id}"]


async def test_a_refused_change_is_kept_without_a_caller(intake):
    case_id = f"case-{uuid.uuid4()}"
    answer = await intake.post(f"/cases/{case_id}/classification", json={}, headers=FORWARDED)
    assert answer.status_code == 401
    [entry] = await trail(intake, case_id=case_id)
    assert (entry["subject"], entry["roles"], entry["status"]) == (None, [], 401)
    assert entry["client_address"] == CLIENT


async def test_only_a_platform_admin_reads_the_trail(intake):
    _, agent = someone()
    assert (await intake.get("/audit", headers=agent)).status_code == 403
    assert (await intake.get("/audit", headers=bearer(INTERNAL_TOKEN))).status_code == 403
    assert (await intake.get("/audit")).status_code == 401


async def test_the_trail_is_filtered_by_case_subject_and_time(intake):
    case_id = f"case-{uuid.uuid4()}"
    agnes, as_agnes = someone()
    bruno, as_bruno = someone()
    moments = []
    for headers in (as_agnes, as_bruno, as_agnes):
        await intake.get(f"/cases/{case_id}", headers=headers)
        moments.append(datetime.now(UTC))
        await asyncio.sleep(0.01)

    everything = await trail(intake, case_id=case_id)
    assert [e["subject"] for e in everything] == [agnes, bruno, agnes]  # newest first
    assert [e["subject"] for e in await trail(intake, case_id=case_id, limit=1)] == [agnes]
    assert [e["subject"] for e in await trail(intake, case_id=case_id, subject=bruno)] == [bruno]
    since = moments[0].isoformat()
    assert [e["subject"] for e in await trail(intake, case_id=case_id, since=since)] == [
        agnes,
        bruno,
    ]
    until = moments[1].isoformat()
    assert [e["subject"] for e in await trail(intake, case_id=case_id, until=until)] == [
        bruno,
        agnes,
    ]
    window = {"since": since, "until": until}
    assert [e["subject"] for e in await trail(intake, case_id=case_id, **window)] == [bruno]
    assert (await intake.get("/audit", params={"limit": 0}, headers=AGENT)).status_code == 422
    edge_of_time = {"since": "0001-01-01T00:00:00+05:00"}
    assert (await intake.get("/audit", params=edge_of_time, headers=AGENT)).status_code == 422


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit.entries SET status = 200",
        "DELETE FROM audit.entries",
        "TRUNCATE audit.entries",
    ],
)
async def test_the_trail_is_append_only(intake, statement):
    with pytest.raises(DBAPIError, match="append-only"):
        async with intake.service.engine.begin() as connection:
            await connection.execute(text(statement))


@pytest.mark.parametrize("name", SERVICE_NAMES)
async def test_every_service_answers_its_platform_admins(settings, name):
    spec = importlib.import_module(f"services.{name}.app").SPEC
    async with api_of(create_app(spec, settings), name) as client:
        answer = await client.get("/audit", headers=AGENT)
        assert answer.status_code == 200, answer.text
        assert all(entry["service"] == name for entry in answer.json())
        assert (await client.get("/audit")).status_code == 401
