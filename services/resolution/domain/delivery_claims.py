"""Whether a buyer who says the parcel never came also says the tracking shows it delivered
("tracking says delivered but nothing came"), or the marketplace itself says so (Amazon's
package status DELIVERED, read by intake with the order's parcel): then no parcel goes out
again at once, an agent looks first, with the buyer's own sentence or the marketplace's
word as the evidence. Pure.

Read in en, de, fr, es and it, whatever the case's language (buyers mix them): a sentence
that names a delivery ("delivered", "zugestellt", "livré", "entregado", "consegnato"...)
together with the tracking or its status ("tracking", "Sendungsverfolgung", "suivi",
"seguimiento", "tracciamento", a carrier's name, "marked as", "shows"...), the delivery
word not negated by the few words before it ("not delivered", "nicht zugestellt", "pas
livré", "no entregado", "non consegnato": the buyer says the opposite).
"""

import re
import unicodedata

# The word for a parcel handed over, in each language (accents stripped, lower case).
DELIVERED = re.compile(
    r"\b(?:delivered|zugestellt|ausgeliefert|geliefert|livre(?:e|s|es)?|distribue(?:e)?"
    r"|entregad[oa]s?|consegnat[oaie]|recapitat[oaie])\b"
)
# What shows it: the tracking, its status, the carrier.
TRACKING = re.compile(
    r"\b(?:track(?:ing)?|tracked|trace|status|shows?|showing|says|said|marked|carrier|courier"
    r"|sendungsverfolgung|sendungsnummer|sendungsstatus|status|laut|angeblich|markiert"
    r"|suivi|statut|indique|marque|transporteur|affiche"
    r"|seguimiento|rastreo|estado|figura|aparece|marcad[oa]|transportista|pone"
    r"|tracciamento|tracking|stato|risulta|segna|indica|corriere"
    r"|ups|usps|fedex|dhl|dpd|gls|hermes|royal mail|evri|canada post|colissimo|chronopost"
    r"|la poste|correos|seur|mrw|poste italiane|brt|sda|bartolini|amazon logistics)\b"
)
# Words that turn "delivered" into "not delivered" when they come just before it.
NEGATION = re.compile(
    r"\b(?:not|never|n't|no|nicht|nie|kein|keine|niemals|pas|jamais|non|nunca|nada|mai)\b"
    r"|n't\b|\bn'"
)
NEGATION_WINDOW = 4  # words before the delivery word
SENTENCE = re.compile(r"[.!?;\n]+")
EVIDENCE_CHARS = 240


def plain(text: str) -> str:
    """Lower case, accents stripped, typographic apostrophes made plain."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def negated(before: str) -> bool:
    words = before.split()[-NEGATION_WINDOW:]
    return bool(NEGATION.search(" ".join(words)))


def delivered_per_tracking(words: str) -> str | None:
    """The buyer's sentence saying the tracking shows the parcel delivered; None when no
    sentence says so."""
    for sentence in SENTENCE.split(words):
        text = plain(sentence)
        if not TRACKING.search(text):
            continue
        for found in DELIVERED.finditer(text):
            if not negated(text[: found.start()]):
                return sentence.strip()[:EVIDENCE_CHARS]
    return None


def evidence(claim: str, carrier: str | None, tracking_number: str | None) -> list[str]:
    """What the agent is shown: the buyer's words and the parcel, if one is known."""
    parcel = (
        f"parcel {carrier or 'with an unnamed carrier'} {tracking_number}"
        if tracking_number
        else "no tracking number is known for the order"
    )
    return [f'the buyer says the tracking shows it delivered: "{claim}"', parcel]


# What a marketplace calls a parcel it knows was handed over (Amazon's PackageStatus).
MARKETPLACE_DELIVERED = frozenset({"DELIVERED"})


def delivered_per_marketplace(status: str | None) -> bool:
    """The marketplace's own status of the order's parcel says it was delivered."""
    return (status or "").strip().upper() in MARKETPLACE_DELIVERED


def marketplace_evidence(
    marketplace: str, status: str, carrier: str | None, tracking_number: str | None
) -> list[str]:
    """What the agent is shown when the marketplace says the parcel was delivered."""
    return [
        f"{marketplace} says the order's parcel was delivered (package status {status})",
        f"parcel {carrier or 'with an unnamed carrier'} {tracking_number or '(no number)'}",
    ]
