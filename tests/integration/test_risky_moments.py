"""The chaos run's risky moments (`bench/chaos_moments.py`), each hit on purpose in a stack of
processes (its own broker and PostgreSQL server): intake killed while the refund API holds
the answer of the refund it paid, intake killed with webhooks half sent and unanswered, and
intake's relay killed between Kafka taking its batch and the record of it. Each test checks
that the moment was hit (counted) and what it left: paid once, one case each, applied once."""

import pytest

from bench.chaos import ChaosStack, EmbeddedPostgres
from bench.chaos_moments import (
    Moment,
    refund_in_flight,
    relay_between_publish_and_record,
    webhook_mid_request,
)
from deploy.components import RUN_DIR


@pytest.fixture(scope="module")
async def stack():
    # A PostgreSQL server of the stack's own (the embedded one, as `make chaos` runs it): the
    # five processes, their workers' listeners and the suite's own stack do not fit together
    # in a server of 100 connections.
    postgres = EmbeddedPostgres(RUN_DIR / "moments-pgdata")
    stack = ChaosStack(postgres.url, "moments", postgres)
    try:
        with pytest.MonkeyPatch.context() as environment:
            # A refund try's lease is three marketplace timeouts: a killed try's runs out
            # in 12 s rather than 30.
            environment.setenv("MARKETPLACE_TIMEOUT_SECONDS", "4")
            environment.setenv("DATABASE_POOL_SIZE", "4")
            await stack.start()
        yield stack
    finally:
        stack.stop()
        postgres.close()


async def hit(stack: ChaosStack, moment: Moment) -> dict:
    await moment.act(stack)
    return moment.notes


@pytest.mark.timeout(60, func_only=True)
async def test_intake_killed_while_the_refund_api_holds_the_paid_refunds_answer_pays_once(stack):
    notes = await hit(stack, refund_in_flight(settle_timeout=40))
    assert notes["refunds_held_when_killed"] == 1, notes
    assert notes["callers_gone_while_held"] == 1, notes  # the emulator saw intake go
    assert (notes["refunds_paid"], notes["refund_events"]) == (1, 1), notes


# A delivery the killed intake had claimed waits out its 60 s lease before it is opened.
@pytest.mark.timeout(150, func_only=True)
async def test_intake_killed_with_webhooks_mid_request_opens_each_delivery_once(stack):
    notes = await hit(stack, webhook_mid_request(slow=4, burst=40))
    assert notes["half_sent_when_killed"] == notes["half_sent_cut_unanswered"] == 4, notes
    assert notes["burst_unanswered_when_killed"] > 0, notes
    assert (notes["deliveries"], notes["cases_doubled"]) == (44, 0), notes


@pytest.mark.timeout(60, func_only=True)
async def test_a_relay_killed_between_publishing_and_recording_has_each_event_applied_once(stack):
    notes = await hit(stack, relay_between_publish_and_record("intake"))
    assert notes["relay_blocked_when_killed"] == 1, notes
    assert notes["applied_before_the_kill"] > 0, notes  # in Kafka, not yet recorded
    assert notes["published_twice"] > 0, notes
    assert notes["applied_twice"] == 0, notes
