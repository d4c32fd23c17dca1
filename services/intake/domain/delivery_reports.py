"""A delivery status notification (RFC 3464) as intake reads it: whether the buyer's mail
server took a message we sent, or gave it up, and why.

A report is a `multipart/report; report-type=delivery-status` whose second part
(`message/delivery-status`) holds one block of fields for the message and one per
recipient: `Action` (failed, delayed, delivered, relayed, expanded), `Status` (a 5.x.x
is permanent) and `Diagnostic-Code` (what the remote server said). Only `failed` and
`delivered` change a message's state; `delayed` says the relay is still trying. Anything
else (not a report, a report with no recipient block) is `NotAReport`. Pure: no I/O.
"""

from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesParser, Parser

FAILED = "failed"
DELIVERED = "delivered"
REPORTED = frozenset({FAILED, DELIVERED})


class NotAReport(Exception):
    """A mail that is not a delivery status notification intake can read."""


@dataclass(frozen=True)
class DeliveryReport:
    action: str  # failed, delayed, delivered, relayed, expanded
    status: str  # e.g. 5.1.1
    recipient: str
    diagnostic: str

    @property
    def changes_state(self) -> bool:
        return self.action in REPORTED

    @property
    def reason(self) -> str:
        said = f": {self.diagnostic}" if self.diagnostic else ""
        return f"the buyer's mail server reported {self.action} ({self.status}){said}"


def read_report(raw: bytes) -> DeliveryReport:
    """The first recipient's outcome in the report `raw`; NotAReport when it is none."""
    mail = BytesParser(policy=policy.compat32).parsebytes(raw)
    if mail.get_content_type() != "multipart/report" or not mail.is_multipart():
        raise NotAReport("not a multipart/report")
    if (mail.get_param("report-type") or "").lower() != "delivery-status":
        raise NotAReport("a report, but not of delivery status")
    status = next(
        (p for p in mail.get_payload() if p.get_content_type() == "message/delivery-status"),
        None,
    )
    if status is None:
        raise NotAReport("no message/delivery-status part")
    blocks = _field_blocks(status)
    recipient = next((block for block in blocks if "action" in block), None)
    if recipient is None:
        raise NotAReport("no recipient's block with an Action")
    return DeliveryReport(
        action=recipient["action"].lower(),
        status=recipient.get("status", ""),
        recipient=_address(recipient.get("final-recipient", "")),
        diagnostic=_address(recipient.get("diagnostic-code", "")),
    )


def _field_blocks(part: Message) -> list[dict[str, str]]:
    """The blocks of fields of a message/delivery-status part, names in lower case.
    The parser gives them as sub-messages, or as one text when it did not split them."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [{k.lower(): " ".join(v.split()) for k, v in block.items()} for block in payload]
    text = payload if isinstance(payload, str) else ""
    return [
        {k.lower(): " ".join(v.split()) for k, v in Parser().parsestr(chunk).items()}
        for chunk in text.replace("\r\n", "\n").split("\n\n")
        if chunk.strip()
    ]


def _address(field: str) -> str:
    """`rfc822; buyer@example.com` → `buyer@example.com` (the type before the ; dropped)."""
    return field.split(";", 1)[1].strip() if ";" in field else field.strip()
