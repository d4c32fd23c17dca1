"""SP-API notifications read from the seller's own SQS queue (`workers/amazon_notifications.py`),
stored as the forwarder's webhook stores them: one delivery per notification id, so a
notification read twice (or also forwarded) is one delivery. The delivery worker applies
it as any Amazon notification (`channels/amazon/notifications.py`).

The queue is the seller's, read with the seller's AWS credentials: what comes from it is
Amazon's, with no signature to check. A message that is no notification is stored all the
same, under its SQS message id, and fails in the worker with its cause (listed, never
lost); the queue is cleared of it either way.
"""

from services.intake.channels.amazon.channel import AMAZON
from services.intake.channels.amazon.queue import Message
from services.intake.domain.case import Channel, ChannelError
from services.intake.workflows.accepting import WEBHOOK, webhook_content
from services.intake.workflows.context import Intake

QUEUE_HEADER = "x-amazon-sqs-message-id"


async def take_notification(intake: Intake, account: str, message: Message) -> bool:
    """Store the message as a delivery of `account`; False when stored before."""
    headers = {"content-type": "application/json", QUEUE_HEADER: message.message_id}
    try:
        delivery_id = AMAZON.delivery_id_of(headers, message.body)
    except ChannelError:
        delivery_id = f"amazon:sqs:{message.message_id}"
    content = webhook_content(headers, message.body)
    return await intake.acceptance.accept(Channel.AMAZON, delivery_id, account, WEBHOOK, content)
