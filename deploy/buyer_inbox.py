"""What a simulated buyer sees and does with their own tools: the e-mails the local mail
server keeps for them (`.eml` files), the seller's messages on their eBay return, the forms
of their case's page as a browser without JavaScript reads them, and a reply written as a
mail client writes one (In-Reply-To, References, the message quoted below)."""

import email
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from email.utils import formatdate, make_msgid, parseaddr
from html.parser import HTMLParser
from pathlib import Path

PAGE_LINK = re.compile(r"https?://\S+/buyer/[\w.\-~]+")
# How each language's offer names itself in its subject (intake's `offer_made` templates):
# what tells a buyer the message asks for an answer.
OFFER_SUBJECTS = {
    "en": "our offer",
    "de": "unser angebot",
    "fr": "notre offre",
    "es": "nuestra oferta",
    "it": "la nostra offerta",
}
# A buyer's clear yes and no, in their language.
YES = {
    "en": "Yes, I accept.",
    "de": "Ja, einverstanden.",
    "fr": "Oui, d'accord.",
    "es": "Sí, acepto.",
    "it": "Sì, accetto.",
}
NO = {
    "en": "No thanks.",
    "de": "Nein, ich lehne ab.",
    "fr": "Je refuse.",
    "es": "No acepto.",
    "it": "Non accetto.",
}


@dataclass(frozen=True)
class Received:
    """A message the buyer got: who it was to, the thread it belongs to, what it says."""

    message_id: str
    thread: str  # where answers go: the Reply-To address, or the eBay return
    recipient: str
    subject: str
    text: str
    language: str
    references: str = ""
    sent_at: str = ""
    sender: str = ""

    @property
    def page_link(self) -> str | None:
        found = PAGE_LINK.search(self.text)
        return found.group(0) if found else None

    @property
    def is_offer(self) -> bool:
        wording = OFFER_SUBJECTS.get(self.language, OFFER_SUBJECTS["en"])
        return wording in self.subject.lower()


def read_eml(path: Path) -> Received | None:
    """A kept message (its first line the envelope's recipients); None without a Reply-To
    (no answer is asked of it)."""
    message = email.message_from_bytes(path.read_bytes(), policy=default)
    reply_to = parseaddr(str(message.get("Reply-To", "")))[1]
    if not reply_to:
        return None
    body = message.get_body(preferencelist=("plain",))
    return Received(
        message_id=str(message["Message-ID"]),
        thread=reply_to,
        recipient=parseaddr(str(message["To"]))[1],
        subject=str(message["Subject"]),
        text=body.get_content() if body is not None else "",
        language=str(message.get("Content-Language", "en")),
        references=str(message.get("References", "")),
        sent_at=str(message.get("Date", "")),
        sender=str(message["From"]),
    )


def read_ebay_message(sent: dict, place: int) -> Received:
    """A seller's message on an eBay return (the `place`-th eBay holds), as the emulated eBay
    shows it to its buyer."""
    return Received(
        message_id=f"ebay:{sent['return_id']}:{place}",
        thread=f"ebay:{sent['return_id']}",
        recipient=sent["return_id"],
        subject="",
        text=sent["content"],
        language=sent.get("language") or "en",
    )


def reply_to(received: Received, text: str) -> EmailMessage:
    """The buyer's answer as a mail client writes it: threaded, the message quoted below."""
    reply = EmailMessage()
    reply["From"] = received.recipient
    reply["To"] = received.thread
    subject = received.subject
    reply["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    reply["Date"] = formatdate(usegmt=True)
    reply["Message-ID"] = make_msgid(domain=received.recipient.rpartition("@")[2] or None)
    reply["In-Reply-To"] = received.message_id
    reply["References"] = f"{received.references} {received.message_id}".strip()
    quoted = "\n".join(f"> {line}" if line else ">" for line in received.text.splitlines())
    reply.set_content(f"{text}\n\nOn {received.sent_at}, {received.sender} wrote:\n{quoted}\n")
    return reply


@dataclass
class Form:
    """An HTML form: where it posts, its fields (hidden and text), its buttons and choices."""

    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (name, value)
    choices: dict[str, list[str]] = field(default_factory=dict)  # radio name: its values

    def button(self, value: str) -> tuple[str, str] | None:
        return next(((n, v) for n, v in self.buttons if v == value), None)


class FormReader(HTMLParser):
    """The page's forms, as a browser without JavaScript submits them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(Form(named.get("action", ""), named.get("method", "get").lower()))
        elif not self.forms or "disabled" in named:  # a disabled input is never sent
            return
        elif tag == "input" and named.get("type") == "radio" and "name" in named:
            self.forms[-1].choices.setdefault(named["name"], []).append(named.get("value", ""))
        elif tag == "input" and named.get("type") in ("hidden", "text", None) and "name" in named:
            self.forms[-1].fields[named["name"]] = named.get("value", "")
        elif tag == "button" and named.get("type", "submit") == "submit":
            self.forms[-1].buttons.append((named.get("name", ""), named.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        return None


def forms_of(html: str) -> list[Form]:
    reader = FormReader()
    reader.feed(html)
    return reader.forms


def answer_form(html: str, answer: str) -> tuple[Form, dict[str, str]] | None:
    """The form whose button gives `answer` (accept, decline), and what clicking it sends
    (every choice the form asks for taken at its first option); None when the page offers
    no such answer."""
    for form in forms_of(html):
        button = form.button(answer)
        if button is not None and form.method == "post":
            chosen = {name: values[0] for name, values in form.choices.items() if values}
            return form, {**form.fields, **chosen, button[0]: button[1]}
    return None


def rating_form(html: str, liking: int) -> tuple[Form, dict[str, str]] | None:
    """The rating form and a rating: the `liking`-th best of the stars it offers."""
    for form in forms_of(html):
        stars = form.choices.get("stars")
        if stars and form.method == "post":
            best_first = sorted(stars, key=lambda value: -int(value))
            chosen = best_first[min(liking, len(best_first) - 1)]
            return form, {**form.fields, "stars": chosen, "comment": "Quick and fair, thank you."}
    return None
