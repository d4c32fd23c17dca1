"""The troubleshooting knowledge base: fault codes in buyer text, choosing a guide (by
product, category, symptom and language, often-declined guides sinking), the starter set
and the categories' guides, and the troubleshooting offer in five languages."""

import json
from collections import defaultdict
from dataclasses import asdict, replace
from datetime import UTC, datetime

import pytest

from services.resolution.domain.messages import (
    LANGUAGES,
    OfferFacts,
    format_moment,
    format_money,
    render_offer,
)
from services.resolution.domain.symptoms import CATEGORY_SYMPTOMS, symptoms_in
from services.resolution.domain.troubleshooting import (
    CATEGORY_GUIDES,
    SINKS_ABOVE,
    STARTER_GUIDES,
    Guide,
    choose_guide,
    fault_code_in,
    guide_from_dict,
    learnt_declines,
    load_starter_guides,
    starter_guides,
)
from shared.compliance import lint
from shared.events import Remedy
from shared.markets import Currency, Market

# ------------------------------------------------------------------ fault codes in text


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # quoted after a code word, in the five languages
        ("The robot stopped with error E4 again", "E4"),
        ("It shows E-21 and won't go home", "E21"),
        ("display: code F03", "F03"),
        ("Der Controller zeigt Fehlercode E4", "E4"),
        ("Fehler: E 4 seit gestern", "E4"),
        ("Störung H2 nach dem Laden", "H2"),
        ("Le robot affiche le code d'erreur E4", "E4"),
        ("erreur numéro 5 au démarrage", "5"),
        ("Aparece el código de error E4", "E4"),
        ("código de error: e-21.", "E21"),
        ("Compare il codice errore E4", "E4"),
        ("errore n. 7 sul display", "7"),
        ("I get error 12 every time", "12"),
        ("Error code: #404", "404"),
        ("it said err e1, then stopped", "E1"),
        # standalone display codes
        ("The screen just says E1 then E4", "E1"),
        ("P-3 blinking on the panel", "P3"),
        # sizes, model numbers and SKUs are not codes
        ("My 65W charger is slow", None),
        ("the 10M strip only lights half", None),
        ("the A3 bud is silent", None),
        ("4K video stutters", None),
        ("I bought TWS-EB-A3-WHT and LED-STP-10M-RGB", None),
        ("code 65W on the box", None),
        ("zip code 10115", None),
        ("postcode 12345", None),
        ("the code is not shown", None),
        ("lowercase e4 without a code word", None),
        ("error rate 12.5 percent", None),
        ("", None),
    ],
)
def test_fault_code_in(text, code):
    assert fault_code_in(text) == code


def test_the_first_code_quoted_wins_whichever_rule_finds_it():
    assert fault_code_in("F2 first, later error 12") == "F2"
    assert fault_code_in("error 12 first, later F2") == "12"


# ------------------------------------------------------------------ choosing a guide


def guide(guide_id, language="en", sku=None, category=None, fault_code=None):
    steps = ("Step one.", "Step two.", "Step three.")
    return Guide(guide_id, language, guide_id, steps, sku, category, fault_code)


SKU_E4 = guide("sku.E4", sku="RBV-LDR-X5", fault_code="E4")
SKU_GENERAL = guide("sku.general", sku="RBV-LDR-X5")
CATEGORY_E4 = guide("category.E4", category="electronics", fault_code="E4")
CATEGORY_GENERAL = guide("category.general", category="electronics")
OTHER_SKU = guide("other.general", sku="BT-SPK-200-BLK")
ALL = [CATEGORY_GENERAL, CATEGORY_E4, OTHER_SKU, SKU_GENERAL, SKU_E4]


@pytest.mark.parametrize(
    ("guides", "sku", "category", "code", "expected"),
    [
        (ALL, "RBV-LDR-X5", "electronics", "E4", SKU_E4),
        (ALL, "RBV-LDR-X5", "electronics", "e-4", SKU_E4),  # codes compare normalised
        (ALL, "RBV-LDR-X5", "electronics", None, SKU_GENERAL),
        (ALL, "RBV-LDR-X5", "electronics", "E1", SKU_GENERAL),  # no guide for E1: general
        ([SKU_GENERAL, CATEGORY_E4], "RBV-LDR-X5", "electronics", "E4", SKU_GENERAL),
        ([CATEGORY_GENERAL, CATEGORY_E4], "RBV-LDR-X5", "electronics", "E4", CATEGORY_E4),
        ([CATEGORY_GENERAL, CATEGORY_E4], "RBV-LDR-X5", "Electronics", None, CATEGORY_GENERAL),
        ([CATEGORY_GENERAL], "UNKNOWN-SKU", "electronics", "E9", CATEGORY_GENERAL),
        # a guide for a code never fits a case without that code
        ([SKU_E4, CATEGORY_E4], "RBV-LDR-X5", "electronics", None, None),
        ([SKU_E4], "RBV-LDR-X5", "electronics", "E21", None),
        # another product's guide, or no category to match
        ([OTHER_SKU], "RBV-LDR-X5", "electronics", None, None),
        ([CATEGORY_GENERAL], "RBV-LDR-X5", None, None, None),
        ([CATEGORY_GENERAL], "RBV-LDR-X5", "home", None, None),
        ([], "RBV-LDR-X5", "electronics", "E4", None),
    ],
)
def test_choose_guide_prefers_the_most_specific(guides, sku, category, code, expected):
    assert choose_guide(guides, sku, category, code, "en") == expected


def test_only_a_guide_in_the_buyers_language_counts():
    german = replace(SKU_E4, guide_id="sku.E4.de", language="de")
    guides = [german, CATEGORY_GENERAL]

    # The English category guide beats the German product guide for an English buyer...
    assert choose_guide(guides, "RBV-LDR-X5", "electronics", "E4", "en") == CATEGORY_GENERAL
    # ...and nothing in French means no guide at all.
    assert choose_guide(guides, "RBV-LDR-X5", "electronics", "E4", "fr") is None
    assert choose_guide(guides, "RBV-LDR-X5", "electronics", "E4", "de") == german


def test_ties_go_to_the_first_guide_given():
    first = guide("first", sku="RBV-LDR-X5")
    second = guide("second", sku="RBV-LDR-X5")
    assert choose_guide([first, second], "RBV-LDR-X5", None, None, "en") == first


def test_choose_guide_takes_any_iterable():
    assert choose_guide(iter(ALL), "RBV-LDR-X5", None, "E4", "en") == SKU_E4


# ------------------------------------------------------------------ guide_from_dict

VALID = {
    "guide_id": "RBV-LDR-X5.E4.en",
    "language": "en",
    "title": "Robot vacuum shows E4",
    "steps": ["Switch it off.", "Wipe the lidar.", "Switch it on."],
    "sku": "RBV-LDR-X5",
    "category": None,
    "fault_code": "e-4",
    "video_url": None,
    "symptoms": ["error_code"],
    "general": False,
}


def test_guide_from_dict_reads_a_guide_and_normalises_the_code():
    read = guide_from_dict(VALID)

    assert read.steps == ("Switch it off.", "Wipe the lidar.", "Switch it on.")
    assert read.fault_code == "E4"
    assert read.category is None


def test_guide_from_dict_round_trips_a_guide():
    read = guide_from_dict(VALID)
    data = asdict(read) | {"steps": list(read.steps)}
    assert guide_from_dict(data) == read


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"guide_id": None}, "guide_id"),
        ({"guide_id": "  "}, "guide_id"),
        ({"language": None}, "language"),
        ({"language": "nl"}, "language"),
        ({"title": ""}, "title"),
        ({"steps": None}, "steps"),
        ({"steps": "Switch it off."}, "steps"),
        ({"steps": ["One.", "Two."]}, "steps"),
        ({"steps": ["1", "2", "3", "4", "5", "6", "7"]}, "steps"),
        ({"steps": ["One.", "", "Three."]}, "steps"),
        ({"sku": None}, "sku"),  # neither sku nor category
        ({"category": "electronics"}, "sku"),  # both
        ({"fault_code": "lidar"}, "fault_code"),
        ({"fault_code": 4}, "fault_code"),
        ({"video_url": "ftp://videos.example/x"}, "video_url"),
        ({"vidoe_url": "https://videos.example/x"}, "vidoe_url"),
        ({"symptoms": ["broken"]}, "symptoms"),
        ({"symptoms": "leaks"}, "symptoms"),
        ({"symptoms": [], "general": False}, "symptoms"),  # answers nothing at all
        ({"general": "yes"}, "general"),
    ],
)
def test_guide_from_dict_names_the_wrong_field(change, field):
    with pytest.raises(ValueError, match=rf"^{field}:"):
        guide_from_dict(VALID | change)


def test_guide_from_dict_needs_the_required_fields():
    for field in ("guide_id", "language", "title", "steps"):
        data = {k: v for k, v in VALID.items() if k != field}
        with pytest.raises(ValueError, match=rf"^{field}:"):
            guide_from_dict(data)


# ------------------------------------------------------------------ the starter set

STARTER = load_starter_guides()
SAMPLE_SKUS = (
    "TWS-EB-A3-WHT",
    "BT-SPK-200-BLK",
    "GAN-CHG-65W-3P",
    "LED-STP-10M-RGB",
    "LMP-DSK-LED-WCH",
    "RBV-LDR-X5",
    "ACT-CAM-4K-PRO",
    "SMP-WIFI-4PK",
)


def target(g: Guide) -> tuple[str | None, str | None, str | None]:
    return (g.sku, g.category, g.fault_code)


def test_the_starter_file_loads_with_unique_ids():
    ids = [g.guide_id for g in STARTER]

    assert len(STARTER) == 65
    assert len(set(ids)) == len(ids)
    assert all(g.guide_id.endswith(f".{g.language}") for g in STARTER)


def test_every_starter_guide_has_3_to_6_steps():
    assert all(3 <= len(g.steps) <= 6 for g in STARTER)


def test_each_starter_guide_exists_once_in_every_language_with_as_many_steps():
    languages = defaultdict(list)
    step_counts = defaultdict(set)
    for g in STARTER:
        languages[target(g)].append(g.language)
        step_counts[target(g)].add(len(g.steps))

    assert all(sorted(found) == sorted(LANGUAGES) for found in languages.values())
    assert all(len(counts) == 1 for counts in step_counts.values())


def test_the_starter_set_covers_the_sample_products():
    targets = {target(g) for g in STARTER}

    assert {(sku, None, None) for sku in SAMPLE_SKUS} <= targets
    assert {("RBV-LDR-X5", None, code) for code in ("E1", "E4", "E21")} <= targets
    assert ("LED-STP-10M-RGB", None, "E4") in targets
    assert (None, "electronics", None) in targets


@pytest.mark.parametrize("language", LANGUAGES)
def test_starter_guides_answer_the_sample_cases(language):
    def chosen(sku, code):
        found = choose_guide(STARTER, sku, "electronics", code, language)
        return None if found is None else found.guide_id

    assert chosen("RBV-LDR-X5", "E21") == f"RBV-LDR-X5.E21.{language}"
    assert chosen("RBV-LDR-X5", fault_code_in("error E-4")) == f"RBV-LDR-X5.E4.{language}"
    assert chosen("LED-STP-10M-RGB", "E4") == f"LED-STP-10M-RGB.E4.{language}"
    assert chosen("TWS-EB-A3-WHT", None) == f"TWS-EB-A3-WHT.pairing.{language}"
    assert chosen("TWS-EB-A3-WHT", "E4") == f"TWS-EB-A3-WHT.pairing.{language}"
    assert chosen("NEW-GADGET-1", None) == f"electronics.general.{language}"


def test_the_starter_file_is_plain_json_with_every_field():
    data = json.loads(STARTER_GUIDES.read_text(encoding="utf-8"))
    assert all(set(item) == set(VALID) for item in data)


# ------------------------------------------------------------------ the offer

OFFER = OfferFacts(
    greeting="Hello Anna",
    product_title="Robot Vacuum X5",
    expires_at=datetime(2026, 3, 12, 14, 0, tzinfo=UTC),
    guide_title="Robot vacuum shows E4",
    guide_steps=("Switch the robot off.", "Wipe the lidar window.", "Switch it on again."),
    guide_video_url="https://videos.example/rbv-e4",
)
MARKETS = (Market.US, Market.UK, Market.DE, Market.FR, Market.ES, Market.IT)


@pytest.mark.parametrize("language", LANGUAGES)
def test_troubleshooting_offer_states_the_guide(language):
    text = render_offer(language, Remedy.TROUBLESHOOTING, OFFER)

    assert OFFER.product_title in text
    assert OFFER.guide_title in text
    for number, step in enumerate(OFFER.guide_steps, start=1):
        assert f"{number}. {step}" in text
    assert OFFER.guide_video_url in text
    assert format_moment(language, OFFER.expires_at) in text
    assert "None" not in text
    assert all(lint(text, language, market, required=[]) == [] for market in MARKETS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_troubleshooting_offer_without_a_video_or_amount_leaves_them_out(language):
    bare = render_offer(language, Remedy.TROUBLESHOOTING, replace(OFFER, guide_video_url=None))
    priced = render_offer(
        language,
        Remedy.TROUBLESHOOTING,
        replace(OFFER, amount_minor=1999, currency=Currency.EUR),
    )

    assert "https://" not in bare
    assert "None" not in bare
    assert format_money(language, 1999, Currency.EUR) in priced


@pytest.mark.parametrize(
    "facts",
    [replace(OFFER, guide_title=None), replace(OFFER, guide_steps=())],
)
def test_a_troubleshooting_offer_needs_its_guide(facts):
    with pytest.raises(ValueError, match="guide"):
        render_offer("en", Remedy.TROUBLESHOOTING, facts)


@pytest.mark.parametrize(
    ("language", "market"), [(language, market) for language in LANGUAGES for market in MARKETS]
)
def test_every_starter_guide_renders_and_lints_clean(language, market):
    for g in (g for g in STARTER if g.language == language):
        facts = replace(
            OFFER,
            product_title=g.sku or "Electronics",
            guide_title=g.title,
            guide_steps=g.steps,
            guide_video_url=g.video_url,
        )
        text = render_offer(language, Remedy.TROUBLESHOOTING, facts)

        assert all(step in text for step in g.steps)
        assert lint(text, language, market, required=[]) == [], g.guide_id


# ------------------------------------------------------------------ by symptom


def for_symptoms(guide_id, *symptoms, sku=None, category="electronics", general=False):
    found = guide(guide_id, sku=sku, category=None if sku else category)
    return replace(found, symptoms=symptoms, general=general)


PAIRING = for_symptoms("category.pairing", "wont_pair")
POWER = for_symptoms("category.power", "no_power", "stuck", "restarts", general=True)
CHARGING = for_symptoms("category.charging", "no_charge")
SKU_PAIRING = for_symptoms("sku.pairing", "wont_pair", "no_sound", sku="RBV-LDR-X5")
BY_SYMPTOM = [POWER, PAIRING, CHARGING, SKU_PAIRING, SKU_E4]


@pytest.mark.parametrize(
    ("symptoms", "code", "expected"),
    [
        (("wont_pair",), None, SKU_PAIRING),  # the product's guide before the category's
        (("no_sound",), None, SKU_PAIRING),
        (("no_charge",), None, CHARGING),  # the product has none: the category's
        (("stuck",), None, POWER),
        (("no_charge", "wont_pair"), None, SKU_PAIRING),  # product first, whatever the order
        (("error_code",), "E4", SKU_E4),  # the code's guide first
        (("error_code",), "E9", None),  # no guide answers an error E9
        (("leaks",), None, None),  # nothing answers it: no guide, not the general one
        ((), None, SKU_PAIRING),  # no symptom named: the product's own guide
    ],
)
def test_choose_guide_by_symptom(symptoms, code, expected):
    assert choose_guide(BY_SYMPTOM, "RBV-LDR-X5", "electronics", code, "en", symptoms) == expected


def test_the_category_guide_for_the_first_named_symptom_wins():
    named = ("no_charge", "wont_pair")
    assert choose_guide(BY_SYMPTOM, "NEW-1", "electronics", None, "en", named) == CHARGING
    assert choose_guide(BY_SYMPTOM, "NEW-1", "electronics", None, "en", named[::-1]) == PAIRING


def test_a_guide_for_another_symptom_is_never_chosen():
    """The buyer cannot pair: "charge fully, restart, reset" is no answer."""
    assert (
        choose_guide([POWER, CHARGING], "NEW-1", "electronics", None, "en", ("wont_pair",)) is None
    )


def test_a_buyer_naming_no_symptom_gets_the_products_own_guide_but_no_category_guess():
    assert choose_guide([PAIRING, SKU_PAIRING], "RBV-LDR-X5", "electronics", None, "en") == (
        SKU_PAIRING
    )
    assert choose_guide([PAIRING, CHARGING], "NEW-1", "electronics", None, "en") is None
    assert choose_guide(BY_SYMPTOM, "NEW-1", "electronics", None, "en") == POWER  # general


def test_a_guide_buyers_often_decline_sinks_below_the_others_that_fit():
    named = ("wont_pair",)
    declined = {SKU_PAIRING.guide_id: 0.9}
    assert choose_guide(BY_SYMPTOM, "RBV-LDR-X5", "electronics", None, "en", named) == SKU_PAIRING
    sunk = choose_guide(BY_SYMPTOM, "RBV-LDR-X5", "electronics", None, "en", named, declined)
    assert sunk == PAIRING
    # ...yet it is still the guide when no other fits,
    alone = choose_guide([SKU_PAIRING], "RBV-LDR-X5", "electronics", None, "en", named, declined)
    assert alone == SKU_PAIRING
    # and between equals the one declined less comes first.
    twin = replace(SKU_PAIRING, guide_id="sku.pairing.2")
    rates = {SKU_PAIRING.guide_id: 0.6, twin.guide_id: 0.4}
    assert choose_guide([SKU_PAIRING, twin], "RBV-LDR-X5", None, None, "en", named, rates) == twin


def test_learnt_declines_start_at_the_policy_and_follow_the_buyers():
    rates = learnt_declines({"g1": (0, 0), "g2": (0, 20), "g3": (20, 20)}, 0.5)

    assert rates["g1"] == pytest.approx(0.5)
    assert rates["g2"] == pytest.approx(0.75)  # 20 declines of 20: sinks
    assert rates["g3"] == pytest.approx(0.25)
    assert rates["g2"] > SINKS_ABOVE > rates["g1"]


# ------------------------------------------------------------------ the category guides

CATEGORY = load_starter_guides(CATEGORY_GUIDES)
EVERY = list(starter_guides().values())


def test_the_category_file_loads_each_guide_in_every_language_with_as_many_steps():
    languages = defaultdict(list)
    steps = defaultdict(set)
    for g in CATEGORY:
        assert g.category and g.sku is None and g.symptoms and not g.general, g.guide_id
        assert g.guide_id.startswith(f"{g.category}.") and g.guide_id.endswith(f".{g.language}")
        key = g.guide_id.rsplit(".", 1)[0]
        languages[key].append(g.language)
        steps[key].add(len(g.steps))
    assert all(sorted(found) == sorted(LANGUAGES) for found in languages.values())
    assert all(len(counts) == 1 for counts in steps.values())
    assert len({g.guide_id for g in EVERY}) == len(STARTER) + len(CATEGORY)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("category", sorted(CATEGORY_SYMPTOMS))
def test_every_symptom_of_every_category_has_a_starter_guide(category, language):
    for symptom in CATEGORY_SYMPTOMS[category]:
        found = choose_guide(EVERY, "NEW-1", category, None, language, (symptom,))
        assert found is not None, (category, symptom)
        assert symptom in found.symptoms and found.language == language


@pytest.mark.parametrize(
    ("language", "market"), [(language, market) for language in LANGUAGES for market in MARKETS]
)
def test_every_category_guide_renders_and_lints_clean(language, market):
    for g in (g for g in CATEGORY if g.language == language):
        facts = replace(OFFER, guide_title=g.title, guide_steps=g.steps, guide_video_url=None)
        text = render_offer(language, Remedy.TROUBLESHOOTING, facts)

        assert all(step in text for step in g.steps)
        assert lint(text, language, market, required=[]) == [], g.guide_id


# What buyers write, in each language, and the starter guide it must lead to.
BUYERS = {
    "en": [
        ("electronics", "My new earbuds won't pair with the phone", "electronics.pairing"),
        ("electronics", "It stopped charging after a week", "electronics.charging"),
        ("electronics", "It keeps restarting every few minutes", "electronics.general"),
        ("electronics", "No sound at all from the speaker", "electronics.sound"),
        ("kitchen", "The coffee machine leaks all over the counter", "kitchen.leaks"),
        ("kitchen", "The blender trips the fuse when I switch it on", "kitchen.fuse"),
        ("home", "The humidifier won't switch on", "home.power"),
        ("furniture", "I can't assemble it, the holes don't line up", "furniture.assembly"),
        ("apparel", "The jacket is too small across the shoulders", "apparel.fit"),
        ("apparel", "The zip keeps getting stuck halfway", "apparel.zip"),
        ("toys", "Two screws are missing from the box", "toys.parts"),
    ],
    "de": [
        (
            "electronics",
            "Die Kopfhörer lassen sich nicht mit dem Handy koppeln",
            "electronics.pairing",
        ),
        ("electronics", "Der Akku lädt nicht mehr", "electronics.charging"),
        ("electronics", "Das Gerät startet ständig neu", "electronics.general"),
        ("electronics", "Aus dem Lautsprecher kommt kein Ton", "electronics.sound"),
        ("kitchen", "Die Kaffeemaschine ist undicht", "kitchen.leaks"),
        ("kitchen", "Beim Einschalten fliegt die Sicherung raus", "kitchen.fuse"),
        ("home", "Der Luftbefeuchter geht nicht an", "home.power"),
        ("furniture", "Der Aufbau klappt nicht, die Löcher passen nicht", "furniture.assembly"),
        ("apparel", "Die Jacke ist an den Schultern zu eng", "apparel.fit"),
        ("apparel", "Der Reißverschluss klemmt auf halber Höhe", "apparel.zip"),
        ("toys", "Im Karton fehlen zwei Schrauben", "toys.parts"),
    ],
    "fr": [
        ("electronics", "Les écouteurs ne se connectent pas au téléphone", "electronics.pairing"),
        ("electronics", "La batterie ne se recharge plus", "electronics.charging"),
        ("electronics", "L'appareil redémarre sans cesse", "electronics.general"),
        ("electronics", "Aucun son ne sort de l'enceinte", "electronics.sound"),
        ("kitchen", "La cafetière fuit sur le plan de travail", "kitchen.leaks"),
        ("kitchen", "Le mixeur fait sauter les plombs", "kitchen.fuse"),
        ("home", "L'humidificateur ne s'allume pas", "home.power"),
        ("furniture", "Impossible à monter, les trous ne correspondent pas", "furniture.assembly"),
        ("apparel", "La veste est trop serrée aux épaules", "apparel.fit"),
        ("apparel", "La fermeture éclair reste bloquée au milieu", "apparel.zip"),
        ("toys", "Il manque deux vis dans le carton", "toys.parts"),
    ],
    "es": [
        ("electronics", "Los auriculares no se emparejan con el móvil", "electronics.pairing"),
        ("electronics", "La batería ya no carga", "electronics.charging"),
        ("electronics", "El aparato se reinicia cada pocos minutos", "electronics.general"),
        ("electronics", "El altavoz no tiene sonido", "electronics.sound"),
        ("kitchen", "La cafetera gotea por debajo", "kitchen.leaks"),
        ("kitchen", "La batidora hace saltar el diferencial", "kitchen.fuse"),
        ("home", "El humidificador no enciende", "home.power"),
        ("furniture", "No puedo montarlo, los agujeros no coinciden", "furniture.assembly"),
        ("apparel", "La chaqueta me queda pequeña de hombros", "apparel.fit"),
        ("apparel", "La cremallera se atasca a la mitad", "apparel.zip"),
        ("toys", "Faltan dos tornillos en la caja", "toys.parts"),
    ],
    "it": [
        ("electronics", "Gli auricolari non si associano al telefono", "electronics.pairing"),
        ("electronics", "La batteria non si carica più", "electronics.charging"),
        ("electronics", "Il dispositivo si riavvia di continuo", "electronics.general"),
        ("electronics", "Dalla cassa non si sente niente", "electronics.sound"),
        ("kitchen", "La macchina del caffè perde acqua", "kitchen.leaks"),
        ("kitchen", "Il frullatore fa saltare il salvavita", "kitchen.fuse"),
        ("home", "L'umidificatore non si accende", "home.power"),
        ("furniture", "Il montaggio è impossibile, i fori non coincidono", "furniture.assembly"),
        ("apparel", "La giacca è troppo stretta sulle spalle", "apparel.fit"),
        ("apparel", "La cerniera si blocca a metà", "apparel.zip"),
        ("toys", "Nella scatola mancano due viti", "toys.parts"),
    ],
}


@pytest.mark.parametrize(
    ("language", "category", "text", "expected"),
    [(language, *case) for language, cases in BUYERS.items() for case in cases],
)
def test_the_buyers_words_lead_to_the_guide_for_their_symptom(language, category, text, expected):
    named = tuple(symptoms_in(text, language, category))
    found = choose_guide(EVERY, "NEW-1", category, None, language, named)

    assert found is not None and found.guide_id == f"{expected}.{language}", named


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_buyer_who_cannot_pair_a_sample_product_gets_its_pairing_guide(language):
    text = BUYERS[language][0][1]
    named = tuple(symptoms_in(text, language, "electronics"))
    found = choose_guide(EVERY, "TWS-EB-A3-WHT", "electronics", None, language, named)
    assert found.guide_id == f"TWS-EB-A3-WHT.pairing.{language}"
    # A product whose own guides answer other symptoms: the category's pairing guide.
    other = choose_guide(EVERY, "GAN-CHG-65W-3P", "electronics", None, language, named)
    assert other.guide_id == f"electronics.pairing.{language}"
