"""Cases tallied (`domain/tallies.py`): a tally folds as its cases would one by one, the
first replies' median and 90th percentile exactly so, and a period splits at UTC midnights
into whole days and the partial days at its edges."""

import random
from datetime import UTC, date, datetime, timedelta, timezone
from statistics import median, quantiles

from services.analytics.domain.outcomes import first_reply, outcomes
from services.analytics.domain.tallies import days_of, replies_of, tallied

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_first_replies_tallied_give_the_exact_median_and_90th_percentile():
    draw = random.Random(19)
    for size in (1, 2, 3, 10, 11, 97):
        rows = [
            {
                "opened_at": T0,
                "first_offer_at": T0
                + timedelta(
                    microseconds=draw.choice((7, 61, 3600)) * 10**6 + draw.randrange(10**6)
                ),
            }
            for _ in range(size)
        ]
        rows += rows[: size // 3]  # the same durations more than once
        minutes = sorted((r["first_offer_at"] - r["opened_at"]).total_seconds() / 60 for r in rows)
        p90 = quantiles(minutes, n=10, method="inclusive")[-1] if len(minutes) > 1 else minutes[0]
        answer = first_reply(replies_of(rows))
        assert answer["cases"] == len(rows)
        assert answer["median_minutes"] == round(median(minutes), 2)
        assert answer["p90_minutes"] == round(p90, 2)
        assert sum(answer["buckets"].values()) == len(rows)


def test_a_tally_row_folds_as_its_cases_one_by_one():
    cases = [
        {
            "sku": "A",
            "market": "US",
            "remedy": "partial_refund",
            "scenario": "minor_defect",
            "currency": "USD",
            "cost_minor": 500,
            "baseline_minor": 2000,
            "rating": 5,
            "recovery_minor": None,
            "opened_at": T0,
        },
        {
            "sku": "A",
            "market": "US",
            "remedy": "partial_refund",
            "scenario": "minor_defect",
            "currency": "USD",
            "cost_minor": 700,
            "baseline_minor": 2500,
            "rating": 2,
            "recovery_minor": 300,
            "grade": "B",
            "opened_at": T0 + timedelta(hours=1),
        },
    ]
    one, two = (tallied(case) for case in cases)
    row = {
        **one,
        **{
            k: one[k] + two[k]
            for k in one
            if k.startswith(("rated", "cost", "base", "recover", "cases"))
        },
    }
    row["grade"] = None
    assert row["cases"] == 2 and row["costed"] == 2 and row["rated_5"] == 1
    by_case = outcomes(cases, {})
    by_tally = outcomes([row], {}, replies_of(cases))
    assert by_tally["savings"] == by_case["savings"]
    assert by_tally["satisfaction"] == by_case["satisfaction"]
    assert by_tally["minor_defects"] == by_case["minor_defects"]
    assert by_tally["cases"] == 2


def test_a_period_splits_into_whole_days_and_its_partial_edges():
    days = days_of(T0, T0 + timedelta(days=3))
    assert (days.first, days.end, days.whole) == (date(2026, 11, 3), date(2026, 11, 5), True)
    assert days.before == (T0, datetime(2026, 11, 3, tzinfo=UTC))
    assert days.after == (datetime(2026, 11, 5, tzinfo=UTC), T0 + timedelta(days=3))
    midnight = datetime(2026, 11, 2, tzinfo=UTC)
    exact = days_of(midnight, midnight + timedelta(days=2))
    assert (exact.first, exact.end, exact.before, exact.after) == (
        date(2026, 11, 2),
        date(2026, 11, 4),
        None,
        None,
    )
    same_day = days_of(T0, T0 + timedelta(hours=2))
    assert (same_day.whole, same_day.before) == (False, (T0, T0 + timedelta(hours=2)))
    unbounded = days_of(None, None)
    assert (unbounded.first, unbounded.end, unbounded.whole) == (None, None, True)
    # An instant with an offset is read in UTC: 01:00 at +02:00 is 23:00 the day before.
    east = datetime(2026, 11, 3, 1, tzinfo=timezone(timedelta(hours=2)))
    assert days_of(east, None).first == date(2026, 11, 3)
