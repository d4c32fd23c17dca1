"""Each market's Shopify listing in the market's language where the seller translated the
description (the `body_html` translation), else in the shop's primary language."""

from services.intake.channels.shopify.products_api import Product, variant_of

LAMP = Product.model_validate(
    {
        "id": "gid://shopify/Product/1",
        "title": "Desk Lamp",
        "descriptionHtml": "<p>Dimmable, <b>16 in</b> tall.</p>",
        "variants": {
            "pageInfo": {"hasNextPage": False},
            "nodes": [
                {
                    "id": "gid://shopify/ProductVariant/11",
                    "sku": "LMP-1",
                    "title": "Black",
                    "price": "39.99",
                    "selectedOptions": [{"name": "Color", "value": "Black"}],
                }
            ],
        },
    }
)
TITLES = {"en": "Desk Lamp", "de": "Schreibtischlampe", "fr": "Lampe de bureau"}
DESCRIPTIONS = {"de": "<p>Dimmbar, <b>40 cm</b> hoch.</p>"}


def test_each_market_s_listing_is_in_its_language_where_the_description_is_translated():
    variant = variant_of(LAMP, LAMP.variants.nodes[0], "EUR", TITLES, None, "en", DESCRIPTIONS)
    german, french = variant.listings["DE"], variant.listings["FR"]
    assert (german.language, german.title, german.description) == (
        "de",
        "Schreibtischlampe",
        "Dimmbar, 40 cm hoch.",
    )
    # No French description: the shop's own, in English (the audit finds it in English).
    assert (french.language, french.title, french.description) == (
        "en",
        "Desk Lamp",
        "Dimmable, 16 in tall.",
    )
    assert german.attributes == french.attributes == {"color": "Black"}


def test_a_market_of_the_shop_s_own_language_reads_the_shop_s_description():
    variant = variant_of(LAMP, LAMP.variants.nodes[0], "USD", TITLES, None, "en", DESCRIPTIONS)
    assert set(variant.listings) == {"US"}
    assert variant.listings["US"].language == "en"
    assert variant.listings["US"].description == "Dimmable, 16 in tall."
