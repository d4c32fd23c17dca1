"""The generic webhook as intake receives it: one signed case, whole as it comes."""

from services.intake.channels.generic import webhook
from services.intake.channels.marketplace import (
    AS_SENT,
    MarketplaceChannel,
    first_delivery_id,
    parsed_as_sent,
    verified_with_secrets,
)
from services.intake.domain.case import Channel

GENERIC = MarketplaceChannel(
    channel=Channel.GENERIC,
    summary="Any other channel: a signed JSON case",
    lane=AS_SENT,
    account_of=webhook.account_of,
    verify=verified_with_secrets(webhook.verify),
    delivery_id_of=first_delivery_id(webhook.parse),
    parse=parsed_as_sent(webhook.parse),
    answers_case_id=True,
)
