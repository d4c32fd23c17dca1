"""The listing audit's rules, each on listings that pass and fail it per market; return
rules only where the listing's own returns call for them; the ranking by saving."""

import pytest

from services.analytics.domain.listing_audit import (
    REASON_MIN_CASES,
    Listing,
    Returns,
    audit,
    listings_of,
    returns_by_listing,
    rules,
)
from services.analytics.workflows.listing_audit import language_of

RULES = {rule.rule_id: rule for rule in rules(language_of)}

SPEAKER_US = "Portable speaker, 8.7 x 6.3 x 3.5 in, FCC certified, type_a_2pin_na, 120 volts"
ENGLISH = ("Easy to set up in minutes, pairs with any phone",)
GERMAN = ("In wenigen Minuten eingerichtet, verbindet sich mit jedem Telefon",)
FRENCH = ("Installation en quelques minutes, se connecte à tous les téléphones",)


def listing(market: str, category: str = "electronics", **said) -> Listing:
    return Listing(seller="lumahome", sku="SKU-1", market=market, category=category, **said)


# (rule, market, category, what the listing says, passes)
CASES = [
    # units: imperial in the US, metric in the EU and the UK, both in Canada
    ("units_us_imperial", "US", "home", {"bullets": ("Size: 40 x 30 in",)}, True),
    ("units_us_imperial", "US", "home", {"bullets": ("Size: 100 x 75 cm",)}, False),
    ("units_us_imperial", "US", "home", {"bullets": ("Lovely curtain",)}, False),
    ("units_eu_uk_metric", "DE", "home", {"bullets": ("Größe: 100 x 75 cm",)}, True),
    ("units_eu_uk_metric", "DE", "home", {"bullets": ("Größe: 40 x 30 in",)}, False),
    ("units_eu_uk_metric", "UK", "home", {"description": "Weighs 1.6 kg"}, True),
    ("units_eu_uk_metric", "UK", "home", {"description": "Weighs 3.5 lb"}, False),
    ("units_eu_uk_metric", "FR", "home", {"description": "Poids 1,6 kg"}, True),
    ("units_ca_both", "CA", "home", {"description": "100 cm (39 in) wide"}, True),
    ("units_ca_both", "CA", "home", {"description": "39 in wide"}, False),
    # plug and mains for electrical products
    ("plug_us_ca", "US", "electronics", {"attributes": {"plug": "type_a_2pin_na"}}, True),
    ("plug_us_ca", "US", "electronics", {"attributes": {"plug": "type_c_2pin_eu"}}, False),
    ("plug_us_ca", "CA", "appliances", {"description": "NEMA 5-15 plug"}, True),
    ("plug_uk", "UK", "electronics", {"attributes": {"plug": "type_g_3pin_uk"}}, True),
    ("plug_uk", "UK", "electronics", {"attributes": {"plug": "type_c_2pin_eu"}}, False),
    ("plug_uk", "UK", "electronics", {"description": "Universal plug adapters included"}, True),
    ("plug_eu", "DE", "electronics", {"description": "Schuko-Stecker (Type F)"}, True),
    ("plug_eu", "DE", "electronics", {"attributes": {"plug": "type_a_2pin_na"}}, False),
    ("plug_eu", "FR", "electronics", {"description": "Prise type E"}, True),
    ("plug_eu", "IT", "electronics", {"description": "Nessuna spina"}, False),
    ("mains_120v", "US", "electronics", {"attributes": {"voltage": "120 volts"}}, True),
    ("mains_120v", "US", "electronics", {"attributes": {"voltage": "230 volts"}}, False),
    ("mains_120v", "CA", "electronics", {"description": "100-240V universal input"}, True),
    ("mains_230v", "DE", "electronics", {"attributes": {"voltage": "230 volts"}}, True),
    ("mains_230v", "DE", "electronics", {"attributes": {"voltage": "120 volts"}}, False),
    ("mains_230v", "UK", "appliances", {"description": "100-240 V"}, True),
    ("mains_230v", "ES", "electronics", {"description": "Altavoz"}, False),
    # marks the category needs in the market
    ("mark_ce", "DE", "electronics", {"attributes": {"certification": "CE"}}, True),
    ("mark_ce", "DE", "electronics", {"attributes": {"certification": "FCC"}}, False),
    ("mark_ce", "IT", "toys", {"description": "Conforme CE, EN 71"}, True),
    ("mark_ce", "FR", "toys", {"description": "Jouet en bois"}, False),
    ("mark_ukca", "UK", "electronics", {"description": "UKCA marked"}, True),
    ("mark_ukca", "UK", "electronics", {"description": "CE marked"}, True),
    ("mark_ukca", "UK", "electronics", {"description": "Certified"}, False),
    ("mark_fcc", "US", "electronics", {"description": SPEAKER_US}, True),
    ("mark_fcc", "US", "electronics", {"description": "CE marked speaker"}, False),
    # size charts for apparel in the market's measures
    ("size_chart_us", "US", "apparel", {"size_chart": "M: chest 40 in"}, True),
    ("size_chart_us", "US", "apparel", {"size_chart": "M: Brust 102 cm"}, False),
    ("size_chart_us", "US", "apparel", {"bullets": ("Soft cotton",)}, False),
    ("size_chart_metric", "DE", "apparel", {"size_chart": "M: Brust 102 cm"}, True),
    ("size_chart_metric", "DE", "apparel", {"size_chart": "M: chest 40 in"}, False),
    ("size_chart_metric", "UK", "apparel", {"description": "Size chart: M chest 102 cm"}, True),
    ("size_chart_metric", "FR", "apparel", {"bullets": ("Coton doux",)}, False),
    # as each channel's import words them: Walmart's key features, Amazon's attributes
    # named as the product type definitions name them, marks and charts in the bullets
    ("plug_us_ca", "US", "electronics", {"bullets": ("US plug (type A), 120 V",)}, True),
    ("mains_120v", "US", "electronics", {"bullets": ("US plug (type A), 120 V",)}, True),
    ("mark_fcc", "US", "electronics", {"bullets": ("FCC compliant",)}, True),
    ("plug_us_ca", "US", "electronics", {"bullets": ("Easy to set up in minutes",)}, False),
    (
        "mark_fcc",
        "US",
        "electronics",
        {"attributes": {"fcc_radio_frequency_emission_compliance": "FCC has_fcc_id"}},
        True,
    ),
    ("mark_ce", "DE", "electronics", {"bullets": ("CE-Kennzeichnung",)}, True),
    ("mark_ukca", "UK", "electronics", {"bullets": ("UKCA marked",)}, True),
    ("mark_ce", "FR", "electronics", {"bullets": ("Marquage UKCA",)}, False),
    ("size_chart_us", "US", "apparel", {"bullets": ("Size chart: M: chest 40 in",)}, True),
    ("size_chart_metric", "DE", "apparel", {"bullets": ("Größentabelle: M: Brust 102 cm",)}, True),
    ("size_chart_metric", "FR", "apparel", {"bullets": ("Guide des tailles : M : 40 in",)}, False),
    # the marketplace's language
    ("language_of_marketplace", "DE", "home", {"bullets": GERMAN}, True),
    ("language_of_marketplace", "DE", "home", {"bullets": ENGLISH}, False),
    ("language_of_marketplace", "FR", "home", {"bullets": FRENCH}, True),
    ("language_of_marketplace", "FR", "home", {"bullets": GERMAN}, False),
    ("language_of_marketplace", "US", "home", {"bullets": ENGLISH}, True),
    ("language_of_marketplace", "UK", "home", {}, False),
]


@pytest.mark.parametrize(("rule_id", "market", "category", "said", "passes"), CASES)
def test_each_rule_passes_and_fails_listings_per_market(rule_id, market, category, said, passes):
    rule = RULES[rule_id]
    subject = listing(market, category, **said)
    assert rule.applies_to(subject)
    verdict = rule.check(subject)
    assert verdict.passed is passes, verdict.evidence
    assert verdict.evidence


@pytest.mark.parametrize(
    ("rule_id", "market", "category"),
    [
        ("units_us_imperial", "DE", "home"),
        ("units_eu_uk_metric", "US", "home"),
        ("plug_eu", "UK", "electronics"),
        ("plug_eu", "IE", "electronics"),  # Ireland uses the UK's type G
        ("plug_uk", "DE", "electronics"),
        ("mark_fcc", "DE", "electronics"),
        ("mark_ce", "DE", "apparel"),  # no mark needed for clothes
        ("size_chart_us", "US", "electronics"),
        ("mains_230v", "US", "electronics"),
    ],
)
def test_a_rule_leaves_other_markets_and_categories_alone(rule_id, market, category):
    assert not RULES[rule_id].applies_to(listing(market, category))


def test_every_rule_names_its_source():
    for rule in RULES.values():
        assert rule.source.citation
        assert rule.from_returns or rule.source.url.startswith("https://")
        assert not rule.reasons or rule.avoidable_source


RETURN_CASES = [
    # (rule, the listing's returns in the market by reason, what it says, found)
    ("returned_for_size_without_chart", {"size_too_small": 4, "style": 6}, {}, True),
    ("returned_for_size_without_chart", {"size_too_small": 4}, {"size_chart": "S M L"}, False),
    ("returned_for_size_without_chart", {"size_too_small": 1, "style": 1}, {}, False),  # few
    ("returned_for_size_without_chart", {"size_fit": 2, "style": 18}, {}, False),  # 10%
    ("returned_hard_to_set_up_without_guide", {"hard_to_use": 3}, {}, True),
    (
        "returned_hard_to_set_up_without_guide",
        {"hard_to_use": 3},
        {"bullets": ("Quick start: step-by-step setup guide in the box",)},
        False,
    ),
    ("returned_defective_without_troubleshooting", {"defective": 5, "damaged": 5}, {}, True),
    (
        "returned_defective_without_troubleshooting",
        {"defective": 5},
        {"description": "Fehlercode E3: Akku laden"},
        False,
    ),
    ("returned_defective_without_troubleshooting", {"changed_mind": 9}, {}, False),
]


@pytest.mark.parametrize(("rule_id", "reasons", "said", "found"), RETURN_CASES)
def test_a_return_rule_applies_where_the_listing_s_own_returns_call_for_it(
    rule_id, reasons, said, found
):
    subject = listing("DE", "electronics", **said)
    returns = {("SKU-1", "DE"): Returns(reasons, 2500, "EUR")}
    findings = [f for f in audit([subject], returns, [RULES[rule_id]])]
    assert bool(findings) is found
    if found:
        [finding] = findings
        rule = RULES[rule_id]
        cases = sum(reasons.get(r, 0) for r in rule.reasons)
        assert finding.reasons == {r: n for r, n in reasons.items() if r in rule.reasons}
        assert finding.reason_share == round(cases / sum(reasons.values()), 4)
        assert finding.saving_minor == round(cases * rule.avoidable * 2500)
        assert finding.source == "the listing's own returns"


def test_the_minimum_of_cases_is_what_the_rule_says():
    rule = RULES["returned_hard_to_set_up_without_guide"]
    few = {("SKU-1", "DE"): Returns({"hard_to_use": REASON_MIN_CASES - 1}, 100, "EUR")}
    enough = {("SKU-1", "DE"): Returns({"hard_to_use": REASON_MIN_CASES}, 100, "EUR")}
    assert not audit([listing("DE")], few, [rule])
    assert audit([listing("DE")], enough, [rule])


def test_findings_are_ranked_by_expected_saving():
    """Three listings in three markets: the saving is the rule's returns × the share a fix
    avoids × the listing's own cost per return, and the largest comes first."""
    wrong_plug = "type_a_2pin_na"
    listings = [
        Listing("s", "CHEAP", "DE", "electronics", "Lautsprecher", attributes={"p": wrong_plug}),
        Listing("s", "DEAR", "FR", "electronics", "Enceinte", attributes={"p": wrong_plug}),
        Listing("s", "QUIET", "ES", "electronics", "Altavoz", attributes={"p": wrong_plug}),
    ]
    returns = {
        ("CHEAP", "DE"): Returns({"not_as_described": 10}, 1000, "EUR"),  # 10 × .3 × 10 €
        ("DEAR", "FR"): Returns({"not_as_described": 4}, 9000, "EUR"),  # 4 × .3 × 90 €
        # QUIET: never returned: a finding with nothing to save, last
    }
    findings = audit(listings, returns, [RULES["plug_eu"]])
    assert [(f.sku, f.saving_minor) for f in findings] == [
        ("DEAR", 10800),
        ("CHEAP", 3000),
        ("QUIET", 0),
    ]
    assert findings[0].evidence == 'a plug of another market: "type_a"'
    assert findings[0].returns_avoided == pytest.approx(1.2)


def test_returns_are_folded_per_listing_and_market_with_their_cost():
    rows = [
        {"sku": "A", "market": "DE", "reason": "defective", "cost_minor": 1000, "currency": "EUR"},
        {"sku": "A", "market": "DE", "reason": "defective", "cost_minor": 3000, "currency": "EUR"},
        {"sku": "A", "market": "DE", "reason": "size_fit", "cost_minor": None, "currency": None},
        {"sku": "A", "market": "US", "reason": "defective", "cost_minor": 700, "currency": "USD"},
        {"sku": None, "market": "US", "reason": "defective"},
    ]
    folded = returns_by_listing(rows)
    assert folded[("A", "DE")] == Returns({"defective": 2, "size_fit": 1}, 2000, "EUR")
    assert folded[("A", "US")] == Returns({"defective": 1}, 700, "USD")
    assert len(folded) == 2


def test_intake_s_catalog_answer_becomes_one_listing_per_variant_and_market():
    products = [
        {
            "account": "lumahome",
            "category": "apparel",
            "variants": [
                {
                    "sku": "TEE-M",
                    "title": "M",
                    "listings": {
                        "US": {"title": "Tee (M)", "bullets": ["Soft"], "size_chart": "M: 40 in"},
                        "DE": {"language": "de", "bullets": ["Weich"], "attributes": {"a": 1}},
                        "XX": {"title": "not a market"},
                    },
                },
                {"sku": "TEE-L", "listings": {}},
            ],
        }
    ]
    found = {(one.sku, one.market): one for one in listings_of(products)}
    assert set(found) == {("TEE-M", "US"), ("TEE-M", "DE")}
    assert found[("TEE-M", "US")].size_chart == "M: 40 in"
    assert found[("TEE-M", "DE")].title == "M" and found[("TEE-M", "DE")].attributes == {"a": "1"}
