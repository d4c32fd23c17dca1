"""Did a published FAQ entry work? A listing's return reasons in a window before the entry
was published and in as long a window after it, each reason's share of the returns with
its counts, so a seller sees the change and how many cases it rests on (a share of 3 cases
is noise; of 300, hardly). Pure.

Only returns whose buyers read the entry's language count: a German answer does not
prevent an English buyer's return. The after-window is cut at `now` while it runs, and says
how many of its days have passed."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Return:
    opened_at: datetime
    reason: str


@dataclass(frozen=True)
class ReasonShares:
    reason: str
    covered: bool  # one the entry answers
    before_cases: int
    before_share: float
    after_cases: int
    after_share: float
    change: float  # after_share - before_share; negative: fewer of them


@dataclass(frozen=True)
class PublicationEffect:
    published_at: datetime
    window_days: int
    before_from: datetime
    after_until: datetime
    after_days_passed: int
    before_cases: int
    after_cases: int
    covered_before_share: float  # all the reasons the entry answers, together
    covered_after_share: float
    reasons: list[ReasonShares]


def share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def window_around(
    published_at: datetime, window: timedelta, now: datetime
) -> tuple[datetime, datetime]:
    """[published - window, published + window), the after-window cut at `now`."""
    return published_at - window, min(published_at + window, now)


def effect_of_publication(
    returns: Iterable[Return],
    published_at: datetime,
    covers: Iterable[str],
    window: timedelta,
    now: datetime,
) -> PublicationEffect:
    """Each reason's share of the returns in [published - window, published) and in
    [published, published + window), cut at `now`; the reasons ordered by their share
    before, the covered ones first."""
    before_from, after_until = window_around(published_at, window, now)
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    for item in returns:
        if before_from <= item.opened_at < published_at:
            before[item.reason] += 1
        elif published_at <= item.opened_at < after_until:
            after[item.reason] += 1
    return effect_of_counts(before, after, published_at, covers, window, now)


def effect_of_counts(
    before: Counter[str],
    after: Counter[str],
    published_at: datetime,
    covers: Iterable[str],
    window: timedelta,
    now: datetime,
) -> PublicationEffect:
    """`effect_of_publication` from the returns already counted per reason, in the window
    before the publication and in the one after it (`window_around`)."""
    covered = frozenset(covers)
    before_from, after_until = window_around(published_at, window, now)
    total_before, total_after = sum(before.values()), sum(after.values())
    reasons = [
        ReasonShares(
            reason,
            reason in covered,
            before[reason],
            share(before[reason], total_before),
            after[reason],
            share(after[reason], total_after),
            round(share(after[reason], total_after) - share(before[reason], total_before), 4),
        )
        for reason in sorted(
            set(before) | set(after) | covered,
            key=lambda r: (r not in covered, -before[r], -after[r], r),
        )
    ]
    covered_before = sum(before[r] for r in covered)
    covered_after = sum(after[r] for r in covered)
    passed = max(0, min(window.days, (after_until - published_at).days))
    return PublicationEffect(
        published_at,
        window.days,
        before_from,
        after_until,
        passed,
        total_before,
        total_after,
        share(covered_before, total_before),
        share(covered_after, total_after),
        reasons,
    )
