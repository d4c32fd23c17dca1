"""A suggested pre-sale FAQ entry for a return reason, in the buyer's language: the
question as a product page would ask it and an outline of the answer, with brackets for
what the seller fills in."""

import json
from dataclasses import dataclass
from pathlib import Path

TEMPLATES = json.loads((Path(__file__).parent / "faq_suggestions.json").read_text("utf-8"))
PREVENTABLE = frozenset(TEMPLATES["reasons"])
FALLBACK_LANGUAGE = "en"
MAX_TITLE = 80


@dataclass(frozen=True)
class FaqSuggestion:
    reason: str
    language: str
    question: str
    answer_outline: str


def suggest(reason: str, language: str, title: str | None) -> FaqSuggestion | None:
    """None for a reason no FAQ entry prevents (a wrong item, a changed mind)."""
    by_language = TEMPLATES["reasons"].get(reason)
    if by_language is None:
        return None
    language = language if language in by_language else FALLBACK_LANGUAGE
    question, answer = by_language[language]
    name = short(title) if title else TEMPLATES["neutral_title"][language]
    return FaqSuggestion(reason, language, question.format(title=name), answer)


def short(title: str) -> str:
    title = title.strip()
    if len(title) <= MAX_TITLE:
        return title
    return title[:MAX_TITLE].rsplit(" ", 1)[0] + "…"
