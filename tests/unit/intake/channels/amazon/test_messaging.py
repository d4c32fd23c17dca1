"""Which of Amazon's Messaging API actions a message to a buyer goes through (pure)."""

import pytest

from services.intake.channels.amazon.messaging import (
    TEXT_CHARS,
    action_for,
    language_of_locale,
    text_fits,
)

OFFERED = frozenset({"unexpectedProblem", "confirmDeliveryDetails", "warranty"})
NOTICE = "Hallo,\n\nWir senden Ihnen den Artikel erneut.\n\nMit freundlichen Grüßen"


@pytest.mark.parametrize(
    ("kind", "action"),
    [
        ("remedy_owed", "unexpectedProblem"),
        ("parcel_shipped", "confirmDeliveryDetails"),
        ("offer_made", None),  # a question to answer: by the relay
        ("refund_issued", None),
        ("return_label_issued", None),
        ("nothing_owed", None),
        ("quality_follow_up", None),
    ],
)
def test_each_kind_has_the_action_that_fits_it_or_none(kind, action):
    assert action_for(kind, NOTICE, "de", "de-DE", OFFERED) == action


def test_an_action_the_order_does_not_offer_is_not_used():
    assert action_for("remedy_owed", NOTICE, "de", "de-DE", frozenset({"warranty"})) is None


@pytest.mark.parametrize(
    ("locale", "action"),
    [("de-DE", "unexpectedProblem"), ("de_AT", "unexpectedProblem"), (None, "unexpectedProblem"),
     ("en-GB", None), ("fr-FR", None)],
)  # fmt: skip
def test_the_text_must_be_in_the_buyers_language_of_preference(locale, action):
    assert action_for("remedy_owed", NOTICE, "de", locale, OFFERED) == action


@pytest.mark.parametrize(
    ("text", "fits"),
    [
        (NOTICE, True),
        ("x" * TEXT_CHARS, True),
        ("x" * (TEXT_CHARS + 1), False),
        ("   ", False),
        ("Write to care@lumahome.example", False),
        ("<p>Hello</p>", False),
        ("Tracking number: 00340434161094077777, in < 3 days", True),  # no tag
    ],
)
def test_a_text_fits_an_action_within_amazons_rules(text, fits):
    assert text_fits(text) is fits
    assert (action_for("remedy_owed", text, "de", None, OFFERED) is not None) is fits


@pytest.mark.parametrize(
    ("locale", "language"),
    [("en-US", "en"), ("DE_de", "de"), ("it", "it"), ("", None), (None, None)],
)
def test_a_locale_names_its_language(locale, language):
    assert language_of_locale(locale) == language
