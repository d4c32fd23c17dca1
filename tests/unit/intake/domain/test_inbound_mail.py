"""A buyer's e-mail read with the standard library (`services/intake/domain/inbound_mail.py`)."""

from email.message import EmailMessage

import pytest

from services.intake.domain.inbound_mail import UnreadableMail, html_to_text, read_mail


def mail(**headers) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Buyer <buyer@example.com>"
    message["To"] = "reply+abc.def@replies.example"
    message["Subject"] = "Re: your return"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message


def test_plain_text_is_preferred_and_the_threading_headers_are_kept():
    message = mail(
        Message_ID="<m1@example.com>",
        In_Reply_To="<offer.abc.def@replies.example>",
        References="<first@replies.example> <offer.abc.def@replies.example>",
        Delivered_To="reply+delivered@replies.example",
    )
    message.set_content("Ja, einverstanden.")
    message.add_alternative("<p>Something <b>else</b></p>", subtype="html")
    read = read_mail(message.as_bytes(), ["reply+envelope@replies.example"])
    assert read.text.strip() == "Ja, einverstanden."
    assert read.message_id == "<m1@example.com>"
    assert read.recipients == [
        "reply+envelope@replies.example",
        "reply+delivered@replies.example",
        "reply+abc.def@replies.example",
    ]
    assert read.answers == ["<offer.abc.def@replies.example>", "<first@replies.example>"]
    assert read.sender == "buyer@example.com"


def test_html_alone_is_turned_into_text_with_its_quote_marked():
    message = mail(Message_ID="<m2@example.com>")
    message.set_content(
        "<html><head><style>p{}</style></head><body><div>Oui, j&#39;accepte</div>"
        "<div>Le lun. 1 juin 2026, Shop a écrit :</div>"
        "<blockquote>Nous remboursons<br>10 EUR</blockquote></body></html>",
        subtype="html",
    )
    text = read_mail(message.as_bytes()).text
    assert text.splitlines()[0] == "Oui, j'accepte"
    assert "> " in text and "p{}" not in text
    assert html_to_text("<p>a</p><p>b</p>") == "a\n\nb"


def test_a_mail_without_a_message_id_gets_one_from_its_content():
    message = mail()
    message.set_content("yes")
    first, again = read_mail(message.as_bytes()), read_mail(message.as_bytes())
    assert first.message_id == again.message_id and first.message_id.startswith("<sha256-")


def test_a_mail_with_no_text_is_refused():
    message = mail(Message_ID="<m3@example.com>")
    message.set_content(b"\x89PNG\x00\x01", maintype="image", subtype="png")
    with pytest.raises(UnreadableMail):
        read_mail(message.as_bytes())
