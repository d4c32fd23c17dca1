"""The fresh labelled set is frozen: it was written before any tuning on it, so it stays an
honest score only while nobody edits it (tests/data/classification/README.md)."""

import hashlib
from collections import Counter

from bench.classification import ROOT, load_cases, measure

FRESH_CASES = ROOT / "tests" / "data" / "classification" / "fresh_cases.jsonl"
FROZEN_SHA256 = "083b376815e9eeedde09a5b37161954634578f374e5420d587f571e811ba285b"


def test_the_fresh_set_is_the_one_frozen_before_tuning():
    assert hashlib.sha256(FRESH_CASES.read_bytes()).hexdigest() == FROZEN_SHA256


def test_the_fresh_set_covers_each_language_and_scenario_alike():
    cases = load_cases(FRESH_CASES)
    cells = Counter((case["language"], case["expected"]) for case in cases)
    assert len(cases) == 350 and len({case["id"] for case in cases}) == 350
    assert set(cells.values()) == {10} and len(cells) == 35
    assert all(case["text"].strip() for case in cases)


def test_the_bench_reports_mistakes_not_flagged_apart_from_flagged_ones():
    cases = [
        # right, confident
        {"language": "en", "reason": "other", "marketplace_reason": "OTHER",
         "text": "never arrived", "expected": "not_received"},
        # wrong and confident: the costly mistake
        {"language": "en", "reason": "not_received", "marketplace_reason": "INR",
         "text": "", "expected": "wrong_item"},
        # wrong but flagged for an agent
        {"language": "en", "reason": "other", "marketplace_reason": "OTHER",
         "text": "Please call me back", "expected": "changed_mind"},
    ]  # fmt: skip
    results = measure(cases)
    assert (results["cases"], results["accuracy"]) == (3, 0.3333)
    assert (results["wrong_not_flagged"], results["flagged_for_agent"]) == (0.3333, 0.3333)
    assert results["per_language"]["en"]["wrong_not_flagged"] == 0.3333
    assert results["confusion"]["wrong_item"] == {"not_received": 1}
    assert results["confusion"]["changed_mind"] == {"quality_defect": 1}
    assert "dev_accuracy" not in results  # the fresh set has no splits
