"""The parts of the documents that the code knows better, written from the code (`make docs`).

- Each service's README (`services/<name>/README.md`), part `events`: what the service
  consumes, from the handlers its ServiceSpec registers (a projection reads every event of
  the topics it consumes), and what it publishes, from the event classes it owns in
  `shared/events.py`, each with the first paragraph of the class's docstring.
- The operations doc (`docs/operations.md`), part `processes`: each service's port and
  topics; parts `settings <name>`: the environment variables every service reads
  (`shared/settings.py`) and each service's own (the settings class of its ServiceSpec),
  with their defaults and `Field(description=...)`.

A part sits between `<!-- <part>: ... -->` and `<!-- /<part> -->`; the rest of a document is
written by hand. `tests/contracts/test_documents.py` fails when a part differs from the code.

    python -m tools.docs           rewrite the parts that differ
    python -m tools.docs --check   only say which differ (exit status 1)
"""

import argparse
import importlib
import inspect
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic.fields import FieldInfo

from shared.events import PAYLOAD_TYPES, EventPayload, topic_of
from shared.service import ServiceSpec
from shared.settings import SERVICE_NAMES, ServiceSettings

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ROOT / "docs" / "operations.md"
WRITER = "written by `make docs` (tools/docs.py) from"


@dataclass(frozen=True)
class Part:
    path: Path
    name: str
    source: str  # what it is written from, said in its opening marker
    body: str

    @property
    def text(self) -> str:
        return f"<!-- {self.name}: {WRITER} {self.source} -->\n{self.body}<!-- /{self.name} -->"

    def pattern(self) -> re.Pattern[str]:
        name = re.escape(self.name)
        return re.compile(rf"<!-- {name}: [^\n]*-->\n.*?<!-- /{name} -->", re.DOTALL)


class Undescribed(ValueError):
    """A setting without `Field(description=...)`: the operations doc could not say what it is."""


def spec_of(service: str) -> ServiceSpec:
    """The ServiceSpec its app.py declares."""
    module = importlib.import_module(f"services.{service}.app")
    specs = [v for v in vars(module).values() if isinstance(v, ServiceSpec) and v.name == service]
    if len(specs) != 1:
        raise LookupError(f"services/{service}/app.py declares {len(specs)} ServiceSpecs")
    return specs[0]


def published_by(service: str) -> list[type[EventPayload]]:
    return [p for p in PAYLOAD_TYPES.values() if p.owner == service]


def consumed_by(spec: ServiceSpec) -> list[type[EventPayload]]:
    """The events the service applies: those it has a handler for and, with a projection,
    every event of the topics it consumes."""
    topics = set(spec.consumes) if spec.projection is not None else set()
    return [
        p
        for event_type, p in PAYLOAD_TYPES.items()
        if event_type in spec.handlers or topic_of(p.owner) in topics
    ]


def summary(payload_type: type[EventPayload]) -> str:
    """The first paragraph of the class's docstring, on one line."""
    doc = inspect.cleandoc(payload_type.__doc__ or "")
    return " ".join(doc.split("\n\n")[0].split())


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def code_list(payload_types: list[type[EventPayload]]) -> str:
    return ", ".join(f"`{p.event_type}`" for p in payload_types)


def events_part(service: str) -> Part:
    spec = spec_of(service)
    consumed, published = consumed_by(spec), published_by(service)
    lines = []
    if consumed:
        lines += ["Consumes:", "", "| from | events |", "|---|---|"]
        for owner in SERVICE_NAMES:
            theirs = [p for p in consumed if p.owner == owner]
            if not theirs:
                continue
            every = spec.projection is not None and len(theirs) == len(published_by(owner))
            lines.append(f"| {owner} | {'every event: ' if every else ''}{code_list(theirs)} |")
    else:
        lines.append("Consumes: nothing.")
    lines.append("")
    if published:
        lines += [f"Publishes on `{topic_of(service)}`:", ""]
        lines += ["| event | version | when |", "|---|---|---|"]
        lines += [
            f"| `{p.event_type}` | {p.schema_version} | {cell(summary(p))} |" for p in published
        ]
    else:
        lines.append("Publishes: nothing.")
    return Part(
        ROOT / "services" / service / "README.md",
        "events",
        "shared/events.py and the ServiceSpec in app.py",
        "\n".join(lines) + "\n",
    )


def processes_part() -> Part:
    lines = ["| service | port | consumes | publishes on |", "|---|---|---|---|"]
    for service in SERVICE_NAMES:
        spec = spec_of(service)
        consumes = ", ".join(f"`{topic}`" for topic in spec.consumes) or "–"
        port = spec.settings.model_fields[f"{service}_port"].default
        publishes = f"`{topic_of(service)}`" if published_by(service) else "–"
        lines.append(f"| {service} | {port} | {consumes} | {publishes} |")
    return Part(OPERATIONS, "processes", "the ServiceSpec of each app.py", "\n".join(lines) + "\n")


def default_of(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, dict | list):
        return f"`{json.dumps(value)}`"
    return f"`{value}`"


def own_fields(settings: type[ServiceSettings]) -> Iterator[tuple[str, FieldInfo]]:
    """The fields the class declares itself (not those it inherits)."""
    declared = vars(settings).get("__annotations__", {})
    for name, field in settings.model_fields.items():
        if name in declared:
            yield name, field


def settings_part(name: str, settings: type[ServiceSettings]) -> Part:
    lines = ["| variable | default | what |", "|---|---|---|"]
    for field_name, field in own_fields(settings):
        if not field.description:
            raise Undescribed(f"{settings.__name__}.{field_name} has no Field(description=...)")
        variable = f"`{field_name.upper()}`"
        lines.append(f"| {variable} | {cell(default_of(field))} | {cell(field.description)} |")
    source = Path(inspect.getfile(settings)).resolve().relative_to(ROOT)
    return Part(
        OPERATIONS, f"settings {name}", f"{source}: {settings.__name__}", "\n".join(lines) + "\n"
    )


def parts() -> list[Part]:
    """Every part the code writes, in every document."""
    return [
        *(events_part(service) for service in SERVICE_NAMES),
        processes_part(),
        settings_part("shared", ServiceSettings),
        *(settings_part(service, spec_of(service).settings) for service in SERVICE_NAMES),
    ]


def rewritten(document: str, part: Part) -> str:
    """The document with the part written in; LookupError unless it holds the part once."""
    found = len(part.pattern().findall(document))
    if found != 1:
        raise LookupError(
            f"{part.path.relative_to(ROOT)} holds part {part.name!r} {found} times, not once "
            f"(it goes between '<!-- {part.name}: ... -->' and '<!-- /{part.name} -->')"
        )
    return part.pattern().sub(lambda _: part.text, document)


def documents() -> dict[Path, tuple[str, str]]:
    """Each document with parts: (as it is, as the code says it should be)."""
    found: dict[Path, tuple[str, str]] = {}
    for part in parts():
        now, wanted = found.get(part.path) or (part.path.read_text("utf-8"),) * 2
        found[part.path] = (now, rewritten(wanted, part))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 on a drift")
    check = parser.parse_args(argv).check
    stale = 0
    for path, (now, wanted) in documents().items():
        if now != wanted:
            stale += 1
            if not check:
                path.write_text(wanted, "utf-8")
            print(f"{'differs' if check else 'rewrote'}: {path.relative_to(ROOT)}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
