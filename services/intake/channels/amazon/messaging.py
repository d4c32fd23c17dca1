"""Amazon's Buyer-Seller Messaging as intake uses it: e-mail to the buyer's anonymised
relay address (`…@marketplace.amazon.<tld>`), which Amazon forwards to the buyer and whose
answers it relays back. The address is the order's `BuyerEmail`, read with a Restricted
Data Token from getOrderBuyerInfo (`orders_api.get_buyer_email`) each time a message goes.

Amazon accepts mail to its relay only from a sender address the seller registered in Seller
Central (Settings → Notification Preferences → Messaging), so the account's `mail_from`
must be one; and its rules on content apply (`shared.compliance.marketplace_findings`: no
links other than those needed to complete the order, no marketing).
"""

from services.intake.channels.amazon import orders_api
from services.intake.channels.amazon.sp_api import SP_API, selling_partner
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.domain.account import Account
from shared.outbound import Refused


async def buyer_relay_address(order_id: str, account: Account, apis: MarketplaceApis) -> str:
    partner = selling_partner(account)
    if partner is None:
        reason = f"account {account.account} has no SP-API authorisation to read the buyer of"
        raise Refused(SP_API, f"{reason} order {order_id}")
    return await orders_api.get_buyer_email(apis, partner, order_id)
