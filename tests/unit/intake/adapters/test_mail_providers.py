"""Mailgun's and Mandrill's inbound webhooks, verified as each provider documents
(`services/intake/adapters/mail_providers.py`)."""

import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from services.intake.adapters import mail_providers as providers
from services.intake.domain.case import ChannelError

KEY = "key-mailgun-signing"
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def mailgun_fields(key: str = KEY, when: datetime = NOW, **fields) -> dict[str, str]:
    timestamp, token = str(int(when.timestamp())), "t" * 50
    return {
        "timestamp": timestamp,
        "token": token,
        "signature": providers.mailgun_signature(key, timestamp, token),
        "recipient": "reply+abc.def@replies.example",
        "Message-Id": "<m1@example.com>",
        "In-Reply-To": "<offer.abc.def@replies.example>",
        "body-plain": "Yes, I accept.",
        **fields,
    }


def test_a_mailgun_post_signed_with_the_key_is_read():
    fields = mailgun_fields()
    providers.verify_mailgun(fields, ["old-key", KEY], NOW)
    mail = providers.mailgun_mail(fields)
    assert mail.recipients == ["reply+abc.def@replies.example"]
    assert mail.answers == ["<offer.abc.def@replies.example>"]
    assert (mail.message_id, mail.text) == ("<m1@example.com>", "Yes, I accept.")


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (mailgun_fields(key="another key"), "bad_signature"),
        ({**mailgun_fields(), "token": "u" * 50}, "bad_signature"),
        ({**mailgun_fields(), "signature": ""}, "bad_signature"),
        (mailgun_fields(when=NOW - timedelta(minutes=6)), "stale_request"),
    ],
)
def test_a_forged_or_stale_mailgun_post_is_refused(fields, reason):
    with pytest.raises(ChannelError) as refused:
        providers.verify_mailgun(fields, [KEY], NOW)
    assert (refused.value.status, refused.value.reason) == (401, reason)


def test_a_mailgun_post_of_the_whole_mime_is_read_from_it():
    raw = (
        "From: b@example.com\r\nTo: someone@example.com\r\nMessage-ID: <m9@example.com>\r\n"
        "Subject: Re\r\n\r\nNein danke.\r\n"
    )
    fields = mailgun_fields(**{"body-mime": raw})
    mail = providers.mailgun_mail(fields)
    assert mail.recipients[0] == "reply+abc.def@replies.example"
    assert (mail.message_id, mail.text.strip()) == ("<m9@example.com>", "Nein danke.")


def test_a_multipart_form_is_read_without_its_files():
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="body-plain"\r\n\r\n'
        f"Sì, accetto\r\n--{boundary}\r\nContent-Disposition: form-data; "
        f'name="attachment-1"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n'
        f"\x89PNG\r\n--{boundary}--\r\n"
    ).encode()
    fields = providers.form_fields(f"multipart/form-data; boundary={boundary}", body)
    assert fields == {"body-plain": "Sì, accetto"}
    form = urlencode({"a": "1", "b": "é"}).encode()
    assert providers.form_fields("application/x-www-form-urlencoded", form) == {"a": "1", "b": "é"}
    with pytest.raises(ChannelError):
        providers.form_fields("application/json", b"{}")


URL = "https://intake.example.com/inbound-mail/mandrill"


def mandrill_form(raw: str) -> dict[str, str]:
    event = {"event": "inbound", "ts": int(time.time()), "msg": {"raw_msg": raw,
             "email": "reply+abc.def@replies.example", "text": "ignored"}}  # fmt: skip
    return {"mandrill_events": json.dumps([event, {"event": "send"}])}


def test_a_mandrill_post_signed_over_its_url_and_fields_is_read():
    fields = mandrill_form("From: b@example.com\r\nMessage-ID: <m5@example.com>\r\n\r\nOui\r\n")
    headers = {"X-Mandrill-Signature": providers.mandrill_signature("wh-key", URL, fields)}
    providers.verify_mandrill(headers, fields, URL, ["wh-key"])
    [mail] = providers.mandrill_mails(fields)
    assert mail.recipients == ["reply+abc.def@replies.example"]
    assert (mail.message_id, mail.text.strip()) == ("<m5@example.com>", "Oui")


@pytest.mark.parametrize("forgery", ["key", "url", "fields", "missing"])
def test_a_forged_mandrill_post_is_refused(forgery):
    fields = mandrill_form("From: b@example.com\r\n\r\nOui\r\n")
    signature = providers.mandrill_signature(
        "another key" if forgery == "key" else "wh-key",
        URL + "?x" if forgery == "url" else URL,
        fields,
    )
    if forgery == "fields":
        fields = mandrill_form("From: b@example.com\r\n\r\nNon\r\n")
    headers = {} if forgery == "missing" else {"X-Mandrill-Signature": signature}
    with pytest.raises(ChannelError) as refused:
        providers.verify_mandrill(headers, fields, URL, ["wh-key"])
    assert refused.value.status == 401
