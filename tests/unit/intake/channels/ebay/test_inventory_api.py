"""eBay's offers give a catalog variant its price per market: one fixed-price offer per
eBay marketplace; an auction's start price, a site of no market of ours and an offer
without a price say nothing."""

from services.intake.channels.ebay.inventory_api import (
    InventoryItem,
    Offer,
    listings_of,
    prices_of,
    variant_of,
)
from services.intake.domain.catalog import ListingContent, Money


def offer(site: str, value: str | None, currency: str = "USD", **more) -> Offer:
    summary = {"price": {"value": value, "currency": currency}} if value else {}
    return Offer.model_validate({"marketplaceId": site, "pricingSummary": summary, **more})


def test_each_fixed_price_offer_prices_its_site_s_market():
    offers = [
        offer("EBAY_US", "49.99", listing={"listingId": "110553171190"}),
        offer("EBAY_GB", "39.49", "GBP"),
        offer("EBAY_DE", "10.00", "EUR", format="AUCTION"),
        offer("EBAY_AU", "80.00", "AUD"),
        offer("EBAY_FR", None),
    ]
    assert prices_of(offers) == {"US": Money(4999, "USD"), "UK": Money(3949, "GBP")}
    assert listings_of(offers) == {"ebay:EBAY_US": "110553171190"}


def test_an_item_offered_nowhere_has_no_price():
    item = InventoryItem.model_validate({"sku": "LMP-1", "product": {"title": "Desk Lamp"}})
    variant = variant_of(item, [])
    assert variant.prices == {} and variant.listing_ids == {"ebay": "LMP-1"}


def test_each_site_s_listing_content_is_the_offer_s_description_or_the_item_s():
    item = InventoryItem.model_validate(
        {
            "sku": "LMP-1",
            "locale": "en_US",
            "product": {
                "title": "Desk Lamp",
                "description": "Dimmable desk lamp, 16 in tall.",
                "aspects": {"Type": ["Desk Lamp"], "Plug Type": ["Type A", "Type B"]},
            },
        }
    )
    offers = [
        offer("EBAY_US", "49.99"),
        offer("EBAY_DE", "45.00", "EUR", listingDescription="Dimmbare Lampe, 40 cm hoch."),
        offer("EBAY_AU", "80.00", "AUD"),  # no market of ours
    ]
    listings = variant_of(item, offers).listings
    assert set(listings) == {"US", "DE"}
    assert listings["US"] == ListingContent(
        language="en",
        title="Desk Lamp",
        description="Dimmable desk lamp, 16 in tall.",
        attributes={"Type": "Desk Lamp", "Plug Type": "Type A; Type B"},
    )
    assert listings["DE"].description == "Dimmbare Lampe, 40 cm hoch."
    assert variant_of(item, []).listings == {}
