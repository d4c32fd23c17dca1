"""What the emulated EasyPost sells (`easypost.py` serves it): the carrier services of each
route with their rates, tracking codes in each carrier's own format, the 4×6 in label PDF,
and the carriers' pickup rates. Everything is derived from the request (a hash of the
addresses, the weight and the ids), so the same shipment always gets the same answers.

Carrier and service names are EasyPost's own, as its carrier metadata lists them
(`GET /v2/metadata/carriers`): USPS, UPS, FedEx, CanadaPost, RoyalMail, DPDUK, DPD and
DHLPaket with their service levels. Prices are in the origin country's currency."""

import hashlib
import io
import string
from dataclasses import dataclass
from decimal import Decimal

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

GRAMS_PER_OUNCE = Decimal("28.349523125")
EU = ("FR", "NL", "IT", "ES", "IE")
CURRENCY_OF = {"US": "USD", "CA": "CAD", "GB": "GBP", **dict.fromkeys(("DE", *EU), "EUR")}


@dataclass(frozen=True)
class CarrierService:
    carrier: str
    service: str
    delivery_days: int
    base_cents: int
    cents_per_pound: int
    max_ounces: int


def _services(*rows: tuple[str, str, int, int, int, int]) -> tuple[CarrierService, ...]:
    return tuple(CarrierService(*row) for row in rows)


# (carrier, service, days, base, per lb, max oz) by (origin, destination) country.
ROUTES: dict[tuple[str, str], tuple[CarrierService, ...]] = {
    ("US", "US"): _services(
        ("USPS", "GroundAdvantage", 3, 540, 95, 1120),
        ("USPS", "Priority", 2, 860, 150, 1120),
        ("USPS", "Express", 1, 2900, 260, 1120),
        ("UPS", "Ground", 3, 790, 110, 2400),
        ("UPS", "2ndDayAir", 2, 1700, 290, 2400),
        ("FedEx", "GROUND_HOME_DELIVERY", 3, 770, 105, 1120),
        ("FedEx", "FEDEX_GROUND", 3, 780, 105, 2400),
        ("FedEx", "FEDEX_2_DAY", 2, 1650, 285, 2400),
    ),
    ("US", "CA"): _services(
        ("USPS", "PriorityMailInternational", 6, 3100, 350, 1120),
        ("UPS", "UPSStandard", 4, 2400, 300, 2400),
        ("FedEx", "FEDEX_GROUND", 5, 2300, 290, 1120),
    ),
    ("CA", "CA"): _services(
        ("CanadaPost", "ExpeditedParcel", 3, 1150, 160, 1058),
        ("CanadaPost", "Xpresspost", 2, 1700, 230, 1058),
        ("UPS", "UPSStandard", 3, 1400, 190, 2400),
        ("FedEx", "FEDEX_GROUND", 3, 1350, 185, 2400),
    ),
    ("CA", "US"): _services(
        ("CanadaPost", "TrackedPacketUSA", 6, 1600, 420, 70),
        ("CanadaPost", "ExpeditedParcelUSA", 5, 2700, 330, 1058),
        ("UPS", "UPSStandard", 4, 2600, 320, 2400),
        ("FedEx", "FEDEX_GROUND", 5, 2400, 300, 1058),
    ),
    ("GB", "GB"): _services(
        ("RoyalMail", "Tracked48", 2, 370, 45, 705),
        ("RoyalMail", "Tracked24", 1, 470, 60, 705),
        ("DPDUK", "ParcelDpdNextDay", 1, 520, 40, 1058),
    ),
    ("DE", "DE"): _services(
        ("DHLPaket", "Paket", 2, 490, 35, 1102),
        ("DPD", "DPDCLASSIC", 2, 520, 40, 1102),
        ("UPS", "UPSStandard", 2, 780, 70, 2400),
    ),
    **{
        route: _services(
            ("DHLPaket", "PaketInternational", 4, 1390, 120, 1102),
            ("DPD", "DPDCLASSIC", 4, 1250, 110, 1102),
            ("UPS", "UPSStandard", 3, 1650, 150, 2400),
        )
        for country in EU
        for route in (("DE", country), (country, "DE"))  # out, and returns back
    },
}

# Every carrier's collection at a door: USPS's as EasyPost's docs show it, free.
PICKUP_RATES = {"USPS": ("NextDay", 0)}
OTHER_PICKUP = ("Pickup", 650)


def number_from(*parts: object) -> int:
    digest = hashlib.sha256(":".join(str(part) for part in parts).encode()).hexdigest()
    return int(digest, 16)


def object_id(prefix: str, *parts: object) -> str:
    """An EasyPost-style id: the object's prefix and 32 hex characters."""
    return f"{prefix}_{number_from(prefix, *parts) % 16**32:032x}"


def ounces(weight: float) -> Decimal:
    return Decimal(str(weight))


def crosses_customs(origin: str, destination: str) -> bool:
    """Between two countries outside one customs union (the EU's): customs data needed."""
    return origin != destination and not {origin, destination} <= {"DE", *EU}


def services_for(origin: str, destination: str) -> tuple[CarrierService, ...]:
    return ROUTES.get((origin.upper(), destination.upper()), ())


def price_cents(service: CarrierService, weight_oz: Decimal, from_zip: str, to_zip: str) -> int:
    """The base, a price per started pound, and up to 99 cents the postcodes decide."""
    pounds = max(1, -(-int(weight_oz) // 16))
    spread = number_from(service.carrier, service.service, from_zip, to_zip) % 100
    return service.base_cents + service.cents_per_pound * (pounds - 1) + spread


def money(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def digits(count: int, *seed: object) -> str:
    return f"{number_from(*seed) % 10**count:0{count}d}"


def s10(prefix: str, body: str, country: str) -> str:
    """A UPU S10 number: 8 digits and the check digit the standard defines."""
    total = sum(int(d) * w for d, w in zip(body, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    check = {10: 0, 11: 5}.get(check, check)
    return f"{prefix}{body}{check}{country}"


def tracking_code(carrier: str, shipment_id: str) -> str:
    """The carrier's own format, derived from the shipment."""
    if carrier == "USPS":
        return "9400" + digits(18, shipment_id)
    if carrier == "UPS":
        alphabet = string.ascii_uppercase + string.digits
        seed = number_from("ups", shipment_id)
        shipper = "".join(alphabet[(seed >> (6 * i)) % len(alphabet)] for i in range(6))
        return f"1Z{shipper}{digits(10, shipment_id)}"
    if carrier == "FedEx":
        return digits(12, shipment_id)
    if carrier == "RoyalMail":
        return s10("TT", digits(8, shipment_id), "GB")
    if carrier in ("DPD", "DPDUK"):
        return digits(14, shipment_id)
    if carrier == "DHLPaket":
        return "00340434" + digits(12, shipment_id)
    return digits(16, shipment_id)  # CanadaPost


def pickup_confirmation(pickup_id: str) -> str:
    return "WTC" + digits(8, pickup_id)


def label_pdf(shipment: dict) -> bytes:
    """A 4×6 in label: the carrier and service, both addresses, the tracking code as a
    Code128 barcode; marked as emulated, so nobody mails it."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(4 * inch, 6 * inch), invariant=True)  # same bytes each time
    rate = shipment["selected_rate"]
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(0.25 * inch, 5.6 * inch, f"{rate['carrier']} {rate['service']}")
    canvas.setFont("Helvetica", 7)
    canvas.drawString(0.25 * inch, 5.4 * inch, "EasyPost emulator - not valid postage")
    origin, destination = shipment["from_address"], shipment["to_address"]
    _address(canvas, "FROM", origin, 5.0 * inch, 9)
    _address(canvas, "SHIP TO", destination, 3.9 * inch, 12)
    code = shipment["tracking_code"]
    barcode = Code128(code, barWidth=0.011 * inch, barHeight=0.9 * inch, humanReadable=0)
    barcode.drawOn(canvas, (4 * inch - barcode.width) / 2, 1.3 * inch)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawCentredString(2 * inch, 1.05 * inch, code)
    canvas.setFont("Helvetica", 7)
    canvas.drawString(0.25 * inch, 0.4 * inch, f"{shipment['id']}  ref {shipment['reference']}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _address(canvas: Canvas, heading: str, address: dict, top: float, size: int) -> None:
    lines = [
        address.get("name") or "",
        address.get("street1") or "",
        address.get("street2") or "",
        " ".join(filter(None, (address.get("city"), address.get("state"), address.get("zip")))),
        address.get("country") or "",
    ]
    canvas.setFont("Helvetica-Bold", 7)
    canvas.drawString(0.25 * inch, top, heading)
    canvas.setFont("Helvetica", size)
    y = top - size * 1.3
    for line in filter(None, lines):
        canvas.drawString(0.25 * inch, y, line.encode("latin-1", "replace").decode("latin-1"))
        y -= size * 1.2
