"""ZPL read back by its commands, as a printer takes them: the label's size, and each field
(from ^FO to ^FS) with where it is, its font or barcode, and its data (^FH hex escapes
decoded)."""

import re
from dataclasses import dataclass, field

HEX = re.compile(r"_([0-9A-Fa-f]{2})")


@dataclass
class Field:
    x: int
    y: int
    commands: dict[str, str] = field(default_factory=dict)
    data: str = ""

    @property
    def font(self) -> tuple[int, int] | None:
        """The height and width of the field's font 0, in dots."""
        if "A0" not in self.commands:
            return None
        height, width = self.commands["A0"].removeprefix("N,").split(",")
        return int(height), int(width)

    @property
    def barcode(self) -> str | None:
        return "code128" if "BC" in self.commands else "qr" if "BQ" in self.commands else None


@dataclass
class Zpl:
    width: int
    height: int
    fields: list[Field]

    def texts(self) -> list[str]:
        return [f.data for f in self.fields if f.font]

    def barcodes(self, kind: str) -> list[Field]:
        return [f for f in self.fields if f.barcode == kind]


def commands_of(zpl: str) -> list[tuple[str, str]]:
    """Each command (two characters after ^ or ~) with its parameters, in order."""
    return [(token[:2], token[2:]) for token in re.split(r"[\^~]", zpl) if token]


def read_zpl(zpl: str) -> Zpl:
    commands = commands_of(zpl.strip())
    assert commands[0][0] == "XA" and commands[-1][0] == "XZ", "one label, ^XA … ^XZ"
    size, fields, current = {}, [], None
    for name, params in commands[1:-1]:
        if name in ("PW", "LL"):
            size[name] = int(params)
        elif name == "FO":
            x, y = params.split(",")[:2]
            current = Field(int(x), int(y))
        elif name == "FS":
            assert current is not None, "^FS without ^FO"
            fields.append(current)
            current = None
        elif current is not None and name == "FD":
            hexed = "FH" in current.commands
            current.data = HEX.sub(lambda m: chr(int(m[1], 16)), params) if hexed else params
        elif current is not None:
            current.commands[name] = params
    return Zpl(size["PW"], size["LL"], fields)


def fits(label: Zpl, text_field: Field) -> bool:
    """A line of text whose every glyph is at most its font's width wide stays on the label."""
    height, width = text_field.font or (0, 0)
    return (
        text_field.x + len(text_field.data) * width <= label.width
        and text_field.y + height <= label.height
    )


def code128_width(barcode: Field) -> int:
    """The bars' width in dots: ^BY's module width times start, data, check and stop."""
    module = int(barcode.commands["BY"].split(",")[0])
    return module * (11 * (len(barcode.data) + 3) + 2)
