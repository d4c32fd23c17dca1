"""The printable documents every service makes: shipping and return labels, FNSKU unit
labels and commercial invoices, each a pure function returning PDF bytes; the labels also
as ZPL for thermal printers (Zebra, 203 dpi), from the same label data.

The content is frozen dataclasses that refuse what a carrier or customs would refuse (an
empty tracking number, no weight, an invoice without lines, a malformed HS code), so a
document is never printed from bad data.

Text is set in Bitstream Vera, the TrueType font that ships inside reportlab, so it is
embedded in every PDF and the same on every machine. Vera covers Latin-1 and most of
Latin Extended-A ("Zoë", "Straße", "Łódź" but for the "ź"). A character it lacks is printed
as its base letter when it has one ("ź" as "z", the usual transliteration on postal
labels) and as "?" otherwise (e.g. CJK), so no character ever prints as a blank box.
"""

import io
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from functools import cache
from xml.sax.saxutils import escape

import zpl
from babel import Locale
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch, mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Frame,
    KeepInFrame,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

SANS = "LabelSans"
SANS_BOLD = "LabelSans-Bold"

LABEL_PAGE = (4 * inch, 6 * inch)  # 288 x 432 pt, the thermal shipping label
FNSKU_PAGE = (2.25 * inch, 1.25 * inch)  # 162 x 90 pt, the thermal unit label
ELLIPSIS = "…"

# Countries that write the postal code before the city ("80331 München").
POSTCODE_BEFORE_CITY = frozenset(
    "AT BE CH CZ DE DK ES FI FR GR HR HU IS IT LU NL NO PL PT RO SE SI SK".split()  # noqa: SIM905
)
# Weights are also shown in pounds for parcels from or to these countries.
POUND_COUNTRIES = frozenset({"US", "CA"})
# Marketplaces say UK where ISO 3166 says GB.
COUNTRY_ALIASES = {"UK": "GB"}
GRAMS_PER_POUND = Decimal("453.59237")


# --- content -------------------------------------------------------------------------


def _require_text(value: str, what: str) -> None:
    if not value or not value.strip():
        raise ValueError(f"{what} must not be empty")


def _require_barcode_text(value: str, what: str) -> None:
    """Code128 carries printable ASCII only."""
    _require_text(value, what)
    if not all(" " <= char <= "~" for char in value):
        raise ValueError(f"{what} {value!r} must be printable ASCII to go in a Code128 barcode")


def _require_country(code: str, what: str) -> None:
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise ValueError(f"{what} {code!r} must be a two-letter country code")


@dataclass(frozen=True)
class PostalAddress:
    name: str
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country_code: str

    def __post_init__(self) -> None:
        _require_text(self.name, "the address name")
        _require_text(self.line1, "the first address line")
        _require_text(self.city, "the city")
        _require_country(self.country_code, "the country code")


@dataclass(frozen=True)
class ShippingLabel:
    sender: PostalAddress
    recipient: PostalAddress
    carrier: str
    service: str
    weight_g: int
    tracking_number: str
    reference: str  # the shipment id, or the RMA of a return
    drop_off_code: str | None  # shown by the buyer at a drop-off point; None when outbound
    ships_on: date | None

    def __post_init__(self) -> None:
        _require_text(self.carrier, "the carrier")
        _require_text(self.service, "the service")
        _require_barcode_text(self.tracking_number, "the tracking number")
        if self.weight_g <= 0:
            raise ValueError(f"the parcel weight must be positive, not {self.weight_g} g")
        if self.drop_off_code is not None:
            _require_text(self.drop_off_code, "the drop-off code")


def _hs_digits(hs_code: str) -> str:
    """The digits of an HS code written with or without dots ("8518.22", "851822")."""
    groups = hs_code.split(".")
    if not all(group.isascii() and group.isdigit() for group in groups):
        raise ValueError(f"the HS code {hs_code!r} must be digits, optionally dotted")
    digits = "".join(groups)
    if not 6 <= len(digits) <= 10:
        raise ValueError(f"the HS code {hs_code!r} must have 6 to 10 digits, not {len(digits)}")
    return digits


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    hs_code: str
    origin_country: str
    quantity: int
    unit_value_minor: int
    weight_g: int  # the net weight of the whole line, all units together

    def __post_init__(self) -> None:
        _require_text(self.description, "the line description")
        _hs_digits(self.hs_code)
        _require_country(self.origin_country, "the country of origin")
        if self.quantity <= 0:
            raise ValueError(f"the quantity of {self.description!r} must be positive")
        if self.unit_value_minor < 0:
            raise ValueError(f"the unit value of {self.description!r} must not be negative")
        if self.weight_g <= 0:
            raise ValueError(f"the weight of {self.description!r} must be positive")

    @property
    def value_minor(self) -> int:
        return self.quantity * self.unit_value_minor


@dataclass(frozen=True, kw_only=True)
class CommercialInvoice:
    number: str
    date: date
    shipper: PostalAddress
    consignee: PostalAddress
    currency: str
    reason: str  # the reason for export, e.g. "Return of goods for repair"
    incoterm: str = "DAP"
    lines: Sequence[InvoiceLine]  # kept as a tuple

    def __post_init__(self) -> None:
        _require_text(self.number, "the invoice number")
        _require_text(self.reason, "the reason for export")
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValueError(f"the currency {self.currency!r} must be a three-letter code")
        if not self.lines:
            raise ValueError("a commercial invoice needs at least one line")
        object.__setattr__(self, "lines", tuple(self.lines))

    @property
    def total_value_minor(self) -> int:
        return sum(line.value_minor for line in self.lines)

    @property
    def total_weight_g(self) -> int:
        return sum(line.weight_g for line in self.lines)


# --- text ----------------------------------------------------------------------------


def _register_fonts() -> frozenset[int]:
    """Registers the label fonts with reportlab; the code points both of them can print."""
    pdfmetrics.registerFont(TTFont(SANS, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(SANS_BOLD, "VeraBd.ttf"))
    regular, bold = (pdfmetrics.getFont(name).face.charToGlyph for name in (SANS, SANS_BOLD))
    return frozenset(regular) & frozenset(bold)


COVERED_CHARACTERS = _register_fonts()


def _printable_character(char: str, covered: frozenset[int]) -> str:
    if ord(char) in covered or char == "\n":
        return char
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if base and all(ord(c) in covered for c in base):
        return base
    return "?"


def printable(text: str) -> str:
    """The text as the label fonts print it: uncovered characters as their base letter."""
    return "".join(_printable_character(char, COVERED_CHARACTERS) for char in text)


def _style(size: float, bold: bool = False, **options: object) -> ParagraphStyle:
    font = SANS_BOLD if bold else SANS
    return ParagraphStyle(
        f"{font}-{size}", fontName=font, fontSize=size, leading=size * 1.2, **options
    )


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(printable(text)), style)


def _ellipsized(text: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + ELLIPSIS, font, size) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def _fitted_lines(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """The text wrapped to the width on at most max_lines lines, cut with an ellipsis."""
    lines = simpleSplit(printable(text), font, size, width)
    if len(lines) > max_lines:
        last = " ".join(lines[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], _ellipsized(last + ELLIPSIS, font, size, width)]
    return [_ellipsized(line, font, size, width) for line in lines]


def _weight_in(weight_g: int, grams_per_unit: Decimal) -> Decimal:
    """Rounded up to the next tenth, as carriers bill: never understated, never 0.0."""
    return (Decimal(weight_g) / grams_per_unit).quantize(Decimal("0.1"), rounding=ROUND_CEILING)


def weight_text(weight_g: int, in_pounds_too: bool) -> list[str]:
    """["1.3 kg"] or, for a parcel from or to the US or Canada, ["1.3 kg", "2.8 lb"]."""
    lines = [f"{_weight_in(weight_g, Decimal(1000))} kg"]
    if in_pounds_too:
        lines.append(f"{_weight_in(weight_g, GRAMS_PER_POUND)} lb")
    return lines


def money_text(amount_minor: int, currency: str) -> str:
    """1234.50 USD from 123450 minor units: "1,234.50 USD"."""
    return f"{Decimal(amount_minor).scaleb(-2):,.2f} {currency.upper()}"


@cache
def _country_names() -> dict[str, str]:
    return dict(Locale("en").territories)


def _country_name(code: str) -> str:
    code = code.upper()
    return _country_names().get(COUNTRY_ALIASES.get(code, code), code)


def _locality(address: PostalAddress) -> str:
    """The city line: "80331 München" in most of Europe, "Austin, TX 78701" elsewhere."""
    if address.country_code.upper() in POSTCODE_BEFORE_CITY:
        parts = [address.postal_code, address.city, address.region]
        return " ".join(part for part in parts if part)
    city = f"{address.city}, {address.region}" if address.region else address.city
    return f"{city} {address.postal_code}".strip()


def address_lines(address: PostalAddress) -> list[str]:
    """The address as printed, name first and country name last."""
    street = [address.line1, address.line2] if address.line2 else [address.line1]
    return [address.name, *street, _locality(address), _country_name(address.country_code)]


# --- drawing on a label --------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def top(self) -> float:
        return self.y + self.height


def _draw_fitted(canvas: Canvas, box: Box, flowables: list[Flowable]) -> None:
    """Wraps the flowables into the box, shrinking them all when they would overflow."""
    frame = Frame(box.x, box.y, box.width, box.height, 0, 0, 0, 0)
    frame.addFromList([KeepInFrame(box.width, box.height, flowables, mode="shrink")], canvas)


def _code128(value: str, width: float, height: float, max_bar_width: float) -> Code128:
    """A Code128 barcode as wide as fits, with quiet zones of 10 bars on each side."""
    modules = Code128(value, barWidth=1, quiet=0).width
    bar_width = min(max_bar_width, width / (modules + 20))
    quiet = 10 * bar_width
    return Code128(
        value, barWidth=bar_width, barHeight=height, lquiet=quiet, rquiet=quiet, humanReadable=0
    )


def _draw_code128(canvas: Canvas, box: Box, value: str, max_bar_width: float) -> None:
    barcode = _code128(value, box.width, box.height, max_bar_width)
    barcode.drawOn(canvas, box.x + (box.width - barcode.width) / 2, box.y)


def _draw_qr(canvas: Canvas, x: float, y: float, size: float, value: str) -> None:
    drawing = Drawing(size, size)
    drawing.add(QrCodeWidget(value, barWidth=size, barHeight=size, barLevel="M"))
    renderPDF.draw(drawing, canvas, x, y)


def _draw_centred(canvas: Canvas, box: Box, y: float, text: str, font: str, size: float) -> None:
    """One line centred in the box, in a smaller size when it would be wider than the box."""
    text = printable(text)
    size = min(size, size * box.width / pdfmetrics.stringWidth(text, font, size))
    canvas.setFont(font, size)
    canvas.drawCentredString(box.x + box.width / 2, y, text)


def _rule(canvas: Canvas, box: Box, y: float) -> None:
    canvas.setLineWidth(0.8)
    canvas.line(box.x, y, box.x + box.width, y)


# --- the shipping label --------------------------------------------------------------

LABEL_MARGIN = 10
SECTION_GAP = 6
LabelSection = Callable[[Canvas, Box, ShippingLabel], None]


def _banner_section(text: str) -> LabelSection:
    def draw(canvas: Canvas, box: Box, label: ShippingLabel) -> None:
        canvas.setFillColor(colors.black)
        canvas.rect(box.x, box.y, box.width, box.height, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        _draw_centred(canvas, box, box.y + 6, text, SANS_BOLD, box.height - 8)
        canvas.setFillColor(colors.black)

    return draw


def _service_section(canvas: Canvas, box: Box, label: ShippingLabel) -> None:
    service_box = Box(box.x, box.y, box.width * 0.66, box.height)
    service = [
        _paragraph(label.carrier, _style(15, bold=True)),
        _paragraph(label.service, _style(10)),
    ]
    if label.ships_on:
        service.append(_paragraph(f"Ship date {label.ships_on.isoformat()}", _style(8)))
    _draw_fitted(canvas, service_box, service)

    countries = {label.sender.country_code.upper(), label.recipient.country_code.upper()}
    kg, *lb = weight_text(label.weight_g, in_pounds_too=bool(countries & POUND_COUNTRIES))
    weight_box = Box(
        service_box.x + service_box.width, box.y, box.width - service_box.width, box.height
    )
    weight = [_paragraph(kg, _style(14, bold=True, alignment=TA_RIGHT))]
    weight += [_paragraph(text, _style(10, alignment=TA_RIGHT)) for text in lb]
    _draw_fitted(canvas, weight_box, weight)


def _sender_section(canvas: Canvas, box: Box, label: ShippingLabel) -> None:
    name, *rest = address_lines(label.sender)
    block = [_paragraph("FROM", _style(7, bold=True)), _paragraph(name, _style(9, bold=True))]
    block += [_paragraph(line, _style(8)) for line in rest]
    _draw_fitted(canvas, box, block)


def _recipient_section(canvas: Canvas, box: Box, label: ShippingLabel) -> None:
    name, *street, locality, country = address_lines(label.recipient)
    block = [_paragraph("SHIP TO", _style(8, bold=True)), _paragraph(name, _style(15, bold=True))]
    block += [_paragraph(line, _style(13)) for line in street]
    block += [
        _paragraph(locality, _style(15, bold=True)),
        _paragraph(country.upper(), _style(13, bold=True)),
    ]
    _draw_fitted(canvas, box, block)


def _tracking_section(canvas: Canvas, box: Box, label: ShippingLabel) -> None:
    bars = Box(box.x, box.y + 16, box.width, box.height - 16)
    _draw_code128(canvas, bars, label.tracking_number, max_bar_width=1.5)
    _draw_centred(canvas, box, box.y + 2, label.tracking_number, SANS_BOLD, 11)


def _reference_section(canvas: Canvas, box: Box, label: ShippingLabel) -> None:
    reference = [_paragraph("REF", _style(8, bold=True)), _paragraph(label.reference, _style(11))]
    if label.drop_off_code is None:
        _draw_fitted(canvas, box, reference)
        return
    _draw_qr(canvas, box.x, box.y, box.height, label.drop_off_code)
    text_box = Box(box.x + box.height + 6, box.y, box.width - box.height - 6, box.height)
    drop_off = [
        _paragraph("DROP-OFF CODE", _style(8, bold=True)),
        _paragraph(label.drop_off_code, _style(14, bold=True)),
        _paragraph("Show this code at the drop-off point.", _style(7)),
        Spacer(0, 6),
    ]
    _draw_fitted(canvas, text_box, drop_off + reference)


# Top to bottom, with fixed heights; the recipient takes the rest of the page.
LABEL_SECTIONS: list[tuple[float | None, LabelSection]] = [
    (40, _service_section),
    (56, _sender_section),
    (None, _recipient_section),
    (80, _tracking_section),
    (84, _reference_section),
]


def _label_pdf(label: ShippingLabel, banner: str | None) -> bytes:
    sections = (
        LABEL_SECTIONS if banner is None else [(22, _banner_section(banner)), *LABEL_SECTIONS]
    )
    page_width, page_height = LABEL_PAGE
    content = Box(
        LABEL_MARGIN, LABEL_MARGIN, page_width - 2 * LABEL_MARGIN, page_height - 2 * LABEL_MARGIN
    )
    fixed = sum(height for height, _ in sections if height is not None)
    flexible = content.height - fixed - SECTION_GAP * (len(sections) - 1)

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LABEL_PAGE, pageCompression=1)
    canvas.setTitle(f"{label.carrier} {label.tracking_number}")
    top = content.top
    for index, (height, draw) in enumerate(sections):
        height = flexible if height is None else height
        draw(canvas, Box(content.x, top - height, content.width, height), label)
        top -= height + SECTION_GAP
        if index < len(sections) - 1:
            _rule(canvas, content, top + SECTION_GAP / 2)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def shipping_label_pdf(label: ShippingLabel) -> bytes:
    """A 4 x 6 in thermal shipping label: one page of PDF."""
    return _label_pdf(label, banner=None)


def return_label_pdf(label: ShippingLabel) -> bytes:
    """The shipping label under a black RETURN banner, for the parcel a buyer sends back."""
    return _label_pdf(label, banner="RETURN")


# --- the FNSKU unit label ------------------------------------------------------------


def fnsku_label_pdf(fnsku: str, title: str, condition: str) -> bytes:
    """An Amazon-style 2.25 x 1.25 in unit label: FNSKU barcode, FNSKU, title, condition."""
    _require_barcode_text(fnsku, "the FNSKU")
    _require_text(title, "the title")
    _require_text(condition, "the condition")
    margin = 5
    text = Box(margin, margin, FNSKU_PAGE[0] - 2 * margin, FNSKU_PAGE[1] - 2 * margin)

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=FNSKU_PAGE, pageCompression=1)
    canvas.setTitle(f"FNSKU {fnsku}")
    _draw_code128(canvas, Box(text.x, 52, text.width, 33), fnsku, max_bar_width=1.0)
    _draw_centred(canvas, text, 43, fnsku, SANS_BOLD, 8)
    canvas.setFont(SANS, 6.5)
    for number, line in enumerate(_fitted_lines(title, SANS, 6.5, text.width, max_lines=2)):
        canvas.drawString(text.x, 33 - number * 7.5, line)
    canvas.setFont(SANS_BOLD, 7)
    canvas.drawString(text.x, 8, _fitted_lines(condition, SANS_BOLD, 7, text.width, 1)[0])
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- ZPL for thermal printers ---------------------------------------------------------
#
# The same labels for the Zebra printers most warehouses use (203 dpi: 8 dots a millimetre),
# built by the `zpl` library from the same label data as the PDFs. Text is UTF-8 (^CI28) in
# the printer's scalable font, each line its own field cut to the label's width; field data
# goes through ^FH so that a ^ or ~ in an address is printed, not obeyed.

ZPL_DPMM = 8  # 203 dpi
ZPL_SHIPPING = (812, 1218)  # 4 x 6 in, in dots
ZPL_FNSKU = (457, 254)  # 2.25 x 1.25 in, in dots
ZPL_MARGIN = 16  # dots
# The printer's font 0 drawn this wide for its height; a line is cut so that even its widest
# glyphs (each at most this wide) fit.
ZPL_GLYPH_WIDTH = 0.6


def _zpl_field_data(text: str) -> str:
    """Text as ^FH data: the ZPL command characters and the hex indicator as hex codes."""
    return printable(text).replace("_", "_5F").replace("^", "_5E").replace("~", "_7E")


def _zpl_glyph(height: int) -> int:
    return max(1, round(height * ZPL_GLYPH_WIDTH))


def zpl_line_fits(text: str, height: int, width: int) -> bool:
    """Whether a line of text in the printer's font, `height` dots high, fits `width` dots."""
    return len(text) * _zpl_glyph(height) <= width


def _zpl_lines(text: str, height: int, width: int, max_lines: int) -> list[str]:
    """The text wrapped to `width` dots on at most max_lines lines, cut with an ellipsis."""
    per_line = max(1, width // _zpl_glyph(height))
    words, lines, line = printable(text).split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if len(candidate) <= per_line:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
    lines.append(line)
    lines = [piece for line in lines for piece in _cut(line, per_line)]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1]]
        lines[-1] = lines[-1][: per_line - 1].rstrip() + ELLIPSIS
    return lines


def _cut(line: str, per_line: int) -> list[str]:
    return [line[start : start + per_line] for start in range(0, max(len(line), 1), per_line)]


class _ZplLabel:
    """A label being written in dots (the `zpl` library works in millimetres)."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.width, self.height = size
        self.label = zpl.Label(self.height / ZPL_DPMM, self.width / ZPL_DPMM, dpmm=ZPL_DPMM)
        self.label.change_international_font(28)  # field data in UTF-8

    def text(self, x: int, y: int, text: str, height: int) -> None:
        """One line at (x, y), which must fit the label."""
        if not zpl_line_fits(text, height, self.width - x) or y + height > self.height:
            raise ValueError(f"the line {text!r} does not fit the label")
        self.label.origin(x / ZPL_DPMM, y / ZPL_DPMM)
        self.label.zpl_raw("^FH")
        glyph = _zpl_glyph(height)
        self.label.write_text(
            _zpl_field_data(text), char_height=height / ZPL_DPMM, char_width=glyph / ZPL_DPMM
        )
        self.label.endorigin()

    def lines(self, x: int, y: int, text: str, height: int, max_lines: int) -> int:
        """The text wrapped on at most max_lines lines from (x, y): the y below them."""
        for line in _zpl_lines(text, height, self.width - x - ZPL_MARGIN, max_lines):
            self.text(x, y, line, height)
            y += round(height * 1.15)
        return y

    def code128(self, x: int, y: int, value: str, height: int) -> None:
        """A Code 128 barcode of `value` at (x, y), its bars as wide as fit the label."""
        _require_barcode_text(value, "the barcode")
        modules = 11 * (len(value) + 3) + 2  # start, data, check digit, stop (subset B)
        module = min(3, (self.width - x - ZPL_MARGIN) // modules)
        if module < 1:
            raise ValueError(f"the barcode {value!r} is too long for the label")
        self.label.origin(x / ZPL_DPMM, y / ZPL_DPMM)
        self.label.zpl_raw(f"^BY{module}^FH")
        data = _zpl_field_data(value)
        self.label.barcode("C", data, height=height, print_interpretation_line="N")
        self.label.endorigin()

    def qr(self, x: int, y: int, value: str, magnification: int) -> None:
        self.label.origin(x / ZPL_DPMM, y / ZPL_DPMM)
        self.label.barcode("Q", value, magnification=magnification, errorCorrection="M")
        self.label.endorigin()

    def rule(self, y: int) -> None:
        self.label.origin(ZPL_MARGIN / ZPL_DPMM, y / ZPL_DPMM)
        self.label.draw_box(
            (self.width - 2 * ZPL_MARGIN) / ZPL_DPMM, 3 / ZPL_DPMM, thickness=3 / ZPL_DPMM
        )
        self.label.endorigin()

    def band(self, y: int, height: int, text: str) -> None:
        """A black band across the label with `text` reversed out of it."""
        self.label.origin(0, y / ZPL_DPMM)
        self.label.draw_box(self.width / ZPL_DPMM, height / ZPL_DPMM, thickness=height / ZPL_DPMM)
        self.label.endorigin()
        self.label.zpl_raw("^FR")
        self.text(ZPL_MARGIN, y + 8, text, height - 16)

    def zpl(self) -> str:
        return self.label.dumpZPL()


@dataclass(frozen=True)
class FnskuLabel:
    """A marketplace unit label: the FNSKU (as barcode and text), the title, the condition."""

    fnsku: str
    title: str
    condition: str

    def __post_init__(self) -> None:
        _require_barcode_text(self.fnsku, "the FNSKU")
        _require_text(self.title, "the title")
        _require_text(self.condition, "the condition")


def fnsku_label_zpl(label: FnskuLabel) -> str:
    """The FNSKU unit label (2.25 x 1.25 in at 203 dpi) as ZPL, as `fnsku_label_pdf` draws it."""
    zebra = _ZplLabel(ZPL_FNSKU)
    zebra.code128(ZPL_MARGIN, 12, label.fnsku, height=80)
    zebra.text(ZPL_MARGIN, 98, label.fnsku, 24)
    y = zebra.lines(ZPL_MARGIN, 128, label.title, 20, max_lines=2)
    zebra.text(ZPL_MARGIN, max(y + 2, 206), _zpl_lines(label.condition, 24, 400, 1)[0], 24)
    return zebra.zpl()


def _zpl_address(zebra: _ZplLabel, y: int, heading: str, address: PostalAddress, big: bool) -> int:
    zebra.text(ZPL_MARGIN, y, heading, 24)
    y += 30
    name, *rest = address_lines(address)
    size = 40 if big else 24
    y = zebra.lines(ZPL_MARGIN, y, name, size, max_lines=1)
    for line in rest:
        y = zebra.lines(ZPL_MARGIN, y, line.upper() if big else line, size - 4, max_lines=2)
    return y


def shipping_label_zpl(label: ShippingLabel, banner: str | None = None) -> str:
    """A 4 x 6 in shipping label (203 dpi) as ZPL, as `shipping_label_pdf` draws it (under a
    black RETURN band for a return's: `return_label_zpl`)."""
    zebra = _ZplLabel(ZPL_SHIPPING)
    y = ZPL_MARGIN
    if banner:
        zebra.band(y, 60, banner)
        y += 76
    countries = {label.sender.country_code.upper(), label.recipient.country_code.upper()}
    weights = weight_text(label.weight_g, in_pounds_too=bool(countries & POUND_COUNTRIES))
    zebra.text(ZPL_MARGIN, y, _zpl_lines(label.carrier, 48, 520, 1)[0], 48)
    zebra.text(560, y, "  ".join(weights), 28)
    y = zebra.lines(ZPL_MARGIN, y + 56, label.service, 28, max_lines=1)
    if label.ships_on:
        zebra.text(ZPL_MARGIN, y, f"Ship date {label.ships_on.isoformat()}", 24)
        y += 28
    zebra.rule(y + 6)
    y = _zpl_address(zebra, y + 20, "FROM", label.sender, big=False)
    zebra.rule(y + 6)
    y = _zpl_address(zebra, y + 20, "SHIP TO", label.recipient, big=True)
    zebra.rule(y + 10)
    zebra.code128(ZPL_MARGIN, y + 30, label.tracking_number, height=180)
    zebra.text(ZPL_MARGIN, y + 222, label.tracking_number, 36)
    y += 272
    zebra.rule(y)
    _zpl_reference(zebra, y + 16, label)
    return zebra.zpl()


def _zpl_reference(zebra: _ZplLabel, y: int, label: ShippingLabel) -> None:
    if label.drop_off_code is not None:
        zebra.qr(ZPL_MARGIN, y, label.drop_off_code, magnification=5)
        zebra.text(220, y + 10, "DROP-OFF CODE", 24)
        zebra.text(220, y + 40, _zpl_lines(label.drop_off_code, 40, 560, 1)[0], 40)
        y += 100
        x = 220
    else:
        x = ZPL_MARGIN
    zebra.text(x, y, "REF", 24)
    zebra.lines(x, y + 28, label.reference, 28, max_lines=2)


def return_label_zpl(label: ShippingLabel) -> str:
    """The shipping label under a black RETURN band, as ZPL."""
    return shipping_label_zpl(label, banner="RETURN")


# --- the commercial invoice ----------------------------------------------------------

INVOICE_MARGIN = 15 * mm
INVOICE_COLUMNS = ["Description", "HS code", "Origin", "Qty", "Unit value", "Line value", "Weight"]
INVOICE_COLUMN_WIDTHS = [160, 58, 38, 28, 80, 86, 60]  # the 510 pt between the margins
DECLARATION = (
    "I declare that the information on this invoice is true and correct, and that the goods "
    "described are of the origin shown."
)


def _kg(weight_g: int) -> str:
    return f"{Decimal(weight_g).scaleb(-3):,.3f} kg"


def _party(heading: str, address: PostalAddress) -> list[Flowable]:
    name, *rest = address_lines(address)
    block = [_paragraph(heading, _style(8, bold=True)), _paragraph(name, _style(10, bold=True))]
    return block + [_paragraph(line, _style(9)) for line in rest]


def _invoice_heading(invoice: CommercialInvoice) -> list[Flowable]:
    facts = [
        ("Invoice number", invoice.number),
        ("Date", invoice.date.isoformat()),
        ("Reason for export", invoice.reason),
        ("Incoterm", invoice.incoterm),
        ("Currency", invoice.currency.upper()),
    ]
    facts_table = Table(
        [
            [_paragraph(key, _style(9, bold=True)), _paragraph(value, _style(9))]
            for key, value in facts
        ],
        colWidths=[120, 390],
        hAlign="LEFT",
    )
    parties = Table(
        [[_party("SHIPPER", invoice.shipper), _party("CONSIGNEE", invoice.consignee)]],
        colWidths=[255, 255],
        hAlign="LEFT",
        style=[
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BOX", (0, 0), (0, 0), 0.5, colors.grey),
            ("BOX", (1, 0), (1, 0), 0.5, colors.grey),
        ],
    )
    title = _paragraph("COMMERCIAL INVOICE", _style(16, bold=True))
    return [title, Spacer(0, 8), facts_table, Spacer(0, 10), parties, Spacer(0, 12)]


def _invoice_row(line: InvoiceLine, currency: str) -> list[object]:
    return [
        _paragraph(line.description, _style(8)),
        line.hs_code,
        line.origin_country.upper(),
        str(line.quantity),
        money_text(line.unit_value_minor, currency),
        money_text(line.value_minor, currency),
        _kg(line.weight_g),
    ]


def _invoice_lines(invoice: CommercialInvoice) -> Table:
    rows = [INVOICE_COLUMNS] + [_invoice_row(line, invoice.currency) for line in invoice.lines]
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), SANS, 8),
            ("FONT", (0, 0), (-1, 0), SANS_BOLD, 8),
            ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (3, 0), (-1, -1), "RIGHT"),
        ]
    )
    return Table(rows, colWidths=INVOICE_COLUMN_WIDTHS, repeatRows=1, style=style, hAlign="LEFT")


def _invoice_totals(invoice: CommercialInvoice) -> Table:
    totals = [
        ["Total value", money_text(invoice.total_value_minor, invoice.currency)],
        ["Total weight", _kg(invoice.total_weight_g)],
    ]
    style = [("FONT", (0, 0), (-1, -1), SANS_BOLD, 9), ("ALIGN", (1, 0), (1, -1), "RIGHT")]
    return Table(totals, colWidths=[100, 120], style=style, hAlign="RIGHT")


def _declaration() -> list[Flowable]:
    signature = (
        "Signature: ______________________   Name: ______________________   Date: ____________"
    )
    return [_paragraph(DECLARATION, _style(9)), Spacer(0, 24), _paragraph(signature, _style(9))]


def _invoice_page_footer(number: str) -> Callable[[Canvas, SimpleDocTemplate], None]:
    def draw(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.setFont(SANS, 8)
        footer = printable(f"Commercial invoice {number} - page {canvas.getPageNumber()}")
        canvas.drawRightString(A4[0] - INVOICE_MARGIN, INVOICE_MARGIN / 2, footer)

    return draw


def commercial_invoice_pdf(invoice: CommercialInvoice) -> bytes:
    """An A4 commercial invoice for customs; long invoices run onto further pages."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=INVOICE_MARGIN,
        rightMargin=INVOICE_MARGIN,
        topMargin=INVOICE_MARGIN,
        bottomMargin=INVOICE_MARGIN,
        title=f"Commercial invoice {invoice.number}",
    )
    story = [
        *_invoice_heading(invoice),
        _invoice_lines(invoice),
        Spacer(0, 6),
        _invoice_totals(invoice),
        Spacer(0, 18),
        *_declaration(),
    ]
    footer = _invoice_page_footer(invoice.number)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
