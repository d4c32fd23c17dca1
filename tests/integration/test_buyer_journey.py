"""A buyer's whole journey through the running stack, as the buyer lives it: a webhook
opens the case, the offer arrives by e-mail (read from the local mail server's folder,
both MIME parts), the buyer follows the e-mail's page link with a plain HTTP client and
sends the accept form as the page gives it, the marketplace pays the refund (the emulated
refund API), and the refund notice arrives by e-mail. A second buyer declines by replying
to the offer e-mail over SMTP; the return then owed is told by e-mail, and its label sent."""

import email
import re
import uuid
from email.message import EmailMessage
from email.policy import default as default_policy
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import aiosmtplib
import httpx

from tests.conftest import eventually
from tests.factories import post_case, webhook
from tests.integration.test_buyers_page import offer_open, offer_state
from tests.integration.test_refunds import ledger

LINK = re.compile(r"https?://\S+/buyer/[A-Za-z0-9_.\-]+")


class Forms(HTMLParser):
    """The page's forms: each one's action and the fields it sends, submit button included."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attributes.get("action"), "fields": {}, "buttons": {}})
        elif self.forms and tag == "input" and attributes.get("type") == "hidden":
            self.forms[-1]["fields"][attributes["name"]] = attributes.get("value") or ""
        elif self.forms and tag == "button" and attributes.get("name"):
            self.forms[-1]["buttons"][attributes["name"]] = attributes.get("value") or ""


def form_answering(html: str, answer: str) -> dict:
    """The form whose button answers `answer` (accept, decline), as the browser would send it."""
    parser = Forms()
    parser.feed(html)
    [form] = [f for f in parser.forms if f["buttons"].get("answer") == answer]
    return {"action": form["action"], "data": {**form["fields"], **form["buttons"]}}


def mails_to(mail_server, address: str) -> list[EmailMessage]:
    found = []
    for path in mail_server.messages():
        parsed = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        if parsed["To"] == address:
            found.append(parsed)
    return found


async def mail_to(
    mail_server, address: str, subject: str, besides: EmailMessage | None = None
) -> EmailMessage:
    """The one message to `address` whose subject holds `subject` (other than `besides`),
    once it arrived."""
    seen = besides["Message-ID"] if besides else None

    async def arrived():
        return [
            m
            for m in mails_to(mail_server, address)
            if subject in m["Subject"] and m["Message-ID"] != seen
        ]

    [mail] = await eventually(arrived, timeout=90)
    return mail


def page_link(mail: EmailMessage, settings) -> str:
    """The page link of the message, the same in both parts."""
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    [link] = set(LINK.findall(text))
    assert link.startswith(f"{settings.buyer_page_base_url}/buyer/")
    assert f'href="{link}"' in html
    return link


async def accept_on_the_page(link: str, intake_url: str) -> None:  # noqa: F811
    """Open the page (served where the test serves intake) and send its accept form."""
    path = urlsplit(link).path
    async with httpx.AsyncClient(base_url=intake_url, timeout=30) as http:
        page = await http.get(path)
        assert page.status_code == 200, page.text
        form = form_answering(page.text, "accept")
        answered = await http.post(urljoin(path, form["action"]), data=form["data"])
        assert answered.status_code in (200, 303), answered.text


async def buyer_case(clients, **changes) -> tuple[str, str]:
    """A case of a buyer with an address of their own: the case id and that address."""
    address = f"buyer-{uuid.uuid4().hex[:10]}@example.com"
    body = webhook(
        buyer={**webhook()["buyer"], "name": "Dana Whitfield", "email": address},
        buyer_ref=f"buyer-{uuid.uuid4().hex[:8]}",
        reason_code="COSMETIC_DAMAGE",
        buyer_comment="The lid arrived scratched",
        **changes,
    )
    answer = await post_case(clients["intake"], body)
    assert answer.status_code == 202, answer.text
    return answer.json()["case_id"], address


async def test_webhook_offer_email_page_accept_refund_paid_refund_email(
    clients,
    mail_server,
    emulators,
    settings,
    intake_url,  # noqa: F811
):
    case_id, address = await buyer_case(clients)
    offer = await offer_open(clients, case_id, "partial_refund")

    offer_mail = await mail_to(mail_server, address, ": our offer")
    assert offer_mail.get_content_type() == "multipart/alternative"
    assert offer_mail["Content-Language"] == "en"
    await accept_on_the_page(page_link(offer_mail, settings), intake_url)
    await offer_state(clients, offer["offer_id"], case_id, "accepted")

    async def paid():
        return [each for each in await ledger(emulators) if each["case_id"] == case_id]

    [refund] = await eventually(paid, timeout=90)
    refund_mail = await mail_to(mail_server, address, "Your refund of")
    amount = refund_mail["Subject"].removeprefix("Your refund of ")
    assert refund["amount"]["currency"] == "USD"
    assert amount == f"${refund['amount']['minor'] / 100:,.2f}"
    assert amount in refund_mail.get_body(("plain",)).get_content()
    assert amount in refund_mail.get_body(("html",)).get_content()


async def test_a_buyer_declines_by_replying_and_downloads_the_label_of_the_return_owed(
    clients,
    mail_server,
    settings,
    stack,
    intake_url,  # noqa: F811
):
    case_id, address = await buyer_case(clients)
    first = await offer_open(clients, case_id, "partial_refund")
    offer_mail = await mail_to(mail_server, address, ": our offer")

    reply = EmailMessage()
    reply["From"] = f"Dana Whitfield <{address}>"
    reply["To"] = offer_mail["Reply-To"]
    reply["Subject"] = f"Re: {offer_mail['Subject']}"
    reply["Message-ID"] = f"<{uuid.uuid4()}@mail.example.com>"
    reply["In-Reply-To"] = offer_mail["Message-ID"]
    reply.set_content("No thank you, I do not accept that.\n\n> " + offer_mail["Subject"])
    _, answer = await aiosmtplib.send(
        reply, hostname="127.0.0.1", port=stack.settings.inbound_smtp_port
    )
    assert case_id in answer
    await offer_state(clients, first["offer_id"], case_id, "declined")

    # The last step of a minor defect is owed at once: a notice, no offer to accept.
    owed = await mail_to(mail_server, address, ": what we will do")
    assert "$49.99" in owed.get_body(("plain",)).get_content()
    page_link(owed, settings)  # the case's page, in both parts
    label_mail = await mail_to(mail_server, address, "Your prepaid return label for")
    assert "Portable Bluetooth Speaker" in label_mail["Subject"]
    path = urlsplit(page_link(label_mail, settings)).path
    async with httpx.AsyncClient(base_url=intake_url, timeout=30) as http:
        page = await http.get(path)
        [label] = re.findall(r'href="([^"]*/return-label\.pdf[^"]*)"', page.text)
        pdf = await http.get(label.replace("&amp;", "&"))
    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF")
