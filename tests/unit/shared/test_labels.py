"""The printable documents, rendered and read back: pages are rasterised with pdfium and
their barcodes decoded with zxing-cpp, their text extracted from the PDF."""

from dataclasses import replace
from datetime import date

import pypdfium2 as pdfium
import pytest
import zxingcpp

from shared.labels import (
    CommercialInvoice,
    FnskuLabel,
    InvoiceLine,
    PostalAddress,
    ShippingLabel,
    commercial_invoice_pdf,
    fnsku_label_pdf,
    fnsku_label_zpl,
    money_text,
    printable,
    return_label_pdf,
    return_label_zpl,
    shipping_label_pdf,
    shipping_label_zpl,
    weight_text,
)
from tests.zpl_reading import code128_width, fits, read_zpl

A4 = (595.28, 841.89)
RENDER_SCALE = 4

WAREHOUSE = PostalAddress(
    name="Zoë Nowak Returns",
    line1="ul. Piotrkowska 120",
    line2=None,
    city="Łódź",
    region=None,
    postal_code="90-006",
    country_code="PL",
)
BUYER = PostalAddress(
    name="Jane Buyer",
    line1="1200 Congress Ave",
    line2="Apt 4B",
    city="Austin",
    region="TX",
    postal_code="78701",
    country_code="US",
)
BERLIN = PostalAddress(
    name="Jürgen Groß",
    line1="Hauptstraße 5",
    line2=None,
    city="Berlin",
    region=None,
    postal_code="10115",
    country_code="DE",
)
RETURN_PARCEL = ShippingLabel(
    sender=BUYER,
    recipient=WAREHOUSE,
    carrier="UPS",
    service="Worldwide Saver",
    weight_g=1234,
    tracking_number="1Z999AA10123456784",
    reference="RMA-2025-00042",
    drop_off_code="DROP-7Q2X9K",
    ships_on=date(2025, 3, 14),
)
OUTBOUND_PARCEL = replace(
    RETURN_PARCEL,
    sender=WAREHOUSE,
    recipient=BERLIN,
    carrier="DHL",
    service="Paket",
    weight_g=1200,
    tracking_number="00340434161094042557",
    reference="SHP-7781",
    drop_off_code=None,
    ships_on=None,
)


def invoice_line(n: int = 0, **changes: object) -> InvoiceLine:
    line = InvoiceLine(
        description=f"Bluetooth headphones, model {n}",
        hs_code="8518.30",
        origin_country="CN",
        quantity=2,
        unit_value_minor=4999,
        weight_g=450,
    )
    return replace(line, **changes)


def invoice(lines: list[InvoiceLine]) -> CommercialInvoice:
    return CommercialInvoice(
        number="CI-2025-0107",
        date=date(2025, 3, 14),
        shipper=BUYER,
        consignee=WAREHOUSE,
        currency="USD",
        reason="Return of goods for repair",
        lines=lines,
    )


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [page.get_size() for page in pdfium.PdfDocument(pdf)]


def text_of(pdf: bytes) -> str:
    """All pages' text, with line breaks and runs of spaces made single spaces."""
    pages = [page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf)]
    return " ".join(" ".join(pages).split())


def barcodes_of(pdf: bytes) -> dict[zxingcpp.BarcodeFormat, str]:
    image = pdfium.PdfDocument(pdf)[0].render(scale=RENDER_SCALE).to_pil()
    return {barcode.format: barcode.text for barcode in zxingcpp.read_barcodes(image)}


def text_stays_on_page(pdf: bytes) -> bool:
    page = pdfium.PdfDocument(pdf)[0]
    width, height = page.get_size()
    textpage = page.get_textpage()
    boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
    return all(
        0 <= left <= right <= width and 0 <= bottom <= top <= height
        for left, bottom, right, top in boxes
    )


@pytest.fixture(scope="module")
def return_label() -> bytes:
    return return_label_pdf(RETURN_PARCEL)


@pytest.fixture(scope="module")
def outbound_label() -> bytes:
    return shipping_label_pdf(OUTBOUND_PARCEL)


# --- shipping and return labels ------------------------------------------------------


def test_a_shipping_label_is_one_4_by_6_inch_page(outbound_label: bytes, return_label: bytes):
    assert page_sizes(outbound_label) == [(288, 432)]
    assert page_sizes(return_label) == [(288, 432)]


def test_the_return_labels_barcodes_carry_the_tracking_number_and_drop_off_code(
    return_label: bytes,
):
    assert barcodes_of(return_label) == {
        zxingcpp.BarcodeFormat.Code128: "1Z999AA10123456784",
        zxingcpp.BarcodeFormat.QRCode: "DROP-7Q2X9K",
    }


def test_an_outbound_label_has_the_tracking_barcode_and_no_qr_code(outbound_label: bytes):
    assert barcodes_of(outbound_label) == {
        zxingcpp.BarcodeFormat.Code128: "00340434161094042557",
    }


def test_the_return_label_reads_back(return_label: bytes):
    text = text_of(return_label)
    for expected in [
        "RETURN",
        "FROM Jane Buyer 1200 Congress Ave Apt 4B Austin, TX 78701 United States",
        "SHIP TO Zoë Nowak Returns ul. Piotrkowska 120 90-006 Łódz POLAND",
        "UPS",
        "Worldwide Saver",
        "Ship date 2025-03-14",
        "1.3 kg 2.8 lb",
        "1Z999AA10123456784",
        "DROP-OFF CODE DROP-7Q2X9K",
        "REF RMA-2025-00042",
    ]:
        assert expected in text


def test_the_outbound_label_reads_back_with_no_banner_and_no_pounds(outbound_label: bytes):
    text = text_of(outbound_label)
    for expected in ["Jürgen Groß", "Hauptstraße 5", "10115 Berlin", "GERMANY", "DHL", "Paket"]:
        assert expected in text
    assert "1.2 kg" in text
    assert "REF SHP-7781" in text
    assert "lb" not in text
    assert "RETURN" not in text
    assert "DROP-OFF" not in text


def test_a_long_address_wraps_or_shrinks_and_stays_on_the_page():
    long_street = "Building 7, Unit 1203, Longhua Industrial Park, Minzhi Avenue and Xinniu Road"
    recipient = replace(
        BUYER,
        name="Alexandria Konstantinopoulou-Vanderbilt on behalf of Northern Repairs Ltd",
        line1=long_street,
        line2="Receiving dock 14, attention returns department, second floor, door C",
        city="Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
    )
    label = replace(
        RETURN_PARCEL, recipient=recipient, sender=replace(WAREHOUSE, line2=long_street)
    )
    pdf = shipping_label_pdf(label)

    assert page_sizes(pdf) == [(288, 432)]
    assert text_stays_on_page(pdf)
    text = text_of(pdf)
    assert "Konstantinopoulou-Vanderbilt" in text
    assert "Longhua Industrial Park" in text
    assert barcodes_of(pdf)[zxingcpp.BarcodeFormat.Code128] == "1Z999AA10123456784"


def test_characters_beyond_the_font_print_as_their_base_letter():
    assert printable("Zoë Straße Łódź") == "Zoë Straße Łódz"
    assert printable("深圳") == "??"

    sender = replace(BUYER, name="Zoë Ōtsuka", city="Kraków", country_code="PL")
    pdf = shipping_label_pdf(replace(OUTBOUND_PARCEL, sender=sender, recipient=WAREHOUSE))
    text = text_of(pdf)
    assert "Zoë Otsuka" in text  # Vera has no Ō
    assert "Kraków" in text
    assert "90-006 Łódz" in text


@pytest.mark.parametrize(
    ("weight_g", "in_pounds_too", "expected"),
    [
        (1200, False, ["1.2 kg"]),
        (1201, False, ["1.3 kg"]),  # rounded up, as carriers bill
        (40, True, ["0.1 kg", "0.1 lb"]),
        (1234, True, ["1.3 kg", "2.8 lb"]),
    ],
)
def test_the_weight_is_shown_in_tenths_rounded_up(
    weight_g: int, in_pounds_too: bool, expected: list[str]
):
    assert weight_text(weight_g, in_pounds_too) == expected


# --- FNSKU unit labels ---------------------------------------------------------------


def test_an_fnsku_label_carries_the_fnsku_title_and_condition():
    pdf = fnsku_label_pdf("X001ABCDEF", "Bluetooth Headphones", "New")

    assert page_sizes(pdf) == [(162, 90)]
    assert barcodes_of(pdf) == {zxingcpp.BarcodeFormat.Code128: "X001ABCDEF"}
    assert text_of(pdf) == "X001ABCDEF Bluetooth Headphones New"


def test_a_long_title_is_cut_with_an_ellipsis():
    title = "Wireless Over-Ear Bluetooth Headphones with Active Noise Cancelling " * 3
    pdf = fnsku_label_pdf("X00ZZ9Y8W7", title, "New")

    text = text_of(pdf)
    assert text.startswith("X00ZZ9Y8W7 Wireless Over-Ear Bluetooth")
    assert text.endswith("… New")
    assert len(text) < len(title)
    assert text_stays_on_page(pdf)
    assert barcodes_of(pdf) == {zxingcpp.BarcodeFormat.Code128: "X00ZZ9Y8W7"}


# --- commercial invoices -------------------------------------------------------------


def test_money_is_shown_from_minor_units_with_the_currency():
    assert money_text(123450, "usd") == "1,234.50 USD"
    assert money_text(5, "EUR") == "0.05 EUR"


def test_an_invoice_totals_its_lines():
    lines = [invoice_line(quantity=3, unit_value_minor=41150, weight_g=900), invoice_line()]
    two_lines = invoice(lines)

    assert two_lines.total_value_minor == 3 * 41150 + 2 * 4999
    assert two_lines.total_weight_g == 1350


def test_a_commercial_invoice_reads_back():
    lines = [
        invoice_line(1, quantity=3, unit_value_minor=41150, weight_g=900),
        invoice_line(2, hs_code="8507600000", origin_country="VN", weight_g=120),
    ]
    pdf = commercial_invoice_pdf(invoice(lines))

    assert page_sizes(pdf) == [pytest.approx(A4, abs=0.01)]
    text = text_of(pdf)
    for expected in [
        "COMMERCIAL INVOICE",
        "Invoice number CI-2025-0107",
        "Date 2025-03-14",
        "Reason for export Return of goods for repair",
        "Incoterm DAP",
        "SHIPPER Jane Buyer",
        "CONSIGNEE Zoë Nowak Returns",
        "Bluetooth headphones, model 1 8518.30 CN 3 411.50 USD 1,234.50 USD 0.900 kg",
        "8507600000 VN 2 49.99 USD 99.98 USD 0.120 kg",
        "Total value 1,334.48 USD",
        "Total weight 1.020 kg",
        "I declare that the information on this invoice is true and correct",
        "Signature:",
    ]:
        assert expected in text


def test_a_long_invoice_runs_onto_further_pages_with_every_line():
    lines = [invoice_line(n, hs_code=f"8518.{n:02d}", unit_value_minor=1000 + n) for n in range(80)]
    pdf = commercial_invoice_pdf(invoice(lines))

    sizes = page_sizes(pdf)
    assert len(sizes) > 1
    assert all(size == pytest.approx(A4, abs=0.01) for size in sizes)
    text = text_of(pdf)
    assert all(f"8518.{n:02d}" in text for n in range(80))
    assert text.count("Description HS code Origin Qty") == len(sizes)  # header repeated
    assert "Total value 1,663.20 USD" in text  # 2 x (80 x 10.00 + 0.01 x (0 + ... + 79))


# --- refusals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"tracking_number": ""}, "tracking number must not be empty"),
        ({"tracking_number": "   "}, "tracking number must not be empty"),
        ({"tracking_number": "1Z99é"}, "printable ASCII"),
        ({"weight_g": 0}, "weight must be positive"),
        ({"weight_g": -250}, "weight must be positive"),
    ],
)
def test_a_label_refuses_what_a_carrier_would(changes: dict[str, object], reason: str):
    with pytest.raises(ValueError, match=reason):
        replace(RETURN_PARCEL, **changes)


def test_an_invoice_without_lines_is_refused():
    with pytest.raises(ValueError, match="at least one line"):
        invoice([])


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"quantity": 0}, "quantity .* must be positive"),
        ({"quantity": -1}, "quantity .* must be positive"),
        ({"unit_value_minor": -1}, "unit value .* must not be negative"),
        ({"hs_code": "8518"}, "6 to 10 digits"),
        ({"hs_code": "8518.22.00.001"}, "6 to 10 digits"),
        ({"hs_code": "8518-22"}, "must be digits"),
        ({"hs_code": "8518..22"}, "must be digits"),
        ({"hs_code": ""}, "must be digits"),
    ],
)
def test_an_invoice_line_refuses_what_customs_would(changes: dict[str, object], reason: str):
    with pytest.raises(ValueError, match=reason):
        invoice_line(**changes)


@pytest.mark.parametrize("hs_code", ["851822", "8518.22", "8518.22.00", "8518220090"])
def test_hs_codes_of_6_to_10_digits_are_accepted(hs_code: str):
    assert invoice_line(hs_code=hs_code).hs_code == hs_code


def test_an_fnsku_label_needs_an_fnsku():
    with pytest.raises(ValueError, match="FNSKU must not be empty"):
        fnsku_label_pdf("", "Bluetooth Headphones", "New")


# --- ZPL for thermal printers --------------------------------------------------------


def test_an_fnsku_label_in_zpl_carries_the_fnsku_in_its_barcode_and_its_text_fits():
    label = FnskuLabel("X001ABCDEF", "Bluetooth Headphones", "New")
    read = read_zpl(fnsku_label_zpl(label))

    assert (read.width, read.height) == (457, 254)  # 2.25 x 1.25 in at 203 dpi
    [barcode] = read.barcodes("code128")
    assert barcode.data == "X001ABCDEF"
    assert barcode.x + code128_width(barcode) <= read.width
    assert read.texts() == ["X001ABCDEF", "Bluetooth Headphones", "New"]
    assert all(fits(read, f) for f in read.fields if f.font)


def test_a_long_title_in_zpl_is_wrapped_on_two_lines_and_cut():
    title = "Wireless Over-Ear Bluetooth Headphones with Active Noise Cancelling " * 3
    read = read_zpl(fnsku_label_zpl(FnskuLabel("X00ZZ9Y8W7", title, "New")))

    fnsku, first, second, condition = read.texts()
    assert (fnsku, condition) == ("X00ZZ9Y8W7", "New")
    assert first.startswith("Wireless Over-Ear") and second.endswith("…")
    assert all(fits(read, f) for f in read.fields if f.font)


def test_zpl_commands_in_the_data_are_printed_not_obeyed():
    label = FnskuLabel("X001ABCDEF", "Cable ^XZ~JR_5E 2m", "New")
    zpl = fnsku_label_zpl(label)

    assert zpl.count("^XZ") == 1 and "~JR" not in zpl
    assert read_zpl(zpl).texts()[1] == "Cable ^XZ~JR_5E 2m"


def test_a_shipping_label_in_zpl_is_4_by_6_with_the_tracking_number_in_its_barcode():
    read = read_zpl(shipping_label_zpl(RETURN_PARCEL))

    assert (read.width, read.height) == (812, 1218)  # 4 x 6 in at 203 dpi
    [barcode] = read.barcodes("code128")
    assert barcode.data == RETURN_PARCEL.tracking_number
    assert barcode.x + code128_width(barcode) <= read.width
    texts = read.texts()
    assert texts.count(RETURN_PARCEL.tracking_number) == 1
    assert {"UPS", "SHIP TO", "FROM", "ŁÓDŹ"} & set(texts) == {"UPS", "SHIP TO", "FROM"}
    assert "90-006 ŁÓDZ" in texts  # as the PDF prints it: Ź has no glyph, Z does
    assert all(fits(read, f) for f in read.fields if f.font)


def test_a_return_label_in_zpl_has_the_return_band_and_its_drop_off_code():
    parcel = replace(RETURN_PARCEL, drop_off_code="DROP-7Q2K")
    read = read_zpl(return_label_zpl(parcel))

    assert read.texts()[0] == "RETURN"
    [qr] = read.barcodes("qr")
    assert qr.data == "MA,DROP-7Q2K"  # QR: error correction M, automatic input
    assert "DROP-7Q2K" in read.texts()
    assert all(fits(read, f) for f in read.fields if f.font)
