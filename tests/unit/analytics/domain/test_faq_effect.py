"""Before/after reason shares around a publication, on a constructed history: the seed's
fault-code manual that cut a listing's functional-fault returns from 22% to 8%."""

from datetime import UTC, datetime, timedelta

from services.analytics.domain.faq_effect import Return, effect_of_publication, share

PUBLISHED = datetime(2026, 6, 1, tzinfo=UTC)
WINDOW = timedelta(days=28)


def history(reasons_before: dict[str, int], reasons_after: dict[str, int]) -> list[Return]:
    """Returns spread over the days before and after the publication."""
    made = []
    for side, reasons in ((-1, reasons_before), (1, reasons_after)):
        day = 0
        for reason, count in reasons.items():
            for _ in range(count):
                offset = timedelta(days=day % 27, hours=1)
                made.append(Return(PUBLISHED + offset if side > 0 else PUBLISHED - offset, reason))
                day += 1
    return made


def test_the_covered_reason_falls_from_22_to_8_percent_with_its_counts():
    returns = history(
        {"defective": 22, "size_fit": 48, "changed_mind": 30},
        {"defective": 8, "size_fit": 50, "changed_mind": 42},
    )
    effect = effect_of_publication(
        returns, PUBLISHED, ["defective"], WINDOW, PUBLISHED + WINDOW * 2
    )
    assert (effect.before_cases, effect.after_cases) == (100, 100)
    assert (effect.covered_before_share, effect.covered_after_share) == (0.22, 0.08)
    first = effect.reasons[0]
    assert (first.reason, first.covered, first.before_cases, first.after_cases) == (
        "defective",
        True,
        22,
        8,
    )
    assert (first.before_share, first.after_share, first.change) == (0.22, 0.08, -0.14)
    assert [r.reason for r in effect.reasons] == ["defective", "size_fit", "changed_mind"]
    assert effect.after_days_passed == 28


def test_returns_outside_both_windows_do_not_count():
    returns = [
        Return(PUBLISHED - WINDOW - timedelta(seconds=1), "defective"),  # too early
        Return(PUBLISHED - WINDOW, "defective"),  # the window's first moment
        Return(PUBLISHED - timedelta(seconds=1), "size_fit"),
        Return(PUBLISHED, "size_fit"),  # published: after
        Return(PUBLISHED + WINDOW, "defective"),  # the window has ended
    ]
    effect = effect_of_publication(
        returns, PUBLISHED, ["defective"], WINDOW, PUBLISHED + 2 * WINDOW
    )
    shares = {r.reason: (r.before_cases, r.after_cases) for r in effect.reasons}
    assert shares == {"defective": (1, 0), "size_fit": (1, 1)}
    assert (effect.before_cases, effect.after_cases) == (2, 1)


def test_a_running_window_is_cut_at_now_and_says_how_far_it_got():
    now = PUBLISHED + timedelta(days=10)
    returns = [Return(PUBLISHED + timedelta(days=d), "defective") for d in (1, 9, 12)]
    effect = effect_of_publication(returns, PUBLISHED, ["defective"], WINDOW, now)
    assert (effect.after_until, effect.after_days_passed, effect.after_cases) == (now, 10, 2)


def test_no_returns_on_a_side_gives_shares_of_zero_not_a_division_error():
    effect = effect_of_publication([], PUBLISHED, ["size_fit"], WINDOW, PUBLISHED + WINDOW)
    assert (effect.before_cases, effect.after_cases) == (0, 0)
    assert [(r.reason, r.before_share, r.after_share) for r in effect.reasons] == [
        ("size_fit", 0.0, 0.0)
    ]
    assert share(1, 3) == 0.3333
