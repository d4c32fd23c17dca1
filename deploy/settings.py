"""Every service's settings in one class: what the local launcher, the benches and the tests
hand to the five services (each reads only its own part); and the local warehouses Amazon
ships the sellers' unsellable FBA units to when they run here."""

from services.analytics.settings import AnalyticsSettings
from services.fulfillment.domain.warehouses import warehouses_for
from services.fulfillment.settings import FulfillmentSettings
from services.intake.settings import IntakeSettings
from services.refurbish.settings import RefurbishSettings
from services.resolution.settings import ResolutionSettings
from shared.markets import Market


class StackSettings(
    IntakeSettings, ResolutionSettings, FulfillmentSettings, RefurbishSettings, AnalyticsSettings
):
    pass


def removal_addresses() -> dict[str, dict[str, str]]:
    """AMAZON_REMOVAL_ADDRESSES of `make run` and the tests: for each market, the local
    warehouse fulfillment serves it from (the market's own country first)."""
    addresses = {}
    for market in Market:
        warehouse = warehouses_for(market)[0]
        city, _, state = warehouse.address.city.partition(", ")
        addresses[market.value] = {
            "name": warehouse.name[:50],
            "line1": warehouse.address.line1,
            "city": city,
            "state_or_region": state,
            "postal_code": warehouse.address.postal_code,
            "country_code": warehouse.address.country_code,
        }
    return addresses
