"""The seller's SP-API notification queue: Amazon SQS, read with aiobotocore.

Amazon delivers a subscription's notifications to the seller's SQS queue
(https://developer-docs.amazon.com/sp-api/docs/notifications-api-v1-use-case-guide, "Step 1.
Grant the SP-API permission to write to your SQS queue"). Intake reads it itself, with the
account's AWS credentials: ReceiveMessage with long polling (WaitTimeSeconds up to 20,
MaxNumberOfMessages up to 10), and DeleteMessage by receipt handle once a notification is
stored (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/). A message
not deleted comes back after its visibility timeout: none is lost while intake is down.

The account's credentials: `sqs_queue_url` (https://sqs.<region>.amazonaws.com/<account
id>/<name>), `aws_access_key_id`, `aws_secret_access_key`, optionally `aws_region`. The
endpoint is AWS's own unless AMAZON_SQS_ENDPOINT_URL names another (the emulator's).
Errors become shared.outbound's: throttling, 5xx and no connection are Unavailable; a
queue that does not exist or credentials refused are Refused.
"""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession, get_session
from botocore.exceptions import BotoCoreError, ClientError

from services.intake.domain.account import Account
from shared.outbound import Refused, Unavailable

SQS = "Amazon SQS"
MAX_MESSAGES = 10
REGION_IN_URL = re.compile(r"^https?://sqs[.-]([a-z0-9-]+)\.amazonaws\.com/")
TRANSIENT_CODES = frozenset(
    {"ThrottlingException", "RequestThrottled", "ServiceUnavailable", "InternalError",
     "KmsThrottled", "Throttling"}
)  # fmt: skip


@dataclass(frozen=True)
class NotificationQueue:
    account: str
    url: str
    region: str
    access_key_id: str
    secret_access_key: str

    def __repr__(self) -> str:  # never the secret, wherever a queue is logged
        return f"NotificationQueue({self.account!r}, {self.url!r})"


@dataclass(frozen=True)
class Message:
    message_id: str
    receipt_handle: str
    body: bytes


def queue_of(account: Account) -> NotificationQueue | None:
    """The account's notification queue; None when it has none (a forwarder, or nothing)."""
    credentials = account.credentials
    url = credentials.get("sqs_queue_url")
    key, secret = credentials.get("aws_access_key_id"), credentials.get("aws_secret_access_key")
    if not (isinstance(url, str) and url and key and secret):
        return None
    in_url = REGION_IN_URL.match(url)
    region = credentials.get("aws_region") or (in_url.group(1) if in_url else "us-east-1")
    return NotificationQueue(account.account, url, region, str(key), str(secret))


@cache
def botocore_session() -> AioSession:
    """One session for every queue's client: botocore reads its data files (the endpoints,
    the SQS model) once per process, not again for each client a reader opens or reopens."""
    return get_session()


@asynccontextmanager
async def sqs_client(
    queue: NotificationQueue, endpoint_url: str | None, wait_seconds: int
) -> AsyncIterator[Any]:
    config = AioConfig(
        connect_timeout=5,
        read_timeout=wait_seconds + 10,
        retries={"max_attempts": 2, "mode": "standard"},
    )
    session = botocore_session()
    async with session.create_client(
        "sqs",
        region_name=queue.region,
        endpoint_url=endpoint_url,
        aws_access_key_id=queue.access_key_id,
        aws_secret_access_key=queue.secret_access_key,
        config=config,
    ) as client:
        yield client


async def receive(client: Any, queue: NotificationQueue, wait_seconds: int) -> list[Message]:
    """The next notifications on the queue (none after `wait_seconds` of nothing)."""
    try:
        answer = await client.receive_message(
            QueueUrl=queue.url, MaxNumberOfMessages=MAX_MESSAGES, WaitTimeSeconds=wait_seconds
        )
    except (ClientError, BotoCoreError) as error:
        raise outbound(error, f"the notifications of {queue.account}") from error
    return [
        Message(m["MessageId"], m["ReceiptHandle"], m.get("Body", "").encode())
        for m in answer.get("Messages", [])
    ]


async def delete(client: Any, queue: NotificationQueue, message: Message) -> None:
    try:
        await client.delete_message(QueueUrl=queue.url, ReceiptHandle=message.receipt_handle)
    except (ClientError, BotoCoreError) as error:
        raise outbound(error, f"deleting message {message.message_id}") from error


def outbound(error: ClientError | BotoCoreError, what: str) -> Unavailable | Refused:
    if not isinstance(error, ClientError):  # no connection, a timeout...
        return Unavailable(SQS, f"unreachable for {what}: {error.__class__.__name__}")
    found = error.response.get("Error", {})
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    reason = f"answered {status} for {what}: {found.get('Code')}: {found.get('Message')}"
    if found.get("Code") in TRANSIENT_CODES or (status or 0) >= 500 or status == 429:
        return Unavailable(SQS, reason, status)
    return Refused(SQS, reason, status, found.get("Code"))
