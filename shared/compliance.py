"""Compliance lint: every outgoing buyer message must pass it before it is sent (resolution
lints each offer it writes; intake lints each message as it leaves for the buyer).

Two checks, per language, and the marketplace's own rules on message content:
- banned promises: what is unlawful or unwise to promise ("lifetime warranty",
  "unconditional refund", ...), in the message's language and in English, since
  marketing English turns up in every language;
- required disclosures: each name the caller requires (e.g. "withdrawal_right") must
  appear as its phrase in the message's language.

- the marketplace's rules (`marketplace_findings`): Amazon's Buyer-Seller Messaging takes no
  links other than those needed to complete the order, and no marketing.

Matching ignores case, accents, typographic apostrophes and spacing. A message with any
finding must not be sent: the caller routes the case to an agent instead.
"""

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from shared.markets import REGION_OF, Market, Region


class FindingKind(StrEnum):
    BANNED_PROMISE = "banned_promise"
    MISSING_DISCLOSURE = "missing_disclosure"
    UNKNOWN_DISCLOSURE = "unknown_disclosure"  # the caller asked for one we have no wording for
    UNSUPPORTED_LANGUAGE = "unsupported_language"
    LINK_NOT_ALLOWED = "link_not_allowed"  # the marketplace takes no such link
    MARKETING = "marketing"  # the marketplace takes no promotion in its messages
    WRONG_TERM = "wrong_term"  # another jurisdiction's name for a right (UK: no "withdrawal")


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    phrase: str  # the banned phrase as listed below, or the disclosure's name

    def __str__(self) -> str:
        return f"{self.kind}: {self.phrase}"


BANNED_PROMISES: dict[str, list[str]] = {
    "en": [
        "lifetime warranty",
        "lifetime guarantee",
        "unconditional refund",
        "no questions asked",
        "guaranteed forever",
        "100% satisfaction guaranteed",
    ],
    "de": [
        "lebenslange Garantie",
        "Garantie auf Lebenszeit",
        "bedingungslose Rückerstattung",
        "Rückerstattung ohne Bedingungen",
        "ohne Wenn und Aber",
        "ohne Fragen zu stellen",
        "für immer garantiert",
        "100% Zufriedenheitsgarantie",
        "100% Zufriedenheit garantiert",
    ],
    "fr": [
        "garantie à vie",
        "remboursement sans condition",
        "remboursement inconditionnel",
        "sans poser de questions",
        "garanti pour toujours",
        "satisfaction garantie à 100%",
        "100% satisfait",
    ],
    "es": [
        "garantía de por vida",
        "garantía vitalicia",
        "reembolso incondicional",
        "reembolso sin condiciones",
        "sin hacer preguntas",
        "sin preguntas",
        "garantizado para siempre",
        "satisfacción garantizada al 100%",
        "100% de satisfacción garantizada",
    ],
    "it": [
        "garanzia a vita",
        "rimborso incondizionato",
        "rimborso senza condizioni",
        "senza fare domande",
        "garantito per sempre",
        "soddisfazione garantita al 100%",
        "100% soddisfatti",
    ],
}

# Waiving a statutory return right is unlawful where the buyer has one (EU, UK).
BANNED_WHERE_BUYER_MAY_WITHDRAW: dict[str, list[str]] = {
    "en": ["no returns accepted", "non-returnable"],
    "de": ["keine Rücknahme", "vom Umtausch ausgeschlossen"],
    "fr": ["ni repris ni échangé", "aucun retour accepté"],
    "es": ["no se aceptan devoluciones"],
    "it": ["non si accettano resi"],
}

REQUIRED_DISCLOSURES: dict[str, dict[str, str]] = {
    # A partial refund is an alternative to the legal withdrawal right, never a replacement.
    "withdrawal_right": {
        "en": "you may still return the item instead",
        "de": "Sie können den Artikel stattdessen weiterhin zurücksenden",
        "fr": "vous pouvez toujours renvoyer l'article à la place",
        "es": "todavía puede devolver el artículo en su lugar",
        "it": "può ancora restituire l'articolo al suo posto",
    },
    # UK: the same right, by the Consumer Contracts Regulations' name: cancellation.
    "cancellation_right": {
        "en": "you may still cancel the purchase and return the item instead",
        "de": "Sie können den Kauf weiterhin stornieren und den Artikel stattdessen zurücksenden",
        "fr": "vous pouvez toujours annuler l'achat et renvoyer l'article à la place",
        "es": "todavía puede cancelar la compra y devolver el artículo en su lugar",
        "it": "può ancora annullare l'acquisto e restituire l'articolo al suo posto",
    },
    # UK: goods that are faulty may be rejected for a full refund within 30 days.
    "right_to_reject": {
        "en": "you may instead reject it for a full refund",
        "de": "können Sie ihn stattdessen gegen volle Erstattung zurückweisen",
        "fr": "vous pouvez à la place le refuser contre un remboursement intégral",
        "es": "puede en su lugar rechazarlo a cambio de un reembolso completo",
        "it": "può invece rifiutarlo in cambio di un rimborso completo",
    },
    # EU/UK: an offer for faulty goods leaves the free repair or replacement in place.
    "legal_guarantee": {
        "en": "you keep your legal guarantee of a free repair or replacement",
        "de": "behalten Sie Ihre gesetzliche Gewährleistung auf kostenlose Reparatur oder Ersatz",
        "fr": "vous conservez votre garantie légale de réparation ou de remplacement gratuit",
        "es": "conserva su garantía legal de reparación o sustitución gratuita",
        "it": "conserva la garanzia legale di riparazione o sostituzione gratuita",
    },
    # UK: the Consumer Rights Act 2015 keeps a free repair or replacement for faulty goods.
    "statutory_repair": {
        "en": "under the Consumer Rights Act 2015 you keep your statutory right to a free "
        "repair or replacement",
        "de": "nach dem Consumer Rights Act 2015 behalten Sie Ihr gesetzliches Recht auf "
        "kostenlose Reparatur oder Ersatz",
        "fr": "en vertu du Consumer Rights Act 2015, vous conservez votre droit légal à une "
        "réparation ou un remplacement gratuit",
        "es": "según la Consumer Rights Act 2015, conserva su derecho legal a una reparación "
        "o sustitución gratuita",
        "it": "in base al Consumer Rights Act 2015 conserva il diritto legale a una "
        "riparazione o sostituzione gratuita",
    },
    # EU/UK withdrawal: the buyer pays the return only when told so.
    "return_cost": {
        "en": "you pay the cost of sending the item back",
        "de": "Sie tragen die Kosten für die Rücksendung des Artikels",
        "fr": "les frais de renvoi de l'article sont à votre charge",
        "es": "los gastos de devolución del artículo corren por su cuenta",
        "it": "le spese di restituzione dell'articolo sono a suo carico",
    },
}


# UK law names the right to change one's mind "cancellation" (Consumer Contracts Regulations
# 2013), not the EU's "withdrawal"; a UK buyer told of a "right of withdrawal" is misinformed.
WRONG_TERMS: dict[Region, dict[str, list[str]]] = {
    Region.UK: {
        "en": ["right of withdrawal", "right to withdraw", "withdraw from the purchase"],
        "de": ["Widerrufsrecht"],
        "fr": ["droit de rétractation"],
        "es": ["derecho de desistimiento"],
        "it": ["diritto di recesso"],
    },
}


def lint(message: str, language: str, market: Market, required: list[str]) -> list[Finding]:
    """Everything wrong with a message; an empty list means it may be sent."""
    if language not in BANNED_PROMISES:
        return [Finding(FindingKind.UNSUPPORTED_LANGUAGE, language)]
    text = normalize(message, language)
    banned = [
        Finding(FindingKind.BANNED_PROMISE, phrase)
        for phrase, pattern in _banned_patterns(language, REGION_OF[market])
        if pattern.search(text)
    ]
    wrong = [
        Finding(FindingKind.WRONG_TERM, term)
        for term in WRONG_TERMS.get(REGION_OF[market], {}).get(language, [])
        if _phrase_pattern(term, language).search(text)
    ]
    missing = [_missing(name, text, language) for name in required]
    return banned + wrong + [finding for finding in missing if finding is not None]


# The accents NFKD splits off Latin letters (é → e + U+0301), and the other combining blocks.
COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def normalize(text: str, language: str) -> str:
    """Lower case, no accents, plain apostrophes, single spaces, "100 %" → "100%"."""
    plain = text.casefold()
    if not plain.isascii():
        plain = COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", plain))
    plain = plain.replace("\u2019", "'").replace("\u02bc", "'")
    if language == "de":
        # Without an umlaut key Germans write "ue" for "ü": "Rueckerstattung".
        plain = plain.replace("ae", "a").replace("oe", "o").replace("ue", "u")
    plain = re.sub(r"(\d)\s*%", r"\1%", plain)
    return re.sub(r"\s+", " ", plain).strip()


def _banned_phrases(language: str, region: Region) -> list[str]:
    phrases = BANNED_PROMISES[language] + (BANNED_PROMISES["en"] if language != "en" else [])
    if region in (Region.EU, Region.UK):
        phrases += BANNED_WHERE_BUYER_MAY_WITHDRAW[language]
    return phrases


@cache
def _banned_patterns(language: str, region: Region) -> list[tuple[str, re.Pattern[str]]]:
    """Each banned phrase with its pattern, normalized and compiled once per language."""
    phrases = _banned_phrases(language, region)
    return [(phrase, _pattern(normalize(phrase, language))) for phrase in phrases]


def _pattern(phrase: str) -> re.Pattern[str]:
    # Anchored at a word start only, so "unconditional refund" also catches "...refunds".
    return re.compile(rf"(?<!\w){re.escape(phrase)}")


@cache
def _phrase_pattern(phrase: str, language: str) -> re.Pattern[str]:
    """A fixed phrase (a wrong term, a disclosure's wording), normalized and compiled once
    per language: every message is linted against the same few."""
    return _pattern(normalize(phrase, language))


def _missing(name: str, text: str, language: str) -> Finding | None:
    wording = REQUIRED_DISCLOSURES.get(name, {}).get(language)
    if wording is None:
        return Finding(FindingKind.UNKNOWN_DISCLOSURE, name)
    if not _phrase_pattern(wording, language).search(text):
        return Finding(FindingKind.MISSING_DISCLOSURE, name)
    return None


# Amazon's communication guidelines: messages about an order carry only what completes it —
# no links to other pages (a return label of Amazon's own is not sent by the seller) and no
# promotion of the seller, their products or other marketplaces.
LINK = re.compile(r"(?i)\b(?:https?://|www\.)\S+")
MARKETING_PHRASES: dict[str, list[str]] = {
    "en": ["discount code", "coupon", "our other products", "leave a review", "newsletter"],
    "de": ["rabattcode", "gutschein", "unsere anderen produkte", "bewertung abgeben"],
    "fr": ["code promo", "bon de reduction", "nos autres produits", "laisser un avis"],
    "es": ["codigo de descuento", "cupon", "nuestros otros productos", "deje una resena"],
    "it": ["codice sconto", "coupon", "i nostri altri prodotti", "lasci una recensione"],
}
NO_LINKS_NO_MARKETING = frozenset({"amazon"})


def marketplace_findings(message: str, language: str, marketplace: str) -> list[Finding]:
    """What the marketplace's rules on message content forbid in `message` (nothing for the
    seller's own channels)."""
    if marketplace not in NO_LINKS_NO_MARKETING:
        return []
    links = [Finding(FindingKind.LINK_NOT_ALLOWED, found) for found in LINK.findall(message)]
    text = normalize(message, language)
    phrases = MARKETING_PHRASES.get(language, [])
    if language != "en":
        phrases = phrases + MARKETING_PHRASES["en"]
    marketing = [
        Finding(FindingKind.MARKETING, phrase)
        for phrase in phrases
        if _phrase_pattern(phrase, language).search(text)
    ]
    return links + marketing
