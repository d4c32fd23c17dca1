"""A message to a buyer: which event owes which kind, the way of each channel, and its
lifecycle (`domain/outgoing_messages.py`)."""

import pytest

from services.intake.domain import outgoing_messages as messages
from services.intake.domain.outgoing_messages import MessageKind, MessageState, Way, in_own_words
from shared.events import Remedy, Scenario
from shared.lifecycle import IllegalTransition

QUEUED, SENT, DELIVERED, BOUNCED, FAILED, NOT_SENT = MessageState


def test_one_message_per_case_kind_and_event():
    key = messages.message_key("case-1", MessageKind.OFFER_MADE, "event-1")
    assert key == messages.message_key("case-1", MessageKind.OFFER_MADE, "event-1")
    assert messages.message_id_of(key) == messages.message_id_of(key)
    others = {
        messages.message_key("case-1", MessageKind.REFUND_ISSUED, "event-1"),
        messages.message_key("case-1", MessageKind.OFFER_MADE, "event-2"),
        messages.message_key("case-2", MessageKind.OFFER_MADE, "event-1"),
    }
    assert key not in others and len(others) == 3


@pytest.mark.parametrize(
    ("channel", "way"),
    [
        ("shopify", Way.EMAIL),
        ("walmart", Way.EMAIL),
        ("generic", Way.EMAIL),
        ("agent", Way.EMAIL),
        ("ebay", Way.EBAY),
        ("amazon", Way.AMAZON),
    ],
)
def test_each_channel_has_its_way(channel, way):
    assert messages.way_of(channel) is way


def test_an_offer_asks_and_a_notice_tells():
    assert messages.offer_kind(True) is MessageKind.OFFER_MADE
    assert messages.offer_kind(False) is MessageKind.REMEDY_OWED


def test_a_quality_defects_full_refund_is_followed_up():
    quality = messages.kinds_after_refund(Remedy.RETURN_FULL_REFUND, Scenario.QUALITY_DEFECT)
    assert quality == [MessageKind.REFUND_ISSUED, MessageKind.QUALITY_FOLLOW_UP]
    partial = messages.kinds_after_refund(Remedy.PARTIAL_REFUND, Scenario.QUALITY_DEFECT)
    assert partial == [MessageKind.REFUND_ISSUED]
    assert messages.kinds_after_refund(Remedy.RETURN_FULL_REFUND, None) == [
        MessageKind.REFUND_ISSUED
    ]


def test_nothing_reaches_an_erased_buyer_or_one_without_an_address():
    assert "erased" in messages.why_not_sent(True, Way.EBAY, True)
    assert "e-mail address" in messages.why_not_sent(False, Way.EMAIL, False)
    assert messages.why_not_sent(False, Way.EBAY, False) is None  # eBay needs no address
    assert messages.why_not_sent(False, Way.EMAIL, True) is None


def test_a_message_is_sent_once_then_delivered_or_bounced():
    assert messages.send(QUEUED, "m").state is SENT
    assert messages.send(SENT, "m").state is SENT  # a repeat changes nothing
    assert messages.deliver(SENT, "m").state is DELIVERED
    assert messages.deliver(QUEUED, "m").state is DELIVERED  # a marketplace's own messaging
    assert messages.bounce(QUEUED, "m").state is BOUNCED
    assert messages.bounce(SENT, "m").state is BOUNCED
    with pytest.raises(IllegalTransition):
        messages.send(NOT_SENT, "m")


def test_tries_run_out_then_an_agent_retries():
    assert messages.after_unavailable(QUEUED, "m", 3, 12).state is QUEUED
    assert messages.after_unavailable(QUEUED, "m", 12, 12).state is FAILED
    assert messages.retry(FAILED, "m").state is QUEUED
    with pytest.raises(IllegalTransition):
        messages.retry(SENT, "m")
    assert messages.withhold(QUEUED, "m").state is NOT_SENT


def test_only_a_failed_message_is_discarded_by_an_operator():
    assert messages.discard(FAILED, "m").state is NOT_SENT
    for state in (QUEUED, SENT, DELIVERED, BOUNCED, NOT_SENT):
        with pytest.raises(IllegalTransition):
            messages.discard(state, "m")


def test_what_is_announced_keeps_no_key_to_the_buyer_s_page():
    text = (
        "Follow your case, and answer, on your own page:\n"
        "https://returns.example.com/buyer/eyJjIjoiY2FzZS0xIn0.aB-c_d.Xy9z\n\n"
        "You can also simply reply to this e-mail."
    )
    shown = messages.without_page_links(text)
    assert "/buyer/" not in shown and "eyJj" not in shown
    assert shown.splitlines()[1] == messages.PAGE_LINK_SHOWN
    assert messages.without_page_links("Thank you, https://shop.example.com/help") == (
        "Thank you, https://shop.example.com/help"
    )
    assert {MessageState.SENT, MessageState.DELIVERED, MessageState.BOUNCED} == (messages.ANNOUNCED)


@pytest.mark.parametrize(
    ("kind", "own"),
    [
        (MessageKind.OFFER_MADE, False),  # resolution's words, in the case's language
        (MessageKind.REMEDY_OWED, False),
        (MessageKind.NOTHING_OWED, False),  # the agent's reason
        (MessageKind.PARCEL_SHIPPED, True),
        (MessageKind.REFUND_ISSUED, True),
        (MessageKind.RETURN_LABEL_ISSUED, True),
        (MessageKind.REMEDY_DECIDED, True),
        (MessageKind.QUALITY_FOLLOW_UP, True),
    ],
)
def test_only_messages_intake_words_itself_may_change_language(kind, own):
    assert in_own_words(kind) is own
