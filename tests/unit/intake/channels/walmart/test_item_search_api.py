"""An item's listing as Walmart's Item Search answers it in the spec format: its name,
key features, description's words and the product type's plain attributes; none when
nothing is published."""

from services.intake.channels.walmart.item_search_api import SpecAnswer, content_of
from services.intake.domain.catalog import ListingContent

SPEC = {
    "MPItemFeedHeader": {"businessUnit": "WALMART_US", "locale": "en", "version": "5.0"},
    "MPItem": [
        {
            "Orderable": {
                "productIdentifiers": {"productIdType": "GTIN", "productId": "00012345678905"},
                "productName": "Desk Lamp (Black)",
            },
            "Visible": {
                "Lamps": {
                    "shortDescription": "<p>A dimmable <b>desk lamp</b> &amp; charger.</p>",
                    "keyFeatures": ["US plug (type A), 120 V", "", "FCC compliant"],
                    "mainImageUrl": "https://i5.walmartimages.example/lamp.jpeg",
                    "color": "Black",
                    "assembledProductHeight": {"measure": 16, "unit": "in"},
                    "material": ["Aluminium", "Glass"],
                    "isProp65WarningRequired": False,
                    "variantAttributeNames": [{"nested": "ignored"}],
                }
            },
        }
    ],
}


def test_the_spec_item_becomes_the_us_listing_s_content():
    [item] = SpecAnswer.model_validate(SPEC).MPItem
    assert content_of(item) == ListingContent(
        language="en",
        title="Desk Lamp (Black)",
        bullets=("US plug (type A), 120 V", "FCC compliant"),
        description="A dimmable desk lamp & charger.",
        attributes={
            "color": "Black",
            "assembledProductHeight": "16 in",
            "material": "Aluminium, Glass",
        },
    )


def test_nothing_published_is_an_empty_answer():
    assert SpecAnswer.model_validate({}).MPItem == []
