from services.analytics.domain.reports import (
    Mix,
    as_json,
    by_listing,
    by_market,
    listing_rows,
    units_per,
)
from services.analytics.domain.taxonomy import Labeller, SellerTaxonomy

ROWS = [
    {"sku": "A", "asin": "B0A", "market": "US", "reason": "size_fit", "remedy": "exchange"},
    {"sku": "A", "asin": None, "market": "US", "reason": "size_fit", "remedy": "exchange"},
    {"sku": "A", "market": "DE", "reason": "defective", "remedy": "return_full_refund"},
    {"sku": "B", "market": "DE", "reason": None, "remedy": None},
    {"sku": None, "market": None, "reason": "damaged"},
]


def test_a_mix_ranks_its_keys_largest_first_and_ties_by_name():
    mix = Mix({"b": 1, "a": 1, "c": 2})
    assert mix.total == 4
    assert mix.ranked() == [("c", 2, 0.5), ("a", 1, 0.25), ("b", 1, 0.25)]
    assert Mix().share("x") == 0.0


def test_listings_are_ordered_by_cases_and_count_what_is_unknown():
    reports = by_listing(ROWS)
    assert [(r.sku, r.asin, r.cases) for r in reports] == [
        ("A", "B0A", 3),
        ("B", None, 1),
        ("unknown", None, 1),
    ]
    assert reports[0].reasons.counts == {"size_fit": 2, "defective": 1}
    assert reports[1].reasons.counts == {"unknown": 1}
    assert as_json(reports[0])["markets"] == [
        {"key": "US", "cases": 2, "share": 0.6667},
        {"key": "DE", "cases": 1, "share": 0.3333},
    ]


def test_markets_and_flat_rows():
    markets = {m.market: m for m in by_market(ROWS)}
    assert {name: m.cases for name, m in markets.items()} == {"DE": 2, "US": 2, "unknown": 1}
    phrases = {("A", "size_fit"): [("too small", 2), ("runs short", 1)]}
    rows = listing_rows(by_listing(ROWS, phrases=phrases))
    assert rows[0] == {
        "sku": "A",
        "asin": "B0A",
        "title": "",
        "cases": 3,
        "reason": "size_fit",
        "reason_cases": 2,
        "reason_share": 0.6667,
        "top_phrases": "too small (2); runs short (1)",
    }
    assert rows[1]["top_phrases"] == ""


def test_units_sold_count_per_listing_and_per_market():
    sold = [("A", "US", 30), ("A", "DE", 10), ("B", "", 50), ("B", "US", 20), ("C", "", 7)]
    # B's figure for every market together stands; A has only its markets' figures.
    assert units_per("sku", sold) == {"A": 40, "B": 50, "C": 7}
    assert units_per("market", sold) == {"US": 50, "DE": 10}
    markets = {m.market: m for m in by_market(ROWS, units_sold={"US": 50, "DE": 10})}
    assert (markets["US"].units_sold, markets["US"].return_rate) == (50, 0.04)
    assert (markets["DE"].units_sold, markets["DE"].return_rate) == (10, 0.2)
    assert markets["unknown"].return_rate is None


TAXONOMY = SellerTaxonomy(
    reasons={"size_fit": "Sizing", "size_too_small": "Sizing", "defective": "Faulty"},
    codes={"CR-DAMAGED_BY_CARRIER": "Carrier damage"},
)
LABELLED_ROWS = [
    {"sku": "A", "market": "US", "reason": "size_fit", "reason_code": "SIZE_FIT"},
    {"sku": "A", "market": "US", "reason": "size_too_small", "reason_code": "TOO_SMALL"},
    {"sku": "A", "market": "DE", "reason": "damaged", "reason_code": "CR-DAMAGED_BY_CARRIER"},
    {"sku": "B", "market": "DE", "reason": "defective", "reason_code": "DEFECTIVE"},
]


def test_reports_show_the_reasons_in_the_sellers_own_labels_beside_the_taxonomy():
    labeller = Labeller.of(TAXONOMY)
    listing = {r.sku: r for r in by_listing(LABELLED_ROWS, labeller=labeller)}["A"]
    assert listing.seller_reasons.ranked() == [("Sizing", 2, 2 / 3), ("Carrier damage", 1, 1 / 3)]
    assert listing.reasons.counts == {"size_fit": 1, "size_too_small": 1, "damaged": 1}
    markets = {m.market: m for m in by_market(LABELLED_ROWS, labeller)}
    assert markets["DE"].seller_reasons.counts == {"Carrier damage": 1, "Faulty": 1}
    assert by_listing(LABELLED_ROWS)[0].seller_reasons is None  # no taxonomy, no such mix
