"""Amazon as intake receives it and asks of it.

Received: SP-API notifications, whole as the seller's forwarder sends them
(`POST /webhooks/amazon`) or as intake reads them from the seller's own SQS queue
(`workers/amazon_notifications.py`); the returns reports are polled (`workers/
amazon_reports.py`) or uploaded (`handlers/reports.py`) apart.

Asked: a seller-fulfilled case's refund, through the payment adjustment feed, read back
from the order's financial events (`refunds.py`), none for an order Amazon fulfilled;
`check_account` proves an account's SP-API authorisation. Amazon has no call to act on a
seller-fulfilled return, so `act_on_return` is None. An FBA unit's removal order
(`removals.py`) is Amazon's alone, sent by its own worker (`workers/removal_orders.py`).
Messages to the buyer go through the Messaging API's action that fits them when the order
offers it, else by e-mail to the order's anonymised relay address (`messaging.py`).
"""

from services.intake.channels.amazon import messaging, notifications, refunds, shipments
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
    parse=parsed_as_sent(notifications.read),
    pay_refund=refunds.pay_refund,
    find_refund=refunds.find_refund,
    act_on_return=None,  # Amazon has no such call: see above
    check_account=refunds.check_account,
    buyer_relay_address=messaging.buyer_relay_address,
    message_action=messaging.message_action,
    send_by_action=messaging.send_by_action,
    buyer_language=messaging.buyer_language,
    order_shipment=shipments.order_shipment,
)
