"""The seller's notification queue (`services/intake/channels/amazon/queue.py`): read and
cleared over SQS's own protocol against the emulators' SQS (moto, served over HTTP), and
its failures read as shared.outbound's."""

import httpx
import pytest

from services.intake.channels.amazon import queue
from services.intake.domain.account import Account
from services.intake.domain.case import Channel
from shared.outbound import Refused, Unavailable


def queued(name: str, **changes) -> Account:
    credentials = {
        "sqs_queue_url": f"https://sqs.eu-west-1.amazonaws.com/123456789012/{name}",
        "aws_access_key_id": "AKIAUNITTEST000001",
        "aws_secret_access_key": "unit-aws-secret",
        **changes,
    }
    return Account(Channel.AMAZON, "A1QUEUE", "luma-home", "UK", credentials)


def test_an_account_names_its_queue_and_region_or_has_none():
    found = queue.queue_of(queued("q"))
    assert (found.region, found.url.rsplit("/", 1)[-1]) == ("eu-west-1", "q")
    assert "unit-aws-secret" not in repr(found)
    assert queue.queue_of(queued("q", aws_secret_access_key="")) is None


async def test_messages_are_received_then_deleted(emulators):
    async with httpx.AsyncClient(base_url=emulators) as http:
        await http.post("/_emulator/amazon/queues/unit-queue-read", content=b'{"n": 1}')
    found = queue.queue_of(queued("unit-queue-read", aws_region="us-east-1"))
    async with queue.sqs_client(found, f"{emulators}/sqs", 1) as client:
        [message] = await queue.receive(client, found, 1)
        assert message.body == b'{"n": 1}'
        await queue.delete(client, found, message)
        assert await queue.receive(client, found, 0) == []


async def test_a_missing_queue_is_refused_and_an_outage_unavailable(emulators):
    missing = queue.queue_of(queued("no-such-queue", aws_region="us-east-1"))
    async with queue.sqs_client(missing, f"{emulators}/sqs", 0) as client:
        with pytest.raises(Refused) as refused:
            await queue.receive(client, missing, 0)
        assert "NonExistentQueue" in refused.value.reason
        async with httpx.AsyncClient(base_url=emulators) as http:
            await http.put("/_emulator/faults/sqs", json={"outage_seconds": 60})
            try:
                with pytest.raises(Unavailable):
                    await queue.receive(client, missing, 0)
            finally:
                await http.delete("/_emulator/faults/sqs")
