"""`shared/sandbox.py`: a production start-up warns of every outside API that is not the
real one."""

import logging

import pytest

from deploy.emulators.app import emulated_settings
from deploy.settings import StackSettings
from shared.sandbox import sandboxes_in, warn_of_sandboxes, why_not_real

REAL = {
    "ebay_api_base_url": "https://api.ebay.com",
    "walmart_api_base_url": "https://marketplace.walmartapis.com",
    "amazon_lwa_base_url": "https://api.amazon.com",
    "easypost_api_base_url": "https://api.easypost.com",
    "easypost_api_key": "EZAK-live-key",
    "buyer_page_base_url": "https://returns.example.com",  # buyers' links: public
}


def test_every_emulated_outside_api_is_named_when_set():
    emulated = emulated_settings("http://127.0.0.1:8099")
    settings = StackSettings(**{name.lower(): value for name, value in emulated.items()})
    named = {line.split(":")[0] for line in sandboxes_in(settings)}
    urls = {name for name in emulated if name.endswith(("_URL", "_API_KEY"))}
    assert urls <= named, urls - named


def test_real_apis_and_the_services_own_urls_are_not_named():
    settings = StackSettings(**REAL, intake_api_base_url="http://127.0.0.1:8001")
    assert sandboxes_in(settings) == []


@pytest.mark.parametrize(
    "url, named",
    [
        ("https://api.sandbox.ebay.com", True),
        ("https://sandbox.walmartapis.com", True),
        ("https://sandbox.sellingpartnerapi-na.amazon.com", True),
        ("http://localhost:8099/ebay", True),
        ("http://[::1]:8099/ebay", True),
        ("http://refunds.invalid", True),
        ("https://api.ebay.com", False),
        ("https://erp.seller.example.com", False),
        ("not a url", False),
    ],
)
def test_what_counts_as_not_real(url, named):
    assert (why_not_real(url) is not None) is named


def test_a_production_start_up_warns_and_a_development_one_does_not(caplog):
    sandboxed = {**REAL, "ebay_api_base_url": "https://api.sandbox.ebay.com"}
    with caplog.at_level(logging.WARNING, logger="shared.sandbox"):
        assert (
            warn_of_sandboxes("intake", StackSettings(environment="development", **sandboxed)) == []
        )
        found = warn_of_sandboxes("intake", StackSettings(environment="production", **sandboxed))
    assert found == ["EBAY_API_BASE_URL: api.sandbox.ebay.com is a sandbox"]
    assert [r.getMessage() for r in caplog.records] == [
        "intake runs in production against a sandbox or emulator: " + found[0]
    ]
