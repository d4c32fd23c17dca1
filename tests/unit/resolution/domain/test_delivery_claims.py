"""A buyer who says the tracking shows the parcel delivered, in five languages (pure)."""

import re

import pytest

from services.resolution.domain.delivery_claims import delivered_per_tracking

SAYS_DELIVERED = [
    "Tracking says delivered but I never got it.",
    "The parcel was marked as delivered yesterday, nothing in my mailbox",
    "UPS shows it delivered on Monday. It is not here!",
    "Laut Sendungsverfolgung wurde das Paket zugestellt, aber ich habe nichts bekommen.",
    "DHL sagt zugestellt, bei mir ist aber nichts angekommen",
    "Le suivi indique que le colis a été livré mais je ne l'ai jamais reçu.",
    "Colissimo le marque comme livré, rien dans ma boîte aux lettres",
    "El seguimiento pone que fue entregado pero no me ha llegado nada.",
    "Según el rastreo el paquete figura como entregado, y no lo tengo",
    "Il tracciamento risulta consegnato ma non ho ricevuto niente.",
    "Il corriere segna il pacco come consegnato, però non è arrivato",
]
SAYS_NOTHING_OF_THE_KIND = [
    "My parcel never arrived.",
    "Tracking says it was not delivered and it is stuck in Memphis.",
    "The tracking has not shown delivered for a week",
    "It was delivered to the wrong address by my neighbour",  # no tracking named
    "Das Paket wurde laut Tracking nicht zugestellt.",
    "Le suivi indique que le colis n'a pas été livré.",
    "El seguimiento dice que no ha sido entregado todavía.",
    "Il tracciamento dice che non è stato consegnato.",
    "Where is my order? No tracking update since Friday.",
    "",
]


@pytest.mark.parametrize("words", SAYS_DELIVERED)
def test_the_buyers_sentence_is_the_evidence(words):
    first_sentence = re.split(r"[.!?;\n]+", words)[0].strip()
    assert delivered_per_tracking(words) == first_sentence


@pytest.mark.parametrize("words", SAYS_NOTHING_OF_THE_KIND)
def test_a_parcel_not_delivered_per_the_buyer_is_no_claim(words):
    assert delivered_per_tracking(words) is None


def test_the_sentence_that_says_it_is_kept_among_others():
    words = "Hello. I ordered a lamp on the 3rd! The tracking shows delivered. Please help"
    assert delivered_per_tracking(words) == "The tracking shows delivered"


def test_evidence_is_kept_short():
    words = "Tracking says delivered " + "and nothing came " * 40
    assert len(delivered_per_tracking(words)) == 240
