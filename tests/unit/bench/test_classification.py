"""The fresh and the tuning sets are frozen: each was written independently of the lexicons,
so its figures stay comparable only while nobody edits it (tests/data/classification/README.md)."""

import hashlib
from collections import Counter

import pytest

from bench.classification import ROOT, load_cases, measure

DATA = ROOT / "tests" / "data" / "classification"
FRESH_CASES = DATA / "fresh_cases.jsonl"
TUNING_CASES = DATA / "tuning_cases.jsonl"
FROZEN_SHA256 = "083b376815e9eeedde09a5b37161954634578f374e5420d587f571e811ba285b"
TUNING_FROZEN_SHA256 = "d8a4b231b0bf52fc9e9ecf134973b94b850bca042c5050b35ff9aa4582f68198"


def test_the_fresh_set_is_the_one_frozen_before_tuning():
    assert hashlib.sha256(FRESH_CASES.read_bytes()).hexdigest() == FROZEN_SHA256


def test_the_tuning_set_is_the_one_frozen_before_tuning_on_it():
    assert hashlib.sha256(TUNING_CASES.read_bytes()).hexdigest() == TUNING_FROZEN_SHA256


@pytest.mark.parametrize("path", [FRESH_CASES, TUNING_CASES], ids=["fresh", "tuning"])
def test_an_independent_set_covers_each_language_and_scenario_alike(path):
    cases = load_cases(path)
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
