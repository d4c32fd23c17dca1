"""The carrier's side of a label bought through EasyPost: the services it sells under its
own names, the shipment it rates, and which of its rates the seller's rate cards choose.

The rate cards stay the choice rule: their ranking (`carriers.ranked`, the cheapest service
keeping the promised date first) is walked until EasyPost rates a service; each service
passed over keeps its reason ("EasyPost sells no such service", or EasyPost's own rate
error for that carrier), which is recorded with the label.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from services.fulfillment.domain.carriers import Quote, ShippingRefused
from services.fulfillment.domain.customs import customs_line
from shared.events import CaseItem
from shared.labels import InvoiceLine

GRAMS_PER_OUNCE = Decimal("28.349523125")
MM_PER_INCH = Decimal("25.4")

# Each rate-card service as EasyPost's carrier metadata names it (carrier, service level).
# DHL Parcel UK is not a carrier EasyPost sells: its cards' service is passed over.
EASYPOST_SERVICES: dict[str, tuple[str, str]] = {
    "USPS-GA": ("USPS", "GroundAdvantage"),
    "USPS-PM": ("USPS", "Priority"),
    "USPS-PMI": ("USPS", "PriorityMailInternational"),
    "UPS-GND": ("UPS", "Ground"),
    "UPS-2DA": ("UPS", "2ndDayAir"),
    "UPS-STD-US-CA": ("UPS", "UPSStandard"),
    "UPS-STD-CA": ("UPS", "UPSStandard"),
    "UPS-STD-CA-US": ("UPS", "UPSStandard"),
    "UPS-STD-EU": ("UPS", "UPSStandard"),
    "FDX-HD": ("FedEx", "GROUND_HOME_DELIVERY"),
    "FDX-2D": ("FedEx", "FEDEX_2_DAY"),
    "FDX-IG-US-CA": ("FedEx", "FEDEX_GROUND"),
    "FDX-GND-CA": ("FedEx", "FEDEX_GROUND"),
    "FDX-IG-CA-US": ("FedEx", "FEDEX_GROUND"),
    "CP-EXP": ("CanadaPost", "ExpeditedParcel"),
    "CP-XP": ("CanadaPost", "Xpresspost"),
    "CP-TP-USA": ("CanadaPost", "TrackedPacketUSA"),
    "CP-EXP-USA": ("CanadaPost", "ExpeditedParcelUSA"),
    "RM-T48": ("RoyalMail", "Tracked48"),
    "RM-T24": ("RoyalMail", "Tracked24"),
    "DPD-ND-UK": ("DPDUK", "ParcelDpdNextDay"),
    "DPD-CLASSIC": ("DPD", "DPDCLASSIC"),
    "DHL-PAKET": ("DHLPaket", "Paket"),
    "DHL-PAKET-INT": ("DHLPaket", "PaketInternational"),
}


# Countries of one customs union: a parcel between two of them declares nothing.
CUSTOMS_UNION = frozenset({"DE", "FR", "NL", "IT", "ES", "IE"})


@dataclass(frozen=True)
class CustomsDeclaration:
    """What a parcel crossing a customs border declares, line by line (EasyPost's
    CustomsInfo): goods sold, or goods coming back."""

    lines: tuple[InvoiceLine, ...]
    currency: str
    returned_goods: bool


def customs_for(
    origin_country: str,
    destination_country: str,
    items: list[CaseItem],
    currency: str,
    returned_goods: bool,
) -> CustomsDeclaration | None:
    """The declaration of a parcel from one country to another outside one customs union;
    None when it crosses no customs border."""
    if origin_country == destination_country:
        return None
    if {origin_country, destination_country} <= CUSTOMS_UNION:
        return None
    return CustomsDeclaration(tuple(customs_line(item) for item in items), currency, returned_goods)


@dataclass(frozen=True)
class CarrierRate:
    """One of EasyPost's rates of a shipment; `amount` as EasyPost writes it ("6.07")."""

    rate_id: str
    carrier: str
    service: str
    amount: str
    currency: str

    @property
    def amount_minor(self) -> int:
        cents = Decimal(self.amount) * 100
        return int(cents.to_integral_value(rounding=ROUND_HALF_UP))

    def sells(self, carrier: str, service: str) -> bool:
        return (self.carrier.lower(), self.service.lower()) == (carrier.lower(), service.lower())


@dataclass(frozen=True)
class CarrierShipment:
    """An EasyPost shipment: its rates, and once bought, the rate, tracking code and label
    (a URL, of `label_type`); `rate_errors` by carrier, as EasyPost's `messages` say."""

    shipment_id: str
    reference: str | None
    weight_oz: Decimal
    rates: tuple[CarrierRate, ...]
    rate_errors: dict[str, str]
    bought: CarrierRate | None = None
    tracking_number: str | None = None
    label_url: str | None = None
    label_type: str | None = None
    refund_status: str | None = None

    @property
    def is_bought(self) -> bool:
        return self.bought is not None and bool(self.tracking_number)


@dataclass(frozen=True)
class Choice:
    """The rate to buy, the cards' quote it stands for, and why the quotes ranked above it
    were passed over."""

    quote: Quote
    rate: CarrierRate
    passed_over: tuple[str, ...] = ()


def ounces(weight_g: int) -> Decimal:
    """EasyPost weighs parcels in ounces, to a tenth."""
    return max(
        Decimal("0.1"),
        (Decimal(weight_g) / GRAMS_PER_OUNCE).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
    )


def inches(length_mm: int) -> Decimal:
    """EasyPost measures parcels in inches, to a tenth; rounded up, so the box declared is
    never smaller than the one the carrier measures."""
    return max(
        Decimal("0.1"),
        (Decimal(length_mm) / MM_PER_INCH).quantize(Decimal("0.1"), rounding=ROUND_CEILING),
    )


def choose_rate(ranked: Sequence[Quote], shipment: CarrierShipment) -> Choice:
    """The first quote of the cards' ranking EasyPost rated; `ShippingRefused` with every
    reason when it rated none of them."""
    passed_over: list[str] = []
    for quote in ranked:
        rate, reason = _rate_for(quote, shipment)
        if rate is not None:
            return Choice(quote, rate, tuple(passed_over))
        passed_over.append(f"{quote.service}: {reason}")
    raise ShippingRefused(
        "EasyPost rated none of the services the rate cards offer: " + "; ".join(passed_over)
    )


def choice_of_bought(ranked: Sequence[Quote], shipment: CarrierShipment) -> Choice | None:
    """The choice a shipment bought already stands for (its label was bought by an earlier
    try whose answer was lost, or by a concurrent one); None when no quote matches it."""
    bought = shipment.bought
    if bought is None:
        return None
    for quote in ranked:
        wanted = EASYPOST_SERVICES.get(quote.service_code)
        if wanted is not None and bought.sells(*wanted):
            return Choice(quote, bought)
    return None


def _rate_for(quote: Quote, shipment: CarrierShipment) -> tuple[CarrierRate | None, str]:
    wanted = EASYPOST_SERVICES.get(quote.service_code)
    if wanted is None:
        return None, "EasyPost sells no such service"
    carrier, service = wanted
    rate = next((r for r in shipment.rates if r.sells(carrier, service)), None)
    if rate is not None:
        return rate, ""
    said = next(
        (
            message
            for name, message in shipment.rate_errors.items()
            if name.lower() == carrier.lower()
        ),
        None,
    )
    return None, f"EasyPost gave no {carrier} {service} rate" + (f" ({said})" if said else "")
