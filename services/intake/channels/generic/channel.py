"""The generic webhook as intake receives it: one signed case, whole as it comes; its
refunds paid through the project's refund protocol (`refund_api.py`), its store credit
through the seller's gift card API beside it (`store_credit_api.py`). It takes no return
actions: a generic case names no marketplace return."""

from services.intake.channels.generic import refund_api, store_credit_api, webhook
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
    pay_refund=refund_api.pay_refund,
    find_refund=refund_api.find_refund,
    issue_store_credit=store_credit_api.issue_store_credit,
    find_store_credit=store_credit_api.find_store_credit,
)
