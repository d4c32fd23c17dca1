"""A buyer's e-mail as intake reads it: who it was for, which of our messages it answers,
its own Message-ID, and its text.

Parsed with the standard library's `email` package (policy=default). The text is the
text/plain part when there is one, else the HTML part turned into text; attachments are
not read. Mail with no text at all (an image, a binary file) is refused with
`UnreadableMail`: nothing in it could be read as an answer. Pure: no I/O.
"""

import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

# Headers naming who a message was delivered to, most telling first.
RECIPIENT_HEADERS = ("delivered-to", "x-original-to", "envelope-to", "to", "cc")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")


class UnreadableMail(Exception):
    """A mail with nothing intake can read as a buyer's words."""


@dataclass(frozen=True)
class InboundMail:
    message_id: str  # the mail's own Message-ID (a digest of it when it has none): dedupe
    sender: str
    recipients: list[str]  # the envelope's first, then the headers'
    answers: list[str]  # Message-IDs it answers: In-Reply-To, then References, newest first
    subject: str
    text: str


def read_mail(raw: bytes, envelope_recipients: list[str] | None = None) -> InboundMail:
    """The mail in `raw` (RFC 5322 bytes); `envelope_recipients`: RCPT TO or the mail
    provider's recipient field, which come before the headers."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    recipients = [*(envelope_recipients or []), *header_addresses(message, RECIPIENT_HEADERS)]
    answers = [
        *MESSAGE_ID.findall(str(message.get("in-reply-to", "") or "")),
        *reversed(MESSAGE_ID.findall(str(message.get("references", "") or ""))),
    ]
    own_id = MESSAGE_ID.findall(str(message.get("message-id", "") or ""))
    digest = hashlib.sha256(raw).hexdigest()[:32]
    return InboundMail(
        message_id=own_id[0] if own_id else f"<sha256-{digest}@no-message-id>",
        sender=next(iter(header_addresses(message, ("from",))), ""),
        recipients=unique(recipients),
        answers=unique(answers),
        subject=str(message.get("subject", "") or ""),
        text=text_of(message),
    )


def header_addresses(message: EmailMessage, names: tuple[str, ...]) -> list[str]:
    values = [str(value) for name in names for value in message.get_all(name, [])]
    return [address for _, address in getaddresses(values) if "@" in address]


def text_of(message: EmailMessage) -> str:
    """The text/plain body, else the HTML body as text; UnreadableMail when there is none."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        raise UnreadableMail("the mail has no text or HTML part to read (binary content only)")
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError) as error:
        raise UnreadableMail(f"the mail's text cannot be decoded: {error}") from error
    if not isinstance(content, str):
        raise UnreadableMail("the mail's body is not text")
    if part.get_content_subtype() == "html":
        content = html_to_text(content)
    if "\x00" in content:
        raise UnreadableMail("the mail's text is binary")
    return content


def unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "blockquote", "table", "hr"}
SKIPPED = {"style", "script", "head", "title"}


class _Text(HTMLParser):
    """HTML to text: block elements end lines, quoted history (`blockquote`, as Gmail,
    Apple Mail and Thunderbird quote) is kept as "> " lines, which the reply reader strips."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.skipping = 0
        self.quoting = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping += 1
        if tag in BLOCKS:
            self.lines.append("")
        if tag == "blockquote":
            self.quoting += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        if tag in BLOCKS:
            self.lines.append("")
        if tag == "blockquote":
            self.quoting = max(0, self.quoting - 1)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        words = " ".join(data.split())
        if not words:
            return
        if self.quoting and not self.lines[-1]:
            self.lines[-1] = "> "
        self.lines[-1] = (self.lines[-1] + " " + words).strip() if self.lines[-1] else words


def html_to_text(html: str) -> str:
    reader = _Text()
    reader.feed(html)
    reader.close()
    text = "\n".join(line.strip() for line in reader.lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
