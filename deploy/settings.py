"""Every service's settings in one class: what the local launcher, the benches and the tests
hand to the five services (each reads only its own part)."""

from services.analytics.settings import AnalyticsSettings
from services.fulfillment.settings import FulfillmentSettings
from services.intake.settings import IntakeSettings
from services.refurbish.settings import RefurbishSettings
from services.resolution.settings import ResolutionSettings


class StackSettings(
    IntakeSettings, ResolutionSettings, FulfillmentSettings, RefurbishSettings, AnalyticsSettings
):
    pass
