"""The mail relay client (`services/intake/adapters/mail.py`) against real SMTP servers
(aiosmtpd) on this machine: STARTTLS with a verified certificate and a login, and what each
answer of the relay becomes (sent, tried again, bounced, refused)."""

import asyncio
import datetime
import ipaddress
import json
import re
import ssl
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from deploy.components import free_port
from deploy.mail_server import BOUNCE, CLOSING, TRANSIENT, MailServer
from services.intake.adapters.mail import Bounced, Envelope, MailRelay, email_of
from shared.outbound import Refused, Unavailable

USER, PASSWORD = "relay-user", "relay-password"


def message(recipient: str = "ana@example.de", unsubscribe: str | None = None):
    return email_of(
        sender="Luma Home <care@lumahome.example>",
        recipient=recipient,
        subject="Ihre Erstattung von 7,50 €",
        text="Hallo Ana,\n\nwir haben 7,50 € erstattet.\n",
        html="<p>Hallo Ana,</p><p>wir haben 7,50 € erstattet.</p>",
        reply_to="reply+abc.def@replies.example.com",
        message_id="<m-1.abc.def@replies.example.com>",
        language="de",
        unsubscribe=unsubscribe,
        tracked_as="0b7e3f5c-9d2a-5e1b-8c4f-1a2b3c4d5e6f",
    )


ENVELOPE = Envelope("care@lumahome.example", "ana@example.de")


@pytest.fixture
def mail_server(tmp_path):
    with MailServer(tmp_path / "mail", port=free_port()) as server:
        yield server


def relay_to(server: MailServer) -> MailRelay:
    return MailRelay(server.host, server.port, starttls=False, timeout=5)


async def test_a_message_goes_whole_with_both_parts_and_its_headers(mail_server):
    answer = await relay_to(mail_server).send(
        message(unsubscribe="reply+abc.def@r.example"), ENVELOPE
    )
    assert answer.startswith("2.0.0 OK queued as ")
    [path] = mail_server.messages()
    kept = message_from_bytes(path.read_bytes(), policy=default_policy)
    assert kept["X-Envelope-To"] == "ana@example.de"
    assert kept["X-Envelope-From"] == "<care@lumahome.example>"
    assert json.loads(kept["X-MC-Metadata"]) == {
        "message_id": "0b7e3f5c-9d2a-5e1b-8c4f-1a2b3c4d5e6f"
    }
    assert kept["Subject"] == "Ihre Erstattung von 7,50 €"
    assert kept["Reply-To"] == "reply+abc.def@replies.example.com"
    assert kept["Message-ID"] == "<m-1.abc.def@replies.example.com>"
    assert kept["List-Unsubscribe"] == "<mailto:reply+abc.def@r.example?subject=unsubscribe>"
    assert kept["Content-Language"] == "de" and kept["Auto-Submitted"] == "auto-generated"
    assert kept.get_body(("plain",)).get_content().startswith("Hallo Ana,")
    assert "<p>Hallo Ana,</p>" in kept.get_body(("html",)).get_content()


async def test_a_busy_mailbox_is_tried_again_and_a_missing_one_bounces(mail_server):
    relay = relay_to(mail_server)
    mail_server.faults.answer_next(TRANSIENT)
    with pytest.raises(Unavailable) as busy:
        await relay.send(message(), ENVELOPE)
    assert busy.value.status == 451
    mail_server.faults.answer_next(BOUNCE)
    with pytest.raises(Bounced) as bounced:
        await relay.send(message(), ENVELOPE)
    assert bounced.value.status == 550 and "No such mailbox" in bounced.value.reason
    assert mail_server.messages() == []
    await relay.send(message(), ENVELOPE)  # the faults are spent
    assert len(mail_server.messages()) == 1


async def test_no_relay_listening_or_none_configured_is_tried_again():
    with pytest.raises(Unavailable, match="unreachable"):
        await MailRelay("127.0.0.1", free_port(), starttls=False, timeout=2).send(
            message(), ENVELOPE
        )
    with pytest.raises(Unavailable, match="SMTP_HOST"):
        await MailRelay(None, 25).send(message(), ENVELOPE)


class RefusesEveryMessage:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        return "554 5.7.1 Message refused: policy"


async def test_a_message_the_relay_refuses_is_refused():
    port = free_port()
    controller = Controller(RefusesEveryMessage(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with pytest.raises(Refused) as refused:
            await MailRelay("127.0.0.1", port, starttls=False, timeout=5).send(message(), ENVELOPE)
    finally:
        controller.stop()
    assert refused.value.status == 554


# ------------------------------------------------------------ a batch over one session


def to(recipient: str):
    return message(recipient=recipient), Envelope("care@lumahome.example", recipient)


async def test_a_batch_goes_over_one_session_with_the_bytes_a_session_each_sends(mail_server):
    relay = relay_to(mail_server)
    batch = [to(f"buyer-{n}@example.de") for n in range(4)]
    async with relay.session() as session:
        for each, envelope in batch:
            await session.send(each, envelope)
    in_one = mail_server.messages()
    assert len(in_one) == 4 and len(mail_server.sessions_of(in_one)) == 1
    for each, envelope in batch:  # the same messages again, a session each
        await relay.send(each, envelope)
    alone = mail_server.messages()[4:]
    assert len(mail_server.sessions_of(alone)) == 4
    assert [as_sent(path) for path in alone] == [as_sent(path) for path in in_one]


def as_sent(path) -> bytes:
    """The message as the relay took it, but for its MIME boundary (drawn at each send)."""
    return re.sub(rb"={15}\d+==", b"BOUNDARY", path.read_bytes())


async def test_a_refused_recipient_or_a_busy_mailbox_costs_only_its_own_message(mail_server):
    mail_server.faults.refuse("gone@example.de", BOUNCE)
    mail_server.faults.refuse("busy@example.de", TRANSIENT)
    outcomes = []
    async with relay_to(mail_server).session() as session:
        for recipient in ("a@example.de", "gone@example.de", "busy@example.de", "b@example.de"):
            try:
                outcomes.append(await session.send(*to(recipient)))
            except (Bounced, Unavailable) as error:
                outcomes.append(error)
    sent, bounced, busy, sent_after = outcomes
    assert isinstance(bounced, Bounced) and bounced.status == 550
    assert type(busy) is Unavailable and busy.status == 451
    assert isinstance(sent, str) and isinstance(sent_after, str)
    taken = mail_server.messages()
    assert len(taken) == 2 and len(mail_server.sessions_of(taken)) == 1


async def test_a_session_the_relay_closes_mid_batch_leaves_the_rest_to_try_again(mail_server):
    mail_server.faults.refuse("closing@example.de", CLOSING)
    outcomes = []
    async with relay_to(mail_server).session() as session:
        for recipient in ("a@example.de", "closing@example.de", "b@example.de", "c@example.de"):
            try:
                outcomes.append(await session.send(*to(recipient)))
            except Unavailable as error:
                outcomes.append(error)
    sent, closed, *left = outcomes
    assert isinstance(sent, str) and closed.status == 421
    assert [type(error) for error in left] == [Unavailable, Unavailable]
    assert all("not tried" in error.reason for error in left)
    assert len(mail_server.messages()) == 1


async def test_no_message_is_begun_once_the_batch_s_time_to_send_ran_out(mail_server):
    async with relay_to(mail_server).session(within=0.2) as session:
        await session.send(*to("early@example.de"))
        await asyncio.sleep(0.3)
        with pytest.raises(Unavailable, match="time to send ran out"):
            await session.send(*to("late@example.de"))
    assert len(mail_server.messages()) == 1


async def test_a_relay_that_cannot_be_reached_is_tried_once_per_batch():
    relay = MailRelay("127.0.0.1", free_port(), starttls=False, timeout=2)
    async with relay.session() as session:
        for _ in range(3):
            with pytest.raises(Unavailable, match="unreachable"):
                await session.send(message(), ENVELOPE)
        assert session.lost is not None and not session.opened


# ------------------------------------------------------------------ STARTTLS and a login


def self_signed(folder) -> tuple:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "relay.test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "relay.pem", folder / "relay.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class RecordsSessions:
    def __init__(self) -> None:
        self.taken: list[tuple[bool, object]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.taken.append((session.ssl is not None, session.auth_data))
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    good = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode(),
        auth_data.password.decode(),
    ) == (USER, PASSWORD)
    return AuthResult(success=good, handled=False, auth_data=auth_data)


@pytest.fixture
def tls_relay(tmp_path):
    cert_file, key_file = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    handler = RecordsSessions()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    yield port, cert_file, handler
    controller.stop()


async def test_the_relay_is_reached_over_starttls_with_a_verified_certificate_and_a_login(
    tls_relay,
):
    port, ca_file, handler = tls_relay
    relay = MailRelay("127.0.0.1", port, USER, PASSWORD, starttls=True, timeout=5, ca_file=ca_file)
    await relay.send(message(), ENVELOPE)
    [(over_tls, login)] = handler.taken
    assert over_tls and login.login.decode() == USER


async def test_a_wrong_password_or_an_untrusted_certificate_is_not_sent(tls_relay):
    port, ca_file, handler = tls_relay
    wrong = MailRelay("127.0.0.1", port, USER, "wrong", starttls=True, timeout=5, ca_file=ca_file)
    with pytest.raises(Refused) as refused:
        await wrong.send(message(), ENVELOPE)
    assert refused.value.status == 535
    async with wrong.session() as session:  # a batch: each message refused alike
        for _ in range(2):
            with pytest.raises(Refused) as refused:
                await session.send(message(), ENVELOPE)
            assert refused.value.status == 535
    untrusted = MailRelay("127.0.0.1", port, USER, PASSWORD, starttls=True, timeout=5)
    with pytest.raises(Unavailable):  # never talks to a relay it cannot verify
        await untrusted.send(message(), ENVELOPE)
    plain = MailRelay("127.0.0.1", port, USER, PASSWORD, starttls=False, timeout=5)
    with pytest.raises((Refused, Unavailable)):  # the relay wants STARTTLS first
        await plain.send(message(), ENVELOPE)
    await asyncio.sleep(0)
    assert handler.taken == []
