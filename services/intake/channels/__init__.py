"""The marketplace channels intake receives, one package each (`shopify/`, `walmart/`,
`ebay/`, `amazon/`, `generic/`), listed once in `registry.py`.

A package keeps what the marketplace sends (pure: read, verify, parse) apart from the
client of its API, and registers one `MarketplaceChannel` in its `channel.py`. This module
imports nothing, so that no package and submodule import each other.
"""
