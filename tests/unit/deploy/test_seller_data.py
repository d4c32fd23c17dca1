"""The demo seller's data `make run` loads is what analytics' API accepts, about the
sample listings."""

from deploy.samples import sample_cases
from deploy.seller_data import SALES_DAYS, SELLER_DATA, sample_sales
from services.analytics.domain.sales import SalesDay
from services.analytics.domain.taxonomy import SellerTaxonomy
from services.analytics.handlers.faq import Entry

SKUS = {case["items"][0]["sku"] for case in sample_cases()}


def test_every_sample_listing_sells_in_every_market_every_day_the_earbuds_few():
    sales = [SalesDay.model_validate(day) for day in sample_sales(sample_cases())]
    markets = {case["market"] for case in sample_cases()}
    assert len(sales) == len(SKUS) * len(markets) * SALES_DAYS
    assert {day.sku for day in sales} == SKUS and {day.market for day in sales} == markets
    earbuds = sum(day.units for day in sales if day.sku == "TWS-EB-A3-WHT")
    assert earbuds == 2 * len(markets) * SALES_DAYS


def test_the_taxonomy_and_faq_entries_are_valid_and_about_sample_listings():
    SellerTaxonomy.model_validate(SELLER_DATA["taxonomy"])
    for entry in SELLER_DATA["faq"]:
        assert entry["sku"] in SKUS
        Entry.model_validate({k: v for k, v in entry.items() if k not in ("sku", "entry_id")})
