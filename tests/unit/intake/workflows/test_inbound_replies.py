"""A buyer's mail threaded to its case (`services/intake/workflows/inbound_replies.py`)."""

import pytest

from services.intake.adapters.buyer_links import BuyerLinks
from services.intake.domain.inbound_mail import InboundMail
from services.intake.workflows.inbound_replies import NotThreaded, case_of_mail, reply_key

CASE = "case-6f0a5bf4-d718-5f38-b6f8-a16e34e3081a"
OTHER = "case-0b7c6a1e-2d4f-5e6a-8b9c-0d1e2f3a4b5c"
LINKS = BuyerLinks(["s3cret"], "https://returns.example.com", 60, "replies.example")


def mail(recipients: list[str], answers: list[str] = ()) -> InboundMail:
    return InboundMail("<m@example.com>", "b@example.com", recipients, list(answers), "", "ok")


def test_a_reply_threads_by_its_reply_address_in_any_letter_case():
    address = LINKS.reply_address(CASE)
    assert case_of_mail(LINKS, mail(["shop@example.com", address.upper()])) == CASE


def test_a_reply_to_another_address_threads_by_the_message_it_answers():
    answered = LINKS.message_id(OTHER, "offer-1")
    assert case_of_mail(LINKS, mail(["shop@example.com"], ["<x@gmail.com>", answered])) == OTHER
    # The address wins over the Message-IDs.
    assert case_of_mail(LINKS, mail([LINKS.reply_address(CASE)], [answered])) == CASE


def test_a_forged_or_unknown_token_threads_nowhere():
    address = LINKS.reply_address(CASE)
    forged = address.replace("reply+", "reply+a", 1)
    foreign = BuyerLinks(["other"], "https://x", 60, "replies.example").reply_address(CASE)
    with pytest.raises(NotThreaded):
        case_of_mail(LINKS, mail([forged, foreign, "reply+nothing@replies.example"]))
    with pytest.raises(NotThreaded):
        case_of_mail(LINKS, mail([], ["<offer.aaaa.bbbb@replies.example>"]))


def test_the_dedupe_key_is_the_message_id_kept_short():
    assert reply_key("<m1@example.com>") == "mail:m1@example.com"
    assert len(reply_key("<" + "x" * 300 + "@example.com>")) <= 200
