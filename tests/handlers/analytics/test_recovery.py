"""The console's recovery page asks the owning service (here resolution's real API over the
real PostgreSQL, in this process) as the caller: a platform admin lists resolution's dead
letters and discards one through analytics, with the reason kept by resolution; a seller's
agent is refused by resolution itself; paths that are not recovery routes, and unknown
services, are 404 before any service is asked; a service that does not answer is 503."""

import uuid
from types import SimpleNamespace

import httpx
import pytest
from aiokafka import ConsumerRecord
from sqlalchemy import select

from services.analytics.workflows.context import Analytics
from services.resolution.app import SPEC as RESOLUTION
from shared.messaging_tables import DeadLetterRecord
from shared.service import create_app
from tests.factories import AGENT, bearer, token_of
from tests.handlers.conftest import api_of


@pytest.fixture
async def resolution(settings):
    async with api_of(create_app(RESOLUTION, settings), "resolution") as client:
        yield client


@pytest.fixture
async def console(api, resolution):
    """Analytics' API reaching resolution's in this process (the app is not started here,
    so its context is set by hand); intake's address answers nothing."""
    async with httpx.AsyncClient(base_url="http://127.0.0.1:9") as nowhere:
        api.service.context = Analytics(resolution, {"resolution": resolution, "intake": nowhere})
        yield api


async def parked(resolution) -> int:
    """A record resolution cannot read, parked by its consumer (publishing to no broker)."""
    offset = 9_000_000 + uuid.uuid4().int % 1_000_000
    record = ConsumerRecord("refurbish.events", 0, offset, 0, 0, b"k", b"[1]", None, 3, 0, [])
    consumer = resolution.service.consumer
    published = []

    class Broker:
        async def publish(self, *args, **kwargs) -> None:
            published.append(args)

    consumer.broker = Broker()
    await consumer.consume_batch(SimpleNamespace(raw_message=[record]))
    assert published, "the record is parked on the dead-letter topic too"
    async with resolution.service.sessions() as session:
        return await session.scalar(
            select(DeadLetterRecord.id).where(DeadLetterRecord.offset == offset)
        )


async def test_a_platform_admin_lists_and_discards_a_dead_letter_through_the_console(console):
    resolution = console.service.context.service_apis["resolution"]
    dead_letter_id = await parked(resolution)

    listed = await console.get(
        "/console/recovery/resolution/dead-letters",
        params={"topic": "refurbish.events", "limit": 1000},
        headers=AGENT,
    )
    assert listed.status_code == 200, listed.text
    assert dead_letter_id in {each["id"] for each in listed.json()}
    topics = await console.get("/console/recovery/resolution/dead-letters/topics", headers=AGENT)
    assert "refurbish.events" in {each["topic"] for each in topics.json()}

    reason = {"reason": "a unit of a test bench, never a real event"}
    answer = await console.post(
        f"/console/recovery/resolution/dead-letters/{dead_letter_id}/discard",
        json=reason,
        headers=AGENT,
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["state"], answer.json()["discard_reason"]) == (
        "discarded",
        reason["reason"],
    )
    # Resolution kept the change in its own trail, as the caller's.
    trail = await resolution.get("/audit", params={"case_id": str(dead_letter_id)}, headers=AGENT)
    assert ("POST", "/dead-letters/{dead_letter_id}/discard", 200) in [
        (e["method"], e["route"], e["status"]) for e in trail.json()
    ]


async def test_the_owning_service_refuses_whom_it_refuses(console):
    agent = bearer(token_of(["agent"], sellers=["seller-1"]))
    answer = await console.get("/console/recovery/resolution/dead-letters", headers=agent)
    assert answer.status_code == 403  # resolution's answer: platform admins only
    answer = await console.post(
        "/console/recovery/resolution/dead-letters/redrive", json={}, headers=agent
    )
    assert answer.status_code == 403
    technician = bearer(token_of(["technician"], repair_shops=["BOS1"]))
    answer = await console.get("/console/recovery/resolution/dead-letters", headers=technician)
    assert answer.status_code == 403  # analytics' own answer: not a reader of seller data
    assert (await console.get("/console/recovery/resolution/dead-letters")).status_code == 401


async def test_only_recovery_routes_of_known_services_are_passed_on(console):
    for path in ("policies/seller-1", "audit", "dead-letters/../audit"):
        answer = await console.get(f"/console/recovery/resolution/{path}", headers=AGENT)
        assert answer.status_code == 404, path
    answer = await console.post(
        "/console/recovery/resolution/deliveries/retry", json={}, headers=AGENT
    )
    assert answer.status_code == 404  # resolution has no deliveries
    assert (
        await console.get("/console/recovery/billing/dead-letters", headers=AGENT)
    ).status_code == 404
    unreachable = await console.get("/console/recovery/intake/failed-calls", headers=AGENT)
    assert unreachable.status_code == 503 and "intake" in unreachable.json()["detail"]


async def test_failed_calls_are_passed_on_to_the_services_that_make_them(console):
    agent = bearer(token_of(["agent"], sellers=[f"seller-{uuid.uuid4().hex[:8]}"]))
    listed = await console.get(
        "/console/recovery/resolution/failed-calls", params={"kind": "refund"}, headers=agent
    )
    assert (listed.status_code, listed.json()) == (200, [])  # resolution's, the seller's own
    answer = await console.post(
        "/console/recovery/resolution/failed-calls/refund/no-such-refund/retry", headers=agent
    )
    assert answer.status_code == 404 and "no refund" in answer.json()["detail"]
    for service in ("refurbish", "analytics"):  # they call no outside system
        answer = await console.get(f"/console/recovery/{service}/failed-calls", headers=AGENT)
        assert answer.status_code == 404, service
