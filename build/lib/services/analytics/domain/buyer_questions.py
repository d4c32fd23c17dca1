"""What buyers of a listing keep asking, in their language, that no pre-sale FAQ entry of
the listing answers: the support gaps of the reason `BUYER_QUESTION`, one per topic asked
about, each with an entry to complete. Plain functions, no I/O.

How the questions are read:

* a buyer's text (the comment opening a case, a reply) is cut into sentences at ". ! ?",
  their full-width forms "。！？" and line breaks (a point between two digits, "1.5 m", does
  not end a sentence); the questions are the sentences ending in "?" or "？", the Spanish
  "¿…?" included;
* the topics are the phrases of `phrases.top_phrases` among the questions of a listing's
  cases in one language, each case counted once however often it asked;
* a topic is answered when an FAQ entry of the listing in that language holds it: as whole
  words, whatever the case, for languages written with spaces; anywhere for Japanese or
  Chinese.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from services.analytics.domain import phrases
from services.analytics.domain.faq_gaps import MIN_CASES, Gap
from services.analytics.domain.faq_suggestions import BUYER_QUESTION, suggest_for_question

MAX_TOPICS = 3  # topics per listing and language: the questions most buyers share

# A sentence and the marks ending it; a point between two digits is part of a number.
_SENTENCE = re.compile(r"(?:[^.!?。！？\n]|(?<=\d)\.(?=\d))+[.!?。！？]*")
_QUESTION_MARKS = ("?", "？")
_CJK_CHARACTER = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")

Listing = tuple[str, str, str]  # seller, sku, language


@dataclass(frozen=True)
class AskedQuestion:
    """What one buyer wrote in a case (the comment opening it or a reply), in their language."""

    seller_account: str
    sku: str
    asin: str | None
    title: str | None
    language: str
    case_id: str
    cost_minor: int  # what the case cost the seller (0 when not known yet)
    currency: str | None
    text: str


@dataclass
class _Case:
    """One case of a listing: what it cost and every question its buyer asked."""

    case_id: str
    cost_minor: int
    currency: str | None
    questions: list[str] = field(default_factory=list)


@dataclass
class _Listing:
    """The cases of one listing in one language, in the order they opened."""

    asin: str | None = None
    title: str | None = None
    cases: dict[str, _Case] = field(default_factory=dict)


def questions_in(text: str) -> list[str]:
    """The questions of a buyer's text, as written, in their order: "Does it fit a king size
    bed?" from "Hello. Does it fit a king size bed? Thanks!"."""
    found = (match.group().strip() for match in _SENTENCE.finditer(text))
    return [sentence for sentence in found if _is_question(sentence)]


def question_gaps(
    asked: Iterable[AskedQuestion], faq_texts: Mapping[Listing, Iterable[str]]
) -> list[Gap]:
    """The topics at least MIN_CASES cases of a listing asked about in one language that no
    FAQ text of the listing in that language answers, keyed in `faq_texts` by (seller, sku,
    language code such as "de"). Costliest first, then the most cases asking."""
    found = []
    for key, listing in _listings(asked).items():
        answers = list(faq_texts.get(key, ()))
        found += [gap for gap in _gaps(key, listing) if not answered(gap.topic, answers)]
    return sorted(found, key=lambda gap: (-gap.cost_minor, -gap.cases, gap.key))


def _listings(asked: Iterable[AskedQuestion]) -> dict[Listing, _Listing]:
    """The texts by listing and language ("de-AT" is "de"), each case once, in input order."""
    listings: dict[Listing, _Listing] = {}
    for item in asked:
        key = (item.seller_account, item.sku, phrases.base_language(item.language))
        listing = listings.setdefault(key, _Listing())
        listing.asin = listing.asin or item.asin
        listing.title = listing.title or item.title
        case = listing.cases.setdefault(
            item.case_id, _Case(item.case_id, item.cost_minor, item.currency)
        )
        case.cost_minor = case.cost_minor or item.cost_minor
        case.currency = case.currency or item.currency
        case.questions += questions_in(item.text)
    return listings


def _gaps(key: Listing, listing: _Listing) -> list[Gap]:
    """A gap for each topic enough of the listing's cases asked about, answered or not."""
    asking = [case for case in listing.cases.values() if case.questions]
    if len(asking) < MIN_CASES:
        return []
    texts = ["\n".join(case.questions) for case in asking]
    language = key[2]
    held = [phrases.phrases_of(text, language) for text in texts]
    gaps = []
    for topic, count in phrases.top_phrases(texts, language, limit=MAX_TOPICS):
        if count < MIN_CASES:
            continue
        cases = [case for case, its in zip(asking, held, strict=True) if topic in its]
        gaps.append(_gap(key, listing, topic, cases))
    return gaps


def _gap(key: Listing, listing: _Listing, topic: str, cases: list[_Case]) -> Gap:
    seller_account, sku, language = key
    return Gap(
        seller_account,
        sku,
        listing.asin,
        language,
        BUYER_QUESTION,
        cases=len(cases),
        cost_minor=sum(case.cost_minor or 0 for case in cases),
        currency=next((case.currency for case in cases if case.currency), None),
        latest_case_id=cases[-1].case_id,
        suggestion=suggest_for_question(topic, language, listing.title),
        topic=topic,
    )


def answered(topic: str, faq_texts: Iterable[str]) -> bool:
    """Whether an FAQ text holds the topic: whole words whatever the case, or anywhere in
    a text for a topic written without spaces (Japanese, Chinese)."""
    wanted = _folded(topic)
    if _CJK_CHARACTER.search(wanted):
        return any(wanted in _folded(text) for text in faq_texts)
    words = r"\s+".join(map(re.escape, wanted.split()))
    pattern = re.compile(rf"(?<![^\W_]){words}(?![^\W_])")
    return any(pattern.search(_folded(text)) for text in faq_texts)


def _folded(text: str) -> str:
    """A text as phrases read it, case folded: "Größe" and "GRÖSSE" alike."""
    return unicodedata.normalize("NFKC", text).casefold().replace("’", "'")


def _is_question(sentence: str) -> bool:
    return sentence.endswith(_QUESTION_MARKS) and any(char.isalnum() for char in sentence)
