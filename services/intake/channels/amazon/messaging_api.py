"""Amazon's Messaging API (v1) as intake calls it: the messages Amazon lets the seller send
about an order, each through its own operation, with the seller's access token.

Follows the Messaging API v1 reference and model
(https://developer-docs.amazon.com/sp-api/docs/messaging-api-v1-reference):
- getMessagingActionsForOrder: `GET /messaging/v1/orders/{amazonOrderId}?marketplaceIds=`
  (one marketplace), answered in HAL (`application/hal+json`): `{"_links": {"self":
  {"href"}, "actions": [{"href", "name"}]}, "_embedded": {"actions": [...]}}`; each action
  is a message type the order offers now (Amazon withholds some, by the order's state, the
  seller, or the messages already sent);
- GetAttributes: `GET /messaging/v1/orders/{amazonOrderId}/attributes?marketplaceIds=`,
  answered `{"buyer": {"locale": "en-US"}}`: the buyer's language of preference, which a
  message's text must be written in;
- the message operations, `POST /messaging/v1/orders/{amazonOrderId}/messages/<action>
  ?marketplaceIds=`; those of text alone take `{"text"}` (1 to 2000 characters, no HTML,
  no e-mail address, only links the action concerns): createUnexpectedProblem
  (`unexpectedProblem`, "a critical message that an unexpected problem was encountered
  affecting the completion of the order") and createConfirmDeliveryDetails
  (`confirmDeliveryDetails`, "to arrange a delivery"). Answered 201 with `{}` (or
  `{"errors"}`) when the message was created for the order.
Errors as every SP-API's (`sp_api.py`): 400 InvalidInput, 403, 404, 413, 415, 429, 500, 503.
"""

from pydantic import BaseModel, Field

from services.intake.channels.amazon.sp_api import SP_API, SellingPartner, call
from services.intake.channels.marketplace import MarketplaceApis
from shared.outbound import resource_of

MESSAGING = "/messaging/v1/orders"


class Link(BaseModel):
    href: str
    name: str | None = None

    @property
    def action(self) -> str:
        """The action's name, or the last segment of its path when Amazon names none."""
        return self.name or self.href.split("?")[0].rstrip("/").rsplit("/", 1)[-1]


class ActionLinks(BaseModel):
    actions: list[Link] = Field(default_factory=list)


class MessagingActions(BaseModel):
    links: ActionLinks = Field(default_factory=ActionLinks, alias="_links")


class BuyerAttributes(BaseModel):
    locale: str | None = None


class Attributes(BaseModel):
    buyer: BuyerAttributes | None = None


async def actions_for_order(
    apis: MarketplaceApis, partner: SellingPartner, order_id: str, marketplace_id: str
) -> frozenset[str]:
    """getMessagingActionsForOrder: the names of the messages the order offers now."""
    what = f"the messaging actions of order {order_id}"
    response = await call(
        apis,
        partner,
        "GET",
        f"{MESSAGING}/{order_id}",
        what,
        params={"marketplaceIds": marketplace_id},
    )
    found = resource_of(MessagingActions, response, SP_API, what)
    return frozenset(link.action for link in found.links.actions)


async def buyer_locale(
    apis: MarketplaceApis, partner: SellingPartner, order_id: str, marketplace_id: str
) -> str | None:
    """GetAttributes: the buyer's language of preference ("de-DE"); None when not said."""
    what = f"the buyer's attributes of order {order_id}"
    response = await call(
        apis,
        partner,
        "GET",
        f"{MESSAGING}/{order_id}/attributes",
        what,
        params={"marketplaceIds": marketplace_id},
    )
    found = resource_of(Attributes, response, SP_API, what)
    return found.buyer.locale if found.buyer else None


async def create_message(
    apis: MarketplaceApis,
    partner: SellingPartner,
    order_id: str,
    marketplace_id: str,
    action: str,
    text: str,
) -> None:
    """One message of text through the action's operation (201: created for the order)."""
    await call(
        apis,
        partner,
        "POST",
        f"{MESSAGING}/{order_id}/messages/{action}",
        f"the {action} message of order {order_id}",
        params={"marketplaceIds": marketplace_id},
        json={"text": text},
    )
