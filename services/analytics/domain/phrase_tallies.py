"""What the phrase tallies change by when buyers' texts or their cases' facts do: each text
counts its phrases (`phrases.phrases_in`) under its case's seller, listing, market, reason
and the UTC day the case opened. Plain functions, no I/O.

A text's part of the tallies is a function of the text, its language and its case's facts
at the time. When any of them changes (a reason arriving after the text, a listing
corrected, a buyer's erasure emptying the text), what the text counted before is taken out
and what it counts now put in: the tallies stay exactly the fold of today's texts, and a
text is split again only when its part changed.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from services.analytics.domain.phrases import Phrase, phrases_in
from shared.events import BuyerErased, BuyerReplied, CaseOpened, EventPayload

# Whose case (seller), which listing (SKU), market and reason, the UTC day it opened;
# None for a fact not known yet.
TallyKey = tuple[str | None, str, str | None, str | None, date | None]
ONE_DAY = timedelta(days=1)
# The case row's facts a text is counted under (the language: of a text that names none).
TALLY_FACTS = ("seller_account", "sku", "market", "reason", "opened_at", "language")
# The events that bring a buyer's text or take it away.
WITH_TEXTS = (CaseOpened, BuyerReplied, BuyerErased)


@dataclass(frozen=True)
class Written:
    """One non-blank text a buyer wrote, in its language, under its case's facts."""

    key: TallyKey
    language: str
    text: str


@dataclass
class TallyChanges:
    """By how much each phrase's count of texts changes, and each key's count of texts."""

    phrases: Counter[tuple[TallyKey, Phrase]]
    texts: Counter[TallyKey]

    def add(self, written: Written, sign: int) -> None:
        phrases = phrases_in(written.text, written.language)
        if phrases is None:
            return
        self.texts[written.key] += sign
        for phrase in phrases:
            self.phrases[(written.key, phrase)] += sign

    def nonzero(self) -> "TallyChanges":
        return TallyChanges(
            Counter({k: n for k, n in self.phrases.items() if n}),
            Counter({k: n for k, n in self.texts.items() if n}),
        )


def cases_to_tally(
    events: Iterable[tuple[str, EventPayload]], rows: Iterable[dict[str, Any]]
) -> list[str]:
    """The cases whose counted texts a batch may change: those it brings or erases texts
    of, and those whose rows (`case_facts.case_rows`) it sets a fact of the tallies in. A
    batch of other events (a decision, a shipment) leaves the tallies alone."""
    cases = {case_id for case_id, payload in events if isinstance(payload, WITH_TEXTS)}
    cases |= {row["case_id"] for row in rows if any(row.get(f) is not None for f in TALLY_FACTS)}
    return sorted(cases)


def tally_changes(before: Mapping[int, Written], after: Mapping[int, Written]) -> TallyChanges:
    """What changes between the texts as they were counted (by event) and as they are now:
    a text whose facts, language or words changed leaves its old part and counts anew."""
    changes = TallyChanges(Counter(), Counter())
    for event in before.keys() | after.keys():
        was, now = before.get(event), after.get(event)
        if was == now:
            continue
        if was is not None:
            changes.add(was, -1)
        if now is not None:
            changes.add(now, +1)
    return changes.nonzero()


def tallied(texts: Iterable[Written]) -> TallyChanges:
    """The tallies of texts counted from nothing."""
    changes = TallyChanges(Counter(), Counter())
    for written in texts:
        changes.add(written, +1)
    return changes.nonzero()
