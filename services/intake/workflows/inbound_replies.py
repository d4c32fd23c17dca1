"""A buyer's e-mail reply, to its case: threaded, read and recorded once.

Threading: the first recipient that is a reply address of ours (`reply+<token>@REPLY_DOMAIN`:
the envelope's recipient, Delivered-To, To, Cc, or the mail provider's recipient field),
else the first Message-ID of ours the mail answers (In-Reply-To, then References). Both are
signed (`adapters/buyer_links.py`): a forged or unknown token threads nowhere
(`NotThreaded`), and nothing is recorded.

Recorded once per Message-ID of the mail (`mail:<Message-ID>` in `buyer_messages`), so a
mail provider's retry or a mail sent again is a harmless repeat. The words are read
(`domain/replies.py`): a clear accept or decline answers the offer; a question, a choice
the words alone cannot settle, or anything unclear is a `message` for the agents' queue.
Read and recorded before the sender is answered: what was accepted is never lost.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from services.intake.adapters.buyer_links import BadLink, BuyerLinks
from services.intake.domain.inbound_mail import InboundMail
from services.intake.domain.replies import ReadReply, read_reply
from services.intake.workflows.buyer_messages import case_language, record_reply
from shared.service import Service

log = logging.getLogger(__name__)

# `buyer_messages.message_id` of a reply by e-mail (the agents' route keeps to 200 characters).
MAIL_KEY_PREFIX = "mail:"
LONGEST_KEY = 200


class NotThreaded(Exception):
    """A reply that names no case of ours: nothing is recorded."""


@dataclass(frozen=True)
class TakenReply:
    case_id: str
    message_id: str
    duplicate: bool
    reading: ReadReply


def case_of_mail(links: BuyerLinks, mail: InboundMail) -> str:
    """The case a mail answers, by its reply address, else by the Message-IDs it answers."""
    for address in mail.recipients:
        try:
            return links.case_of_reply(address)
        except BadLink:
            continue
    for message_id in mail.answers:
        try:
            return links.case_of_message_id(message_id)
        except BadLink:
            continue
    raise NotThreaded(
        "the mail is not for a reply address we sent and answers none of our messages"
    )


def reply_key(message_id: str) -> str:
    key = f"{MAIL_KEY_PREFIX}{message_id.strip().strip('<>')}"
    if len(key) <= LONGEST_KEY:
        return key
    return f"{MAIL_KEY_PREFIX}sha256:{hashlib.sha256(message_id.encode()).hexdigest()}"


async def take_reply(service: Service, links: BuyerLinks, mail: InboundMail) -> TakenReply:
    """Thread, read and record a buyer's mail in one transaction; NotThreaded when it names
    no case (or a case intake does not hold)."""
    case_id = case_of_mail(links, mail)
    key = reply_key(mail.message_id)
    async with service.transaction() as session:
        language = await case_language(session, case_id)
        if language is None:
            raise NotThreaded(f"no case {case_id}")
        reading = read_reply(mail.text, language)
        text = reading.text or mail.text.strip()[:5000]
        async with service.case_span(session, case_id, "buyer reply by e-mail"):
            new = await record_reply(
                session, case_id, language, key, reading.answer, text, None, datetime.now(UTC)
            )
    why = "; ".join(reading.why)
    log.info("reply %s to %s read as %s (%s)", key, case_id, reading.reading, why)
    return TakenReply(case_id, key, not new, reading)
