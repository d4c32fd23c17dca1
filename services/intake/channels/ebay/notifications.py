"""eBay Platform Notifications for managed returns, verified and parsed into `Delivery`s.

What eBay sends: a SOAP envelope POSTed to our URL, one per event on a return
(https://developer.ebay.com/api-docs/static/pn_return-created.html and its siblings
ReturnWaitingForSellerInfo, ReturnSellerInfoOverdue, ReturnShipped, ReturnDelivered,
ReturnRefundOverdue, ReturnEscalated, ReturnClosed). The body names the event, the
seller (RecipientUserID), the return (ReturnId), the buyer (OtherPartyId) and the site
(ReturnGlobalId, e.g. EBAY-US); it carries no item, price or reason: a new return is
enriched from the Post-Order API (`returns.py`) before it becomes a case. What `parse`
makes of a state change is what the body claims: the channel (`channel.py`) applies it only
once the return, read back, confirms it, the signature covering the Timestamp alone.

How it is verified (https://developer.ebay.com/DevZone/guides/ebayfeatures/Notifications/Notifications.html,
KB 1201 and 780): the SOAP header's NotificationSignature must equal
Base64(MD5(Timestamp + DevID + AppID + CertID)), Timestamp being the body's Timestamp
element as sent (GMT), and that Timestamp must be within 10 minutes of now.

eBay's doc samples for return events show an empty SOAP header and put a date in a
first ReturnStatus element; the notifications eBay delivers carry the header and a
Timestamp element like every other platform notification, which is what this reads.
"""

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from pydantic import AwareDatetime, BaseModel, ConfigDict

from services.intake.channels.common import ensure_fresh
from services.intake.domain.case import (
    CanonicalCase,
    Channel,
    ChannelError,
    Delivery,
    Ignore,
    MarketplaceStatus,
    OpenCase,
    Reason,
    UpdateCase,
    forged,
    malformed,
)
from shared.business_time import business_days_after
from shared.markets import Market

FRESHNESS = timedelta(minutes=10)

RETURN_CREATED = "ReturnCreated"

STATUS_OF_EVENT: dict[str, MarketplaceStatus] = {
    "ReturnWaitingForSellerInfo": MarketplaceStatus.WAITING_FOR_SELLER,
    "ReturnSellerInfoOverdue": MarketplaceStatus.SELLER_OVERDUE,
    "ReturnShipped": MarketplaceStatus.SHIPPED,
    "ReturnDelivered": MarketplaceStatus.DELIVERED,
    "ReturnRefundOverdue": MarketplaceStatus.REFUND_OVERDUE,
    "ReturnEscalated": MarketplaceStatus.ESCALATED,
    "ReturnClosed": MarketplaceStatus.CLOSED,
}

# eBay's clocks, in business days after the day the return opened / the item arrived back,
# counted on the project's business calendar (`shared.business_time`): the market's local
# days, its public holidays skipped. eBay ends US and CA due dates at 23:59:59 Pacific; the
# market calendar ends them at 23:59:59 Eastern, three hours earlier: the seller's safe side.
SELLER_RESPONSE_DAYS = 2  # seller info (RMA, return address): ReturnSellerInfoOverdue
REFUND_DAYS = 5  # refund after the seller receives the item: ReturnRefundOverdue

# The site of a return, as the notification (EBAY-US), the REST marketplace id (EBAY_US)
# or the Trading API site id (0) names it.
MARKET_OF_SITE: dict[str, Market] = {
    "EBAY-US": Market.US,
    "EBAY-CA": Market.CA,
    "EBAY-ENCA": Market.CA,
    "EBAY-FRCA": Market.CA,
    "EBAY-GB": Market.UK,
    "EBAY-DE": Market.DE,
    "EBAY-FR": Market.FR,
    "EBAY-IT": Market.IT,
    "EBAY-ES": Market.ES,
    "EBAY-NL": Market.NL,
    "EBAY-IE": Market.IE,
}
MARKET_OF_SITE_ID: dict[int, Market] = {
    0: Market.US,
    2: Market.CA,
    210: Market.CA,
    3: Market.UK,
    77: Market.DE,
    71: Market.FR,
    101: Market.IT,
    186: Market.ES,
    146: Market.NL,
    205: Market.IE,
}

# https://developer.ebay.com/devzone/post-order/types/ReturnReasonEnum.html
REASON_OF_CODE: dict[str, Reason] = {
    "ARRIVED_DAMAGED": Reason.DAMAGED,
    "ARRIVED_LATE": Reason.NOT_RECEIVED,
    "DEFECTIVE_ITEM": Reason.DEFECTIVE,
    "DIFFERENT_FROM_LISTING": Reason.NOT_AS_DESCRIBED,
    "NOT_AS_DESCRIBED": Reason.NOT_AS_DESCRIBED,
    "FAKE_OR_COUNTERFEIT": Reason.NOT_AS_DESCRIBED,
    "EXPIRED_ITEM": Reason.NOT_AS_DESCRIBED,
    "MISSING_PARTS": Reason.MISSING_PARTS,
    "ORDERED_DIFFERENT_ITEM": Reason.WRONG_ITEM,  # received another item than the one ordered
    "ORDERED_WRONG_ITEM": Reason.CHANGED_MIND,  # the buyer's own mistake
    "ORDERED_ACCIDENTALLY": Reason.CHANGED_MIND,
    "NO_LONGER_NEED_ITEM": Reason.CHANGED_MIND,
    "FOUND_BETTER_PRICE": Reason.CHANGED_MIND,
    "RETURNING_GIFT": Reason.CHANGED_MIND,
    "BUYER_CANCEL_ORDER": Reason.CHANGED_MIND,
}
REASON_OF_CATEGORY: dict[str, Reason] = {
    "SNAD": Reason.NOT_AS_DESCRIBED,  # significantly not as described
    "REMORSE": Reason.CHANGED_MIND,  # nothing wrong with the item
}
WRONG_SIZE = "WRONG_SIZE"


class EbayKeys(BaseModel):
    """The application's production (or sandbox) keyset eBay signs notifications with."""

    model_config = ConfigDict(frozen=True)

    dev_id: str
    app_id: str
    cert_id: str


class ReturnNotification(BaseModel):
    """What one SOAP notification says, read from the XML."""

    model_config = ConfigDict(frozen=True)

    event: str
    recipient: str  # the seller's eBay user id
    timestamp: AwareDatetime
    timestamp_text: str  # as sent: the signature is over these exact characters
    signature: str | None = None
    return_id: str | None = None
    created_at: AwareDatetime | None = None
    buyer: str | None = None  # OtherPartyId when OtherPartyRole is BUYER
    return_status: str | None = None
    site: str | None = None


def account_of(headers: Mapping[str, str], body: bytes) -> str:
    return read(body).recipient


def verify(
    headers: Mapping[str, str], body: bytes, keysets: Sequence[EbayKeys], now: datetime
) -> None:
    """Genuine when signed with any of the keysets (two while the app rotates its cert)."""
    notification = read(body)
    if not notification.signature:
        raise forged("no NotificationSignature in the SOAP header")
    expected = [signature_of(notification.timestamp_text, keys) for keys in keysets]
    # Compared with every keyset, so the time taken says nothing about which one matched.
    matches = [hmac.compare_digest(e, notification.signature) for e in expected]
    if not any(matches):
        raise forged("the eBay NotificationSignature does not match")
    ensure_fresh(notification.timestamp, now, FRESHNESS)


def signature_of(timestamp: str, keys: EbayKeys) -> str:
    signed = f"{timestamp}{keys.dev_id}{keys.app_id}{keys.cert_id}".encode()
    return base64.b64encode(hashlib.md5(signed).digest()).decode()


def return_to_fetch(body: bytes) -> str | None:
    """The return whose Post-Order resource must be fetched before `parse`, if any."""
    notification = read(body)
    return notification.return_id if notification.event == RETURN_CREATED else None


def parse(
    headers: Mapping[str, str], body: bytes, opened: CanonicalCase | None = None
) -> list[Delivery]:
    """One delivery; a ReturnCreated needs `opened`, the case `returns.case_from_return` built."""
    notification = read(body)
    return [
        Delivery(
            channel=Channel.EBAY,
            delivery_id=delivery_id(notification),
            seller_account=notification.recipient,
            action=action_of(notification, opened),
        )
    ]


def delivery_id(notification: ReturnNotification) -> str:
    # eBay gives no notification id, and a redelivery is signed afresh (it must be: the
    # Timestamp has to be within 10 minutes), so the Timestamp would make a retry look
    # new. One return goes through each event once: the event and the return name it.
    return f"ebay:{notification.return_id or '-'}:{notification.event}"


def action_of(
    notification: ReturnNotification, opened: CanonicalCase | None
) -> OpenCase | UpdateCase | Ignore:
    if notification.event == RETURN_CREATED:
        return OpenCase(case=checked_opened(notification, opened))
    status = STATUS_OF_EVENT.get(notification.event)
    if status is None:
        return Ignore(why=f"eBay event {notification.event} is not about a return")
    if not notification.return_id:
        raise malformed(f"{notification.event} without a ReturnId", "ReturnId")
    return UpdateCase(
        seller_account=notification.recipient,
        return_id=notification.return_id,
        status=status,
        note=note_of(notification),
        at=notification.timestamp,
    )


def checked_opened(notification: ReturnNotification, opened: CanonicalCase | None) -> CanonicalCase:
    if opened is None:
        raise ValueError("a ReturnCreated needs its Post-Order return: see return_to_fetch")
    if opened.ids.return_id != notification.return_id:
        raise ValueError(
            f"the case is for return {opened.ids.return_id}, "
            f"the notification for {notification.return_id}"
        )
    return opened


def note_of(notification: ReturnNotification) -> str:
    """The clock an event starts, in words: `UpdateCase` has no deadlines of its own."""
    market = market_of_site(notification.site) or Market.US
    if notification.event == "ReturnWaitingForSellerInfo":
        opened = notification.created_at or notification.timestamp
        due = business_days_after(opened, SELLER_RESPONSE_DAYS, market)
        return f"seller info due by {due.isoformat()}"
    if notification.event == "ReturnDelivered":
        due = business_days_after(notification.timestamp, REFUND_DAYS, market)
        return f"refund due by {due.isoformat()}"
    return notification.return_status or ""


def seller_response_due(opened_at: datetime, market: Market) -> datetime:
    return business_days_after(opened_at, SELLER_RESPONSE_DAYS, market)


def refund_due(delivered_at: datetime, market: Market) -> datetime:
    return business_days_after(delivered_at, REFUND_DAYS, market)


def market_of_site(site: str | int | None) -> Market | None:
    if isinstance(site, int):
        return MARKET_OF_SITE_ID.get(site)
    if not site:
        return None
    return MARKET_OF_SITE.get(site.strip().upper().replace("_", "-"))


def reason_of(code: str | None, category: str | None = None, words: str = "") -> Reason:
    """eBay's return reason, else its SNAD/REMORSE category; the code itself is kept apart."""
    code = (code or "").strip().upper()
    if code == WRONG_SIZE:
        return size_reason(words)
    if code in REASON_OF_CODE:
        return REASON_OF_CODE[code]
    return REASON_OF_CATEGORY.get((category or "").strip().upper(), Reason.OTHER)


def size_reason(words: str) -> Reason:
    """eBay's WRONG_SIZE says no direction; the buyer's words often do."""
    words = words.lower()
    if any(hint in words for hint in ("too small", "too tight", "too short", "smaller")):
        return Reason.SIZE_TOO_SMALL
    if any(hint in words for hint in ("too big", "too large", "too long", "too loose")):
        return Reason.SIZE_TOO_LARGE
    return Reason.SIZE_FIT


def read(body: bytes) -> ReturnNotification:
    """The notification in the SOAP envelope; 400 when it is not XML, 422 when incomplete."""
    envelope = parse_xml(body)
    fields = child_texts(first_child(find(envelope, "Body")))
    timestamp_text = required(fields, "Timestamp")
    is_buyer = fields.get("OtherPartyRole", "BUYER") == "BUYER"
    return ReturnNotification(
        event=required(fields, "NotificationEventName"),
        recipient=required(fields, "RecipientUserID"),
        timestamp=instant(timestamp_text, "Timestamp"),
        timestamp_text=timestamp_text,
        signature=text_of(find(envelope, "NotificationSignature")),
        return_id=fields.get("ReturnId"),
        created_at=instant(fields["CreationDate"], "CreationDate")
        if "CreationDate" in fields
        else None,
        buyer=fields.get("OtherPartyId") if is_buyer else None,
        return_status=fields.get("ReturnStatus"),
        site=fields.get("ReturnGlobalId"),
    )


def parse_xml(body: bytes) -> Element:
    try:
        # A SOAP message never needs a DTD; refusing one shuts out entity tricks as well.
        return fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as error:
        raise ChannelError(400, "malformed_xml", f"the body is not safe XML: {error}") from error


def find(root: Element, name: str) -> Element | None:
    """The first element of that local name, whatever its namespace prefix."""
    return next((e for e in root.iter() if local_name(e.tag) == name), None)


def first_child(element: Element | None) -> Element:
    if element is None or len(element) == 0:
        raise malformed("no notification in the SOAP Body", "Body")
    return element[0]


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def text_of(element: Element | None) -> str | None:
    if element is None or not element.text:
        return None
    return element.text.strip() or None


def child_texts(element: Element) -> dict[str, str]:
    """Each child's text by local name; the first of a repeated name wins."""
    texts: dict[str, str] = {}
    for child in element:
        text = text_of(child)
        if text is not None:
            texts.setdefault(local_name(child.tag), text)
    return texts


def required(fields: Mapping[str, str], name: str) -> str:
    if not fields.get(name):
        raise malformed(f"the notification has no {name}", name)
    return fields[name]


def instant(text: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise malformed(f"{name} is not an ISO 8601 time: {text!r}", name) from error
    if moment.tzinfo is None:
        raise malformed(f"{name} has no time zone: {text!r}", name)
    return moment
