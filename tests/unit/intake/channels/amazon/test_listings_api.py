"""A listing's name per language: `item_name`'s language tags first, then each
marketplace's summary in that marketplace's language."""

from services.intake.channels.amazon.listings_api import Summary, listings_of, titles_of
from services.intake.domain.catalog import ListingContent


def test_each_marketplace_s_summary_names_the_item_in_its_language():
    summaries = [
        Summary(marketplaceId="ATVPDKIKX0DER", itemName="Desk Lamp"),
        Summary(marketplaceId="A1PA6795UKMFR9", itemName="Schreibtischlampe"),
        Summary(marketplaceId="A13V1IB3VIYZZH", itemName=None),
        Summary(marketplaceId="A1VC38T7YXB528", itemName="デスクランプ"),  # Japan: not served
    ]
    tagged = {"item_name": [{"value": "Lampe de bureau", "language_tag": "fr_FR"}]}
    assert titles_of(tagged, summaries) == {
        "fr": "Lampe de bureau",
        "en": "Desk Lamp",
        "de": "Schreibtischlampe",
    }


def test_a_language_tag_wins_over_a_marketplace_s_summary():
    summaries = [Summary(marketplaceId="A1PA6795UKMFR9", itemName="Lamp (DE listing)")]
    tagged = {"item_name": [{"value": "Schreibtischlampe", "language_tag": "de_DE"}]}
    assert titles_of(tagged, summaries) == {"de": "Schreibtischlampe"}


def test_each_marketplace_s_listing_content_is_kept_by_market():
    """Amazon names each value's marketplace (or only its language): the bullets,
    description and the facts a market's rules read are kept per market."""
    us, de = "ATVPDKIKX0DER", "A1PA6795UKMFR9"
    summaries = [
        Summary(marketplaceId=us, itemName="Desk Lamp"),
        Summary(marketplaceId=de, itemName="Schreibtischlampe"),
    ]
    attributes = {
        "bullet_point": [
            {"value": "Dimmable, 16 in tall", "language_tag": "en_US", "marketplace_id": us},
            {"value": "Dimmbar, 40 cm hoch", "language_tag": "de_DE", "marketplace_id": de},
            {"value": "Warmweißes Licht", "language_tag": "de_DE", "marketplace_id": de},
        ],
        "product_description": [{"value": "Eine Lampe.", "language_tag": "de_DE"}],
        "power_plug_type": [
            {"value": "type_a_2pin_na", "marketplace_id": us},
            {"value": "type_f_2pin_eu", "marketplace_id": de},
        ],
        "voltage": [{"value": 230, "unit": "volts", "marketplace_id": de}],
    }
    listings = listings_of(attributes, summaries)
    assert set(listings) == {"US", "DE"}
    assert listings["DE"] == ListingContent(
        language="de",
        title="Schreibtischlampe",
        bullets=("Dimmbar, 40 cm hoch", "Warmweißes Licht"),
        description="Eine Lampe.",  # by its language tag: no marketplace named
        attributes={"power_plug_type": "type_f_2pin_eu", "voltage": "230 volts"},
    )
    assert listings["US"].bullets == ("Dimmable, 16 in tall",)
    assert listings["US"].description is None
    assert listings["US"].attributes == {"power_plug_type": "type_a_2pin_na"}


def test_certifications_are_read_as_the_product_type_definitions_name_them():
    """`fcc_radio_frequency_emission_compliance` has a registration status and an FCC ID
    (no `value`), `regulatory_compliance_certification` a regulation type and its number;
    a value for no marketplace is every one's. Attributes the definitions do not have
    (`input_voltage`, `size_chart`) are not read."""
    us = "ATVPDKIKX0DER"
    attributes = {
        "fcc_radio_frequency_emission_compliance": [
            {"registration_status": "has_fcc_id", "identification_number": "2AB12-SPK"}
        ],
        "regulatory_compliance_certification": [
            {"regulation_type": "cpsia_certificate", "value": "C-123", "marketplace_id": us}
        ],
        "input_voltage": [{"value": 230, "unit": "volts"}],
        "size_chart": [{"value": "M: 40 in"}],
    }
    [said] = listings_of(attributes, [Summary(marketplaceId=us, itemName="Speaker")]).values()
    assert said.attributes == {
        "fcc_radio_frequency_emission_compliance": "FCC has_fcc_id, FCC ID 2AB12-SPK",
        "regulatory_compliance_certification": "cpsia_certificate: C-123",
    }
    assert said.size_chart is None
