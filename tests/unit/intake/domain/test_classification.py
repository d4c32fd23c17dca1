import dataclasses
import json
from collections import Counter
from pathlib import Path

import pytest

from services.intake.domain.classification import (
    AGENT_THRESHOLD,
    classify,
    detect_language,
    normalise,
)
from shared.events import Reason, Scenario

LABELLED_CASES = Path(__file__).parents[3] / "data" / "classification" / "labelled_cases.jsonl"


@pytest.mark.parametrize(
    ("reason", "code", "text", "scenario"),
    [
        (
            Reason.SIZE_TOO_SMALL,
            "SIZE_TOO_SMALL",
            "Runs small, a size up please",
            "size_style_mismatch",
        ),
        (
            Reason.NOT_RECEIVED,
            "INR",
            "Parcel never arrived, tracking stuck for weeks",
            "not_received",
        ),
        (Reason.OTHER, "OTHER", "Die Jacke passt nicht, viel zu eng", "size_style_mismatch"),
        (
            Reason.DEFECTIVE,
            "DEFECTIVE_ITEM",
            "Geht nach zwei Tagen nicht mehr an",
            "quality_defect",
        ),
        (Reason.OTHER, "", "Il manque la télécommande dans le colis", "functional_fault"),
        (
            Reason.CHANGED_MIND,
            "UNWANTED",
            "J'ai changé d'avis, je n'en ai plus besoin",
            "changed_mind",
        ),
        (
            Reason.WRONG_ITEM,
            "WRONG_ITEM",
            "Pedí la funda azul y me llegó un cargador",
            "wrong_item",
        ),
        (
            Reason.DAMAGED,
            "ARRIVED_DAMAGED",
            "La caja llegó aplastada pero funciona bien",
            "minor_defect",
        ),
        (Reason.OTHER, "OTHER", "Il pacco non è mai arrivato", "not_received"),
        (
            Reason.QUALITY,
            "CR-QUALITY_UNACCEPTABLE",
            "Si è rotto dopo una settimana",
            "quality_defect",
        ),
    ],
)
def test_each_language_is_classified_by_its_own_words(reason, code, text, scenario):
    assert classify(reason, code, text).scenario == scenario


@pytest.mark.parametrize(
    ("reason", "code", "text", "scenario"),
    [
        (Reason.OTHER, "OTHER", "arrived with a cracked screen corner but works", "minor_defect"),
        (Reason.DEFECTIVE, "DEFECTIVE", "I couldn't figure out how to pair it", "functional_fault"),
        (
            Reason.DEFECTIVE,
            "DEFECTIVE",
            "Nothing wrong with it, I just don't need it",
            "changed_mind",
        ),
        (Reason.SIZE_TOO_SMALL, "SIZE_TOO_SMALL", "I ordered an L, you sent an S", "wrong_item"),
        (
            Reason.CHANGED_MIND,
            "UNWANTED",
            "Honestly it just doesn't work, no sound",
            "quality_defect",
        ),
        (
            Reason.DEFECTIVE,
            "CR-DEFECTIVE",
            "Can't say if it's defective, it never arrived",
            "not_received",
        ),
    ],
)
def test_the_buyers_words_override_a_vague_or_wrong_code(reason, code, text, scenario):
    assert classify(reason, code, text).scenario == scenario


@pytest.mark.parametrize(
    ("text", "scenario"),
    [
        ("Box was damaged but the product is not damaged at all", "minor_defect"),
        ("Karton beschädigt, Ware ist aber nicht kaputt", "minor_defect"),
        ("Il n'est pas cassé, je n'en ai juste plus besoin", "changed_mind"),
        ("Dead on arrival, tried everything, not a setup issue", "quality_defect"),
    ],
)
def test_a_negated_damage_or_setup_phrase_does_not_count(text, scenario):
    assert classify(Reason.OTHER, "OTHER", text).scenario == scenario


def test_signals_say_which_code_and_which_words_decided():
    result = classify(Reason.SIZE_TOO_SMALL, "SIZE_TOO_SMALL", "Passt nicht, zu klein")
    assert "reason code SIZE_TOO_SMALL → size_style_mismatch" in result.signals
    assert "de: 'passt nicht' → size_style_mismatch" in result.signals


def test_an_empty_text_is_decided_by_the_code_in_the_hinted_language():
    result = classify(Reason.NOT_RECEIVED, "ITEM_NOT_RECEIVED", "", language_hint="it")
    assert result.scenario is Scenario.NOT_RECEIVED
    assert result.language == "it"
    assert not result.needs_agent


def test_words_that_say_nothing_are_flagged_for_an_agent_not_guessed():
    result = classify(Reason.OTHER, "OTHER", "Please call me back")
    assert result.needs_agent
    assert result.confidence < AGENT_THRESHOLD
    assert result.scenario is Scenario.QUALITY_DEFECT  # the always-lawful fallback
    assert any("no evidence" in signal for signal in result.signals)


def test_one_phrase_against_a_specific_code_is_too_close_to_call():
    result = classify(Reason.SIZE_TOO_SMALL, "SIZE_TOO_SMALL", "the zipper broke")
    assert result.needs_agent


def test_agreeing_code_and_words_are_confident():
    result = classify(Reason.DEFECTIVE, "DEFECTIVE", "Stopped working after 3 days, won't charge")
    assert result.scenario is Scenario.QUALITY_DEFECT
    assert result.confidence > 0.7
    assert not result.needs_agent


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The kettle stopped working after a week", "en"),
        ("Der Wasserkocher funktioniert nach einer Woche nicht mehr", "de"),
        ("La bouilloire ne fonctionne plus au bout d'une semaine", "fr"),
        ("El hervidor dejó de funcionar después de una semana", "es"),
        ("Il bollitore ha smesso di funzionare dopo una settimana", "it"),
        ("nie angekommen", "de"),
        ("jamais reçu", "fr"),
    ],
)
def test_the_language_is_detected_from_the_text(text, language):
    assert detect_language(text) == language
    assert classify(Reason.OTHER, "OTHER", text, language_hint="en").language == language


@pytest.mark.parametrize("text", ["", "  ", "ok", "?!", "XL"])
def test_too_short_a_text_takes_the_hint_then_english(text):
    assert detect_language(text, "es") == "es"
    assert detect_language(text) == "en"


def test_normalising_drops_case_accents_and_apostrophes():
    assert normalise("Größe PASST nicht! L'écran doesn't work") == (
        "grosse passt nicht , l ecran doesnt work"
    )


def test_a_classification_is_frozen():
    result = classify(Reason.OTHER, "OTHER", "never arrived")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.scenario = Scenario.WRONG_ITEM


def load_labelled_cases() -> list[dict]:
    with LABELLED_CASES.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def test_the_labelled_set_covers_every_language_and_scenario():
    cases = load_labelled_cases()
    languages = Counter(case["language"] for case in cases)
    assert len(cases) >= 300
    assert set(languages) == {"en", "de", "fr", "es", "it"}
    assert min(languages.values()) >= 50
    assert {case["expected"] for case in cases} == {s.value for s in Scenario}
    holdout = sum(case["split"] == "holdout" for case in cases) / len(cases)
    assert 0.25 <= holdout <= 0.4


def test_accuracy_on_the_labelled_set_is_at_least_90_percent():
    cases = load_labelled_cases()
    misses = []
    for case in cases:
        result = classify(Reason(case["reason"]), case["marketplace_reason"], case["text"])
        if result.scenario != case["expected"]:
            misses.append((case["id"], case["expected"], result.scenario.value))
    accuracy = 1 - len(misses) / len(cases)
    assert accuracy >= 0.9, f"accuracy {accuracy:.1%}; misses: {misses}"
