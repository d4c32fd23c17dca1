"""A listing's name per language: `item_name`'s language tags first, then each
marketplace's summary in that marketplace's language."""

from services.intake.channels.amazon.listings_api import Summary, titles_of


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
