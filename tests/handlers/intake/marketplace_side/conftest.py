"""What the handler tests of intake's marketplace side (refunds, return actions, the events
that owe them) share: the service with its context (the channel accounts of
tests/samples, a client of the marketplace APIs), not started (no consumer, no workers),
over the session's real PostgreSQL; cases stored as intake stores them."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from services.intake.app import create_app, intake_context
from services.intake.tables import CaseRecord
from services.intake.workflows.context import Intake
from shared.service import Service
from tests.factories import AGENT
from tests.handlers.conftest import api_of


@pytest.fixture
async def intake_api(settings, httpserver):
    """Intake's HTTP API with its context; the generic channel's refund API is the local
    fake `httpserver`. `intake_api.service.context` is the `Intake`."""
    local = settings.model_copy(
        update={"generic_refund_api_base_url": httpserver.url_for("").rstrip("/")}
    )
    app = create_app(local)
    service = app.state.service
    async with intake_context(service) as context:
        service.context = context
        async with api_of(app, "intake") as client:
            yield client


@pytest.fixture
def intake(intake_api) -> Intake:
    return intake_api.service.context


async def stored_case(
    service: Service,
    channel: str = "generic",
    account: str = "test-seller",
    return_id: str | None = None,
    currency: str = "USD",
    marketplace_status: str = "requested",
    reason: str = "other",
    marketplace: str | None = None,
) -> CaseRecord:
    """A case as intake keeps it once opened (only what the marketplace side reads)."""
    case_id = f"case-{uuid.uuid4()}"
    record = CaseRecord(
        case_id=case_id,
        channel=channel,
        case_key=f"key-{case_id}",
        account=account,
        order_id=f"ORD-{uuid.uuid4().hex[:8]}",
        return_id=return_id,
        market="US",
        buyer_ref="buyer-1",
        scenario="minor_defect",
        confidence=1.0,
        needs_agent=False,
        marketplace_status=marketplace_status,
        opened_at=datetime.now(UTC),
        case={
            "case_id": case_id,
            "currency": currency,
            "reason": reason,
            "marketplace": marketplace or channel,
        },
    )
    async with service.transaction() as session:
        session.add(record)
    return record


@pytest.fixture
async def amazon_seller(intake_api) -> AsyncIterator[str]:
    """An Amazon account of the DE marketplace with an SP-API authorisation, disabled after
    the test (no other test's Amazon report polls meet it)."""
    seller_id = f"A{uuid.uuid4().hex[:12].upper()}"
    onboarded = await intake_api.post(
        "/channel-accounts",
        json={
            "channel": "amazon",
            "account": seller_id,
            "seller": "luma-home",
            "default_market": "DE",
            "secrets": ["forwarder-secret"],
            "credentials": {
                "lwa_client_id": "amzn1.application-oa2-client.messages",
                "lwa_client_secret": "lwa-client-secret",
                "refresh_token": f"Atzr|{seller_id}",
                "region": "eu",
                "mail_from": "Luma Home <care@lumahome.example>",
            },
        },
        headers=AGENT,
    )
    assert onboarded.status_code == 201, onboarded.text
    yield seller_id
    disabled = await intake_api.post(f"/channel-accounts/amazon/{seller_id}/disable", headers=AGENT)
    assert disabled.status_code == 200, disabled.text


@pytest.fixture
async def on_emulators(settings):
    """Intake paying through the session's emulators, every channel (the generic one too)."""
    app = create_app(settings)
    service = app.state.service
    async with intake_context(service) as context:
        service.context = context
        async with api_of(app, "intake") as client:
            yield client
