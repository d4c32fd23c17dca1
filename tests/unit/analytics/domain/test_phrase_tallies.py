import random
from datetime import UTC, date, datetime, timedelta

from services.analytics.domain.phrase_tallies import (
    Written,
    cases_to_tally,
    tallied,
    tally_changes,
)
from services.analytics.domain.phrases import BuyerComment, Counted, phrases_by_reason
from services.analytics.domain.tallies import days_of
from shared.events import BuyerAnswer, BuyerReplied

LAMP = ("acme", "LAMP-1", "US", "defective", date(2026, 9, 7))
SAID = [
    ("en", "Battery dies after two days"),
    ("en", "battery dies fast, stopped charging"),
    ("en", "The strap broke. Battery dies"),
    ("de", "Akku defekt, USB-C Buchse kaputt"),
    ("de-AT", "USB-C Buchse kaputt"),
    ("fr", "L'écran fissuré à l'arrivée"),
    ("fr", "écran fissuré"),
    ("ja", "バッテリーがすぐ切れる"),
    ("ja", "バッテリーがすぐ切れるので困る"),
    ("zh", "这个耳机支持iPhone吗？"),
    ("en", "   "),
    ("xx", "usb-c port broken"),
]


def test_phrases_counted_apart_and_summed_rank_as_the_comments_do():
    shuffle = random.Random(7)
    comments = [
        BuyerComment(shuffle.choice(["LAMP-1", "SPK-2"]), shuffle.choice(["a", "b"]), lang, text)
        for _ in range(6)
        for lang, text in SAID
    ]
    # Tallied per day (each comment under one of three days), then summed over the days.
    days = [
        tallied([Written((c.subject, c.reason, n % 3), c.language, c.text)])
        for n, c in enumerate(comments)
    ]
    counted = Counted()
    for changes in days:
        for ((subject, reason, _), phrase), count in changes.phrases.items():
            counted.add_counts((subject, reason), phrase, count)
        for (subject, reason, _), count in changes.texts.items():
            counted.add_comments((subject, reason), count)
    expected = phrases_by_reason(comments)
    assert counted.ranked() == expected
    assert expected[("LAMP-1", "a")] or expected[("LAMP-1", "b")]
    assert counted.ranked(limit=2) == phrases_by_reason(comments, limit=2)


def test_a_text_whose_reason_changed_moves_and_an_erased_one_leaves():
    battery = Written(LAMP, "en", "Battery dies")
    moved = Written(LAMP[:3] + ("damaged", LAMP[4]), "en", "Battery dies")
    changes = tally_changes({1: battery, 2: battery}, {1: moved, 3: battery})
    assert changes.texts == {LAMP: -1, moved.key: 1}
    assert changes.phrases[(LAMP, ("battery", "dies"))] == -1
    assert changes.phrases[(moved.key, ("battery", "dies"))] == 1
    assert changes.phrases[(LAMP, ("battery",))] == -1  # 1 moved; 2 gone but 3 come


def test_a_text_unchanged_changes_nothing_and_a_blank_one_counts_nothing():
    battery = Written(LAMP, "en", "Battery dies")
    assert not tally_changes({1: battery}, {1: battery}).texts
    blank = tally_changes({}, {2: Written(LAMP, "en", " \n")})
    assert not blank.texts and not blank.phrases


def test_a_period_is_its_whole_utc_days_and_the_parts_of_its_edge_days():
    at = datetime(2026, 9, 7, 10, tzinfo=UTC)
    midnight = datetime(2026, 9, 8, tzinfo=UTC)
    assert days_of(None, None).partial == []
    assert days_of(at, None).partial == [(at, midnight)]
    assert (days_of(at, None).first, days_of(midnight, None).partial) == (midnight.date(), [])
    later = midnight + timedelta(days=2, hours=5)
    both = days_of(at, later)
    assert (both.first, both.end) == (date(2026, 9, 8), date(2026, 9, 10))
    assert both.partial == [(at, midnight), (later - timedelta(hours=5), later)]
    within = days_of(at, midnight + timedelta(hours=3))
    assert not within.whole and within.partial == [(at, midnight + timedelta(hours=3))]
    assert days_of(at, midnight).partial == [(at, midnight)]


def test_a_period_given_in_another_zone_is_read_in_utc():
    paris = datetime.fromisoformat("2026-09-08T01:00:00+02:00")  # 23:00 UTC the day before
    days = days_of(paris, None)
    assert days.first == date(2026, 9, 8)
    assert days.partial == [
        (datetime(2026, 9, 7, 23, tzinfo=UTC), datetime(2026, 9, 8, tzinfo=UTC))
    ]


def test_only_batches_bringing_texts_or_the_facts_they_count_under_touch_the_tallies():
    opened = {"case_id": "c-1", "sku": "LAMP-1", "reason": "defective", "remedy": None}
    decided = {"case_id": "c-2", "sku": None, "reason": None, "remedy": "exchange"}
    replied = BuyerReplied(
        case_id="c-3", answer=BuyerAnswer.MESSAGE, text="hi", language="en", at=datetime.now(UTC)
    )
    assert cases_to_tally([("c-3", replied)], [opened, decided]) == ["c-1", "c-3"]
    assert cases_to_tally([], [decided]) == []
