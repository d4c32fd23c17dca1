"""Reading a buyer's reply (`services/intake/domain/replies.py`): the new words only, and
the answer they give, in the five languages."""

import pytest

from services.intake.domain.replies import Choice, Reading, latest_reply, read_reply
from shared.events import BuyerAnswer

QUOTED = {
    "en": "Yes, I accept.\n\nOn Mon, 1 Jun 2026 at 10:00, Shop <shop@example.com> wrote:\n"
    "> We can refund 10 EUR.\n> Do you accept?",
    "de": "Ja, einverstanden.\n\nAm 01.06.2026 um 10:00 schrieb Shop <shop@example.com>:\n"
    "> Wir erstatten 10 EUR.",
    "fr": "Oui, d'accord.\n\nLe lun. 1 juin 2026 à 10:00, Shop <shop@example.com> a écrit :\n"
    "> Nous remboursons 10 EUR.",
    "es": "Sí, acepto.\n\nEl lun, 1 jun 2026 a las 10:00, Shop (<shop@example.com>) escribió:\n"
    "> ¿Acepta el reembolso?",
    "it": "Sì, accetto.\n\nIl giorno lun 1 giu 2026 alle ore 10:00 Shop <shop@example.com> "
    "ha scritto:\n> Rimborsiamo 10 EUR. Accetta?",
}


@pytest.mark.parametrize("language", sorted(QUOTED))
def test_quoted_history_is_stripped_before_reading(language):
    words = latest_reply(QUOTED[language])
    assert "Shop" not in words and ">" not in words and "10 EUR" not in words
    read = read_reply(QUOTED[language])
    # The quoted offer asks a question; the buyer's own words do not.
    assert (read.reading, read.answer, read.language) == (
        Reading.ACCEPT,
        BuyerAnswer.ACCEPT,
        language,
    )


@pytest.mark.parametrize(
    "text",
    [
        "Yes please\n\n-- \nJohn Doe\nACME Ltd, 1 Main Street",
        "Yes please\n\nSent from my iPhone",
        "Yes please\n\nVon meinem iPhone gesendet",
        "Yes please\n\nEnvoyé de mon iPhone",
        "Yes please\n\nEnviado desde mi iPhone",
        "Yes please\n\nInviato da iPhone",
        "Yes please\n\n---------- Forwarded message ---------\nFrom: Shop\nDate: Mon\n\nno thanks",
        "Yes please\n\n-----Original Message-----\nFrom: Shop\nSent: Monday\n\nno thanks",
        "Yes please\n\nFrom: Shop <shop@example.com>\nSent: Monday, 1 June 2026\nno thanks",
        "Yes please\n> no thanks, I decline\n>> do you accept?",
        "Yes please\n\nOn Mon, 1 Jun 2026 at 10:00, Shop\n<shop@example.com> wrote:\n> no",
    ],
)
def test_signatures_and_forwarded_or_quoted_blocks_are_stripped(text):
    assert latest_reply(text) == "Yes please"


ANSWERS = {
    "en": ("Yes, that works for me, I accept.", "No thanks, I want a full refund.",
           "When will the money be on my card?"),
    "de": ("Ja, ich bin einverstanden.", "Nein, ich lehne das Angebot ab.",
           "Wann bekomme ich mein Geld zurück?"),
    "fr": ("Oui, j'accepte votre offre.", "Non merci, je refuse.",
           "Quand vais-je recevoir le remboursement ?"),
    "es": ("Sí, acepto la oferta.", "No acepto, prefiero un reembolso completo.",
           "¿Cuándo recibiré el reembolso?"),
    "it": ("Sì, va bene, accetto.", "Non accetto, voglio un rimborso completo.",
           "Quando arriva il rimborso?"),
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(ANSWERS))
def test_accept_decline_and_question_in_the_five_languages(language):
    accept, decline, question = ANSWERS[language]
    assert read_reply(accept).answer is BuyerAnswer.ACCEPT
    assert read_reply(decline).answer is BuyerAnswer.DECLINE
    asked = read_reply(question)
    assert (asked.reading, asked.answer) == (Reading.QUESTION, BuyerAnswer.MESSAGE)
    assert asked.text == question  # the agents' queue gets the words
    assert asked.language == language


@pytest.mark.parametrize(
    ("text", "reading", "answer"),
    [
        ("No problem, I accept.", Reading.ACCEPT, BuyerAnswer.ACCEPT),
        ("No acepto.", Reading.DECLINE, BuyerAnswer.DECLINE),  # not "acepto"
        ("Je n'accepte pas.", Reading.DECLINE, BuyerAnswer.DECLINE),
        ("Yes. No. Maybe.", Reading.UNCLEAR, BuyerAnswer.MESSAGE),
        ("The box was wet.", Reading.UNCLEAR, BuyerAnswer.MESSAGE),
        ("", Reading.UNCLEAR, BuyerAnswer.MESSAGE),
        ("Yes, I accept. But can I keep the cable?", Reading.QUESTION, BuyerAnswer.MESSAGE),
    ],
)
def test_only_a_clear_yes_or_no_answers_the_offer(text, reading, answer):
    read = read_reply(text, "en")
    assert (read.reading, read.answer) == (reading, answer)


@pytest.mark.parametrize(
    ("text", "choice", "answer"),
    [
        ("Yes please, pick it up on Monday.", Choice.PICKUP, BuyerAnswer.ACCEPT),
        ("Ja, bitte Abholung am Montag.", Choice.PICKUP, BuyerAnswer.ACCEPT),
        ("Oui, je vais le déposer au point relais.", Choice.DROP_OFF, BuyerAnswer.ACCEPT),
        ("Lo llevo a la oficina de correos.", Choice.DROP_OFF, BuyerAnswer.MESSAGE),
        ("Vorrei la taglia M invece.", Choice.VARIANT, BuyerAnswer.MESSAGE),
        ("Yes, in size L please.", Choice.VARIANT, BuyerAnswer.MESSAGE),
    ],
)
def test_a_choice_is_read_and_only_a_logistics_choice_with_a_yes_accepts(text, choice, answer):
    read = read_reply(text)
    assert (read.choice, read.answer) == (choice, answer)
    if answer is BuyerAnswer.MESSAGE:
        assert read.reading is Reading.CHOICE
