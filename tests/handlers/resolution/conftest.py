"""What resolution's handler tests share: the service, not started, over the session's
real PostgreSQL and FastStream's test broker; its HTTP API; events to publish."""

import uuid
from datetime import UTC, datetime

import pytest

from services.resolution.app import SPEC as RESOLUTION
from services.resolution.app import create_app
from shared.events import BuyerAnswer, BuyerReplied, Envelope
from shared.service import Service
from tests.factories import envelope_bytes
from tests.handlers.conftest import api_of


@pytest.fixture
async def resolution(settings):
    service = Service(RESOLUTION, settings)
    yield service
    await service.engine.dispose()


@pytest.fixture
async def api(settings):
    async with api_of(create_app(settings), "resolution") as client:
        yield client


def types_of(events: list[dict]) -> list[str]:
    return [e["type"] for e in events]


async def publish(broker, payload, topic="intake.events") -> None:
    raw = envelope_bytes(Envelope.wrap(payload))
    await broker.publish(raw, topic, key=payload.case_id.encode())


def reply(case_id: str, answer: BuyerAnswer) -> BuyerReplied:
    return BuyerReplied(
        case_id=case_id, answer=answer, language="en", at=datetime.now(UTC), text="no thanks"
    )


async def row(service: Service, table, key):
    async with service.sessions() as session:
        return await session.get(table, key)


def a_seller() -> str:
    return f"seller-{uuid.uuid4().hex[:8]}"
