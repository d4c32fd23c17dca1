"""A suggested pre-sale FAQ entry for a return reason, in the buyer's language: the
question as a product page would ask it and an outline of the answer, with brackets for
what the seller fills in.

Each template places ``{title}`` where any product title (or the neutral word, "dieses
Produkt", "ce produit"…) reads correctly whatever its gender or case, and never at the start
of a sentence, so the neutral word needs no capital."""

import json
from dataclasses import dataclass
from pathlib import Path

TEMPLATES = json.loads((Path(__file__).parent / "faq_suggestions.json").read_text("utf-8"))
PREVENTABLE: frozenset[str] = frozenset(TEMPLATES["reasons"])
FALLBACK_LANGUAGE = "en"
BUYER_QUESTION = "buyer_question"  # the reason of an entry answering what buyers ask
MAX_TITLE = 80  # characters of the title in the question, "…" included


@dataclass(frozen=True)
class FaqSuggestion:
    reason: str
    language: str
    question: str
    answer_outline: str


def suggest(reason: str, language: str, title: str | None) -> FaqSuggestion | None:
    """None for a reason no FAQ entry prevents (a wrong item, a changed mind, damage in
    transit). A language without templates gets English; no title, the neutral word."""
    by_language = TEMPLATES["reasons"].get(reason)
    if by_language is None:
        return None
    language = _language(language, by_language)
    template = by_language[language]
    name = short(title or "") or TEMPLATES["neutral_title"][language]
    return FaqSuggestion(
        reason, language, template["question"].format(title=name), template["answer"]
    )


def suggest_for_question(topic: str, language: str, title: str | None) -> FaqSuggestion:
    """An entry answering what buyers keep asking about (the topic, in their words and
    language), under the reason BUYER_QUESTION. A language without templates gets English;
    no title, the neutral word."""
    by_language = TEMPLATES["questions"]
    language = _language(language, by_language)
    template = by_language[language]
    name = short(title or "") or TEMPLATES["neutral_title"][language]
    return FaqSuggestion(
        BUYER_QUESTION,
        language,
        template["question"].format(topic=topic, title=name),
        template["answer"].format(topic=topic, title=name),
    )


def short(title: str) -> str:
    """The title on one line, at most MAX_TITLE characters: cut after a whole word, "…"."""
    title = " ".join(title.split())
    if len(title) <= MAX_TITLE:
        return title
    head = title[: MAX_TITLE - 1]
    if title[MAX_TITLE - 1] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:-–/") + "…"


def _language(language: str, by_language: dict) -> str:
    """ "de", "DE" and "de-DE" alike; anything without templates falls back to English."""
    base = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in by_language else FALLBACK_LANGUAGE
