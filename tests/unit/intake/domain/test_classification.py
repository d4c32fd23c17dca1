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

DATA = Path(__file__).parents[3] / "data" / "classification"
LABELLED_CASES = DATA / "labelled_cases.jsonl"
# Written independently of the lexicons and never tuned on (tests/data/classification/README.md).
FRESH_CASES = DATA / "fresh_cases.jsonl"
# The fresh set's score when the lexicons were last changed, less a small margin: a change
# that loses more than a case or two there fails here.
FRESH_ACCURACY_FLOOR = 0.83  # measured 85.1%
FRESH_WRONG_NOT_FLAGGED_CEILING = 0.04  # measured 2.3%
# Written independently of the lexicons, then tuned on (its failures read): a regression on
# it fails here. Measured 76.0% / 4.6% before tuning.
TUNING_CASES = DATA / "tuning_cases.jsonl"
TUNING_ACCURACY_FLOOR = 0.90  # measured 91.7%
TUNING_WRONG_NOT_FLAGGED_CEILING = 0.025  # measured 1.7%


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
            "Nach zwei Tagen kaputt gegangen",
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


@pytest.mark.parametrize(
    ("text", "scenario"),
    [
        ("It doesn't turn on, the light stays off", "functional_fault"),
        ("Der Toaster geht nicht an", "functional_fault"),
        ("La bouilloire ne s'allume pas", "functional_fault"),
        ("La tostadora no se enciende", "functional_fault"),
        ("Il bollitore non si accende", "functional_fault"),
        ("The app won't pair with my phone", "functional_fault"),
        ("Die Uhr lässt sich nicht mit dem Handy koppeln", "functional_fault"),
        ("Le casque ne se connecte pas au téléphone", "functional_fault"),
        ("Los auriculares no se conectan al móvil", "functional_fault"),
        ("Le cuffie non si collegano al telefono", "functional_fault"),
        ("Honestly it just doesn't work at all", "quality_defect"),
        ("Funktioniert überhaupt nicht", "quality_defect"),
        ("Ça ne marche pas du tout", "quality_defect"),
        ("No funciona para nada", "quality_defect"),
        ("Non funziona per niente", "quality_defect"),
    ],
)
def test_a_negation_before_a_functioning_verb_is_the_fault(text, scenario):
    assert classify(Reason.OTHER, "OTHER", text).scenario == scenario


@pytest.mark.parametrize(
    "text",
    [
        "The blender is not damaged or scratched, I just don't need it anymore",
        "Der Artikel ist nicht beschädigt, ich brauche ihn einfach nicht mehr",
        "Le produit n'est pas abîmé, je n'en ai simplement plus besoin",
        "No está dañado, simplemente ya no lo necesito",
        "Non è danneggiato, semplicemente non mi serve più",
    ],
)
def test_a_negation_before_a_damage_word_cancels_the_damage(text):
    result = classify(Reason.CHANGED_MIND, "UNWANTED", text)
    assert result.scenario is Scenario.CHANGED_MIND
    assert not any("→ minor_defect" in s or "→ quality_defect" in s for s in result.signals[:-1])


@pytest.mark.parametrize(
    ("text", "scenario"),
    [
        ("The kettle won't switch on", "functional_fault"),
        ("The kettle doesn't switch on anymore", "functional_fault"),
        ("Robot vacuum keeps getting stuck and restarts by itself", "functional_fault"),
        ("Every time I plug it in it trips the fuse", "quality_defect"),
        ("Die Kamera lädt nicht", "functional_fault"),
        ("Die Kamera lädt nicht mehr", "functional_fault"),
        ("Das Tablet hängt sich auf und startet neu", "functional_fault"),
        ("Sobald ich ihn einschalte, löst die Sicherung aus", "quality_defect"),
        ("La batterie ne charge pas", "functional_fault"),
        ("La batterie ne charge plus", "functional_fault"),
        ("La tablette redémarre tout seul et se bloque", "functional_fault"),
        ("El móvil no enciende", "functional_fault"),
        ("El móvil ya no enciende", "functional_fault"),
        ("La tablet se reinicia y se bloquea", "functional_fault"),
        ("Cada vez que lo enchufo salta el diferencial", "quality_defect"),
        ("La batteria non carica", "functional_fault"),
        ("La batteria non carica più", "functional_fault"),
        ("Il tablet si riavvia e si blocca", "functional_fault"),
        ("Appena lo collego salta il salvavita", "quality_defect"),
    ],
)
def test_common_fault_phrasings_are_read_in_every_language(text, scenario):
    """Not (or no longer) switching on or charging: set-up first."""
    result = classify(Reason.OTHER, "OTHER", text)
    assert result.scenario == scenario
    assert not result.needs_agent


@pytest.mark.parametrize(
    "text",
    [
        "The hair dryer shuts off after a minute",
        "Der Föhn schaltet sich nach einer Minute ab",
        "L'aspirateur s'éteint tout seul",
        "La aspiradora se apaga sola a los dos minutos",
        "L'aspirapolvere si spegne da solo dopo due minuti",
    ],
)
def test_switching_itself_off_is_left_to_an_agent(text):
    """A setting or a charge, or a defect: buyers and labellers read it both ways."""
    assert classify(Reason.OTHER, "OTHER", text).needs_agent


@pytest.mark.parametrize(
    "text",
    [
        "The hair dryer shuts off after a minute and the cord is melted",
        "L'aspirapolvere si spegne da solo e puzza di bruciato",
    ],
)
def test_switching_itself_off_beside_a_breakage_is_that_defect(text):
    result = classify(Reason.OTHER, "OTHER", text)
    assert (result.scenario, result.needs_agent) == ("quality_defect", False)


@pytest.mark.parametrize(
    "text",
    [
        "One of the screws is missing but everything else is fine",
        "A la muñeca le falta un zapatito. Todo lo demás perfecto",
    ],
)
def test_a_missing_part_beside_otherwise_fine_is_left_to_an_agent(text):
    """A part shipped, or a partial refund: either can be right."""
    assert classify(Reason.OTHER, "OTHER", text).needs_agent


@pytest.mark.parametrize(
    "text",
    [
        "I'd like a refund instead of a replacement, the motor stopped working",
        "Je préfère un remboursement au lieu d'un échange, le moteur est en panne",
        "Prefiero el reembolso en vez de un cambio, el motor dejó de funcionar",
        "Preferisco il rimborso al posto di un cambio, il motore si è rotto",
    ],
)
def test_instead_of_alone_does_not_make_a_wrong_item(text):
    assert classify(Reason.OTHER, "OTHER", text).scenario is Scenario.QUALITY_DEFECT


def test_instead_of_with_what_was_delivered_is_a_wrong_item():
    text = "They sent the 32GB model instead of the 64GB one"
    assert classify(Reason.OTHER, "OTHER", text).scenario is Scenario.WRONG_ITEM


def test_shade_is_a_colour_only_in_a_colour_context():
    lamp = classify(Reason.DAMAGED, "ARRIVED_DAMAGED", "The lamp shade has a small dent")
    assert lamp.scenario is Scenario.MINOR_DEFECT
    assert not any("size_style_mismatch" in signal for signal in lamp.signals)
    colour = classify(Reason.OTHER, "OTHER", "The shade of green is much darker")
    assert colour.scenario is Scenario.SIZE_STYLE_MISMATCH


def test_it_works_alone_is_no_minor_defect():
    text = "Works perfectly, nothing wrong with it, my partner bought the same one"
    assert classify(Reason.CHANGED_MIND, "UNWANTED", text).scenario is Scenario.CHANGED_MIND


def test_words_that_contradict_each_other_are_flagged():
    result = classify(Reason.OTHER, "OTHER", "The jacket is too small and the zipper broke")
    assert result.needs_agent


def test_a_power_fault_beside_a_defect_is_its_symptom():
    result = classify(Reason.OTHER, "OTHER", "Stopped working after two days, it won't turn on")
    assert result.scenario is Scenario.QUALITY_DEFECT
    assert not result.needs_agent


def test_a_power_fault_the_buyer_already_troubleshot_is_a_defect():
    text = "It does not turn on at all, even after charging it overnight."
    result = classify(Reason.DEFECTIVE, "defective", text)
    assert result.scenario is Scenario.QUALITY_DEFECT
    assert not result.needs_agent


def test_a_vague_code_with_words_none_of_which_count_is_flagged():
    result = classify(Reason.DEFECTIVE, "DEFECTIVE", "Please have a look at this, thank you")
    assert result.scenario is Scenario.QUALITY_DEFECT
    assert result.needs_agent
    assert any("none of the buyer's words known" in signal for signal in result.signals)


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
    result = classify(Reason.DEFECTIVE, "DEFECTIVE", "Stopped working after 3 days, it's dead")
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


def load_labelled_cases(path: Path = LABELLED_CASES) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def test_the_labelled_set_covers_every_language_and_scenario():
    cases = load_labelled_cases()
    languages = Counter(case["language"] for case in cases)
    assert len(cases) >= 300
    assert set(languages) == {"en", "de", "fr", "es", "it"}
    assert min(languages.values()) >= 50
    assert {case["expected"] for case in cases} == {s.value for s in Scenario}
    holdout = sum(case["split"] == "holdout" for case in cases) / len(cases)
    # The dev split grows with the phrasings found missing; the fresh set is the honest score.
    assert 0.2 <= holdout <= 0.4


def test_accuracy_on_the_labelled_set_is_at_least_90_percent():
    cases = load_labelled_cases()
    misses = []
    for case in cases:
        result = classify(Reason(case["reason"]), case["marketplace_reason"], case["text"])
        if result.scenario != case["expected"]:
            misses.append((case["id"], case["expected"], result.scenario.value))
    accuracy = 1 - len(misses) / len(cases)
    assert accuracy >= 0.9, f"accuracy {accuracy:.1%}; misses: {misses}"


@pytest.mark.parametrize(
    ("path", "floor", "ceiling"),
    [
        (FRESH_CASES, FRESH_ACCURACY_FLOOR, FRESH_WRONG_NOT_FLAGGED_CEILING),
        (TUNING_CASES, TUNING_ACCURACY_FLOOR, TUNING_WRONG_NOT_FLAGGED_CEILING),
    ],
    ids=["fresh", "tuning"],
)
def test_an_independent_set_scores_above_its_floor_with_few_unflagged_mistakes(
    path, floor, ceiling
):
    cases = load_labelled_cases(path)
    results = [
        (case, classify(Reason(case["reason"]), case["marketplace_reason"], case["text"]))
        for case in cases
    ]
    right = sum(result.scenario == case["expected"] for case, result in results)
    unflagged_wrong = sum(
        result.scenario != case["expected"] and not result.needs_agent for case, result in results
    )
    # Only the figures: the fresh texts are never read while tuning, so never printed here.
    assert right / len(cases) >= floor, f"accuracy {right / len(cases):.1%}"
    assert unflagged_wrong / len(cases) <= ceiling, (
        f"wrong and not flagged {unflagged_wrong / len(cases):.1%}"
    )
