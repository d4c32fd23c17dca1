"""Support gaps: what buyers of a listing keep returning it for, in their language, that
no pre-sale FAQ entry answers; the costliest first, each with an entry to complete.
(What they keep asking is found in `buyer_questions`, as gaps of the reason
`faq_suggestions.BUYER_QUESTION` with the topic asked about.)

A gap's lifecycle: found (open, published once), then covered when an entry in its
language comes to answer its reason or mention its topic.

    open ──cover──▶ covered
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from services.analytics.domain.faq_suggestions import FaqSuggestion, suggest
from shared.events import FaqGapFound
from shared.lifecycle import Lifecycle, Transition

MIN_CASES = 2  # one return is an accident; two are a question the page does not answer

Key = tuple[str, str, str, str, str]  # seller, sku, language, reason, topic


@dataclass(frozen=True)
class Gap:
    seller_account: str
    sku: str
    asin: str | None
    language: str
    reason: str
    cases: int
    cost_minor: int
    currency: str | None
    latest_case_id: str
    suggestion: FaqSuggestion
    topic: str = ""  # what buyers ask about, for a BUYER_QUESTION gap

    @property
    def key(self) -> Key:
        return (self.seller_account, self.sku, self.language, self.reason, self.topic)


class GapState(StrEnum):
    OPEN = "open"
    COVERED = "covered"


FAQ_GAP = Lifecycle(
    "FAQ gap",
    {"cover": {GapState.OPEN: GapState.COVERED}},
    done={"cover": {GapState.COVERED}},
)


def found(gap: Gap) -> Transition:
    """A gap found new: open, and published with its suggested entry."""
    suggestion = gap.suggestion
    event = FaqGapFound(
        case_id=gap.latest_case_id,
        seller_account=gap.seller_account,
        sku=gap.sku,
        asin=gap.asin,
        language=gap.language,
        reason=gap.reason,
        topic=gap.topic,
        cases=gap.cases,
        cost_minor=gap.cost_minor,
        currency=gap.currency,
        question=suggestion.question,
        answer_outline=suggestion.answer_outline,
    )
    return Transition(GapState.OPEN, (event,))


def cover(state: GapState) -> Transition:
    """An entry now answers the gap; covered already, nothing changes."""
    return Transition(FAQ_GAP.next(state, "cover") or state)


def gaps(groups: Iterable[Mapping[str, Any]], covered: set[Key]) -> list[Gap]:
    """Gaps among cases grouped by seller, listing, language and reason: enough cases,
    a reason a FAQ entry can prevent, no entry answering it. Costliest first."""
    found = []
    for group in groups:
        key = (group["seller_account"], group["sku"], group["language"], group["reason"], "")
        if group["cases"] < MIN_CASES or key in covered:
            continue
        suggestion = suggest(group["reason"], group["language"], group.get("title"))
        if suggestion is None:
            continue
        found.append(
            Gap(
                *key[:2],
                group.get("asin"),
                *key[2:4],
                cases=group["cases"],
                cost_minor=group.get("cost_minor") or 0,
                currency=group.get("currency"),
                latest_case_id=group["latest_case_id"],
                suggestion=suggestion,
            )
        )
    return sorted(found, key=lambda gap: (-gap.cost_minor, -gap.cases, gap.key))
