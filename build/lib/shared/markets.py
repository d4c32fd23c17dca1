"""Markets the sellers ship to, their region, currency and language."""

from enum import StrEnum


class Region(StrEnum):
    NA = "NA"
    UK = "UK"
    EU = "EU"


class Currency(StrEnum):
    USD = "USD"
    CAD = "CAD"
    GBP = "GBP"
    EUR = "EUR"


class Market(StrEnum):
    US = "US"
    CA = "CA"
    UK = "UK"
    DE = "DE"
    FR = "FR"
    IT = "IT"
    ES = "ES"
    NL = "NL"
    IE = "IE"


REGION_OF: dict[Market, Region] = {
    Market.US: Region.NA,
    Market.CA: Region.NA,
    Market.UK: Region.UK,
    **{m: Region.EU for m in (Market.DE, Market.FR, Market.IT, Market.ES, Market.NL, Market.IE)},
}

CURRENCY_OF: dict[Market, Currency] = {
    Market.US: Currency.USD,
    Market.CA: Currency.CAD,
    Market.UK: Currency.GBP,
    **{m: Currency.EUR for m in (Market.DE, Market.FR, Market.IT, Market.ES, Market.NL, Market.IE)},
}

DEFAULT_LANGUAGE_OF: dict[Market, str] = {
    Market.US: "en",
    Market.CA: "en",
    Market.UK: "en",
    Market.IE: "en",
    Market.DE: "de",
    Market.FR: "fr",
    Market.IT: "it",
    Market.ES: "es",
    Market.NL: "nl",
}

# Minor units per major unit; every currency served today has cents or pence.
MINOR_UNITS: dict[Currency, int] = {c: 100 for c in Currency}

# ISO 3166 says GB; marketplaces and sellers say UK. Both are accepted.
MARKET_ALIASES = {"GB": "UK"}
