"""Amazon's Buyer-Seller Messaging as intake uses it, two ways:
- the Messaging API's own message, where one fits (`messaging_api.py`): a notice of a
  remedy owed after a problem is createUnexpectedProblem, a replacement's shipment with
  its tracking is createConfirmDeliveryDetails. Sent only when the order offers the action
  now (getMessagingActionsForOrder), the text fits its rules (1 to 2000 characters, no
  HTML, no e-mail address) and is written in the buyer's language of preference
  (GetAttributes). createLegalDisclosure and createWarranty carry documents only (uploaded
  through the Uploads API), which intake has none of, so they are never used; the other
  actions (customisation, order details, feedback removal, invoices...) fit no message of
  a case;
- otherwise e-mail to the buyer's anonymised relay address (`…@marketplace.amazon.<tld>`),
  which Amazon forwards to the buyer and whose answers it relays back. The address is the
  order's `BuyerEmail`, read with a Restricted Data Token from getOrderBuyerInfo
  (`orders_api.get_buyer_email`) each time a message goes.

Amazon accepts mail to its relay only from a sender address the seller registered in Seller
Central (Settings → Notification Preferences → Messaging), so the account's `mail_from`
must be one; and its rules on content apply to both ways
(`shared.compliance.marketplace_findings`: no links other than those needed to complete
the order, no marketing).
"""

import re

from services.intake.channels.amazon import messaging_api, orders_api
from services.intake.channels.amazon.marketplaces import MARKETPLACE_IDS
from services.intake.channels.amazon.sp_api import SP_API, SellingPartner, selling_partner
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.domain.account import Account
from services.intake.domain.marketplace_side import MessageOrder
from shared.markets import Market
from shared.outbound import Refused

# The message kinds an action of the Messaging API fits (`domain/outgoing_messages.py`).
ACTION_OF_KIND = {
    "remedy_owed": "unexpectedProblem",
    "parcel_shipped": "confirmDeliveryDetails",
}
TEXT_CHARS = 2000
EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def text_fits(text: str) -> bool:
    """An action's text: 1 to 2000 characters, no HTML, no e-mail address."""
    text = text.strip()
    plain = not EMAIL_ADDRESS.search(text) and not HTML_TAG.search(text)
    return 0 < len(text) <= TEXT_CHARS and plain


def language_of_locale(locale: str | None) -> str | None:
    """ "de-DE" → "de"; None for no locale."""
    code = (locale or "").replace("_", "-").split("-")[0].strip().lower()
    return code or None


def action_for(
    kind: str, text: str, language: str, locale: str | None, offered: frozenset[str]
) -> str | None:
    """The Messaging API action this message goes through; None: by e-mail to the relay.
    The text must be in the buyer's language of preference when Amazon names one."""
    action = ACTION_OF_KIND.get(kind)
    if action is None or action not in offered or not text_fits(text):
        return None
    preferred = language_of_locale(locale)
    if preferred is not None and preferred != language_of_locale(language):
        return None
    return action


async def buyer_relay_address(order_id: str, account: Account, apis: MarketplaceApis) -> str:
    partner = authorised(account, f"read the buyer of order {order_id}")
    return await orders_api.get_buyer_email(apis, partner, order_id)


async def buyer_language(
    order: MessageOrder, account: Account, apis: MarketplaceApis
) -> str | None:
    """The buyer's language of preference (GetAttributes), as a language code."""
    partner = authorised(account, f"read the buyer's language of order {order.order_id}")
    marketplace_id = marketplace_of(order, partner)
    locale = await messaging_api.buyer_locale(apis, partner, order.order_id, marketplace_id)
    return language_of_locale(locale)


async def message_action(
    order: MessageOrder, account: Account, apis: MarketplaceApis
) -> str | None:
    """The action this message is sent through, when one fits and the order offers it."""
    if order.kind not in ACTION_OF_KIND or not text_fits(order.text):
        return None  # no call: nothing Amazon says would change it
    partner = authorised(account, f"message the buyer of order {order.order_id}")
    marketplace_id = marketplace_of(order, partner)
    offered = await messaging_api.actions_for_order(apis, partner, order.order_id, marketplace_id)
    if ACTION_OF_KIND[order.kind] not in offered:
        return None
    locale = await messaging_api.buyer_locale(apis, partner, order.order_id, marketplace_id)
    return action_for(order.kind, order.text, order.language, locale, offered)


async def send_by_action(
    order: MessageOrder, action: str, account: Account, apis: MarketplaceApis
) -> None:
    partner = authorised(account, f"message the buyer of order {order.order_id}")
    marketplace_id = marketplace_of(order, partner)
    text = order.text.strip()
    await messaging_api.create_message(apis, partner, order.order_id, marketplace_id, action, text)


def authorised(account: Account, to: str) -> SellingPartner:
    partner = selling_partner(account)
    if partner is None:
        raise Refused(SP_API, f"account {account.account} has no SP-API authorisation to {to}")
    return partner


def marketplace_of(order: MessageOrder, partner: SellingPartner) -> str:
    """The order's marketplace: the case's market's, else the account's first."""
    market = Market._value2member_map_.get(order.market or "")
    if market is not None and market in MARKETPLACE_IDS:
        return MARKETPLACE_IDS[market]
    if partner.marketplace_ids:
        return partner.marketplace_ids[0]
    raise Refused(SP_API, f"no marketplace is known for order {order.order_id}")
