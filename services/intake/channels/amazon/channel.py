"""Amazon's SP-API notifications as intake receives them: whole as the forwarder sends
them. The returns reports are uploaded apart (`handlers/reports.py`)."""

from services.intake.channels.amazon import notifications
from services.intake.channels.marketplace import (
    AS_SENT,
    MarketplaceChannel,
    first_delivery_id,
    parsed_as_sent,
    verified_with_secrets,
)
from services.intake.domain.case import Channel

AMAZON = MarketplaceChannel(
    channel=Channel.AMAZON,
    summary="Amazon SP-API notifications via a forwarder",
    lane=AS_SENT,
    account_of=notifications.account_of,
    verify=verified_with_secrets(notifications.verify),
    delivery_id_of=first_delivery_id(notifications.parse),
    parse=parsed_as_sent(notifications.parse),
)
