"""What a message to a buyer says, in their language (en, de, fr, es, it; any other: en):
a subject, a plain-text part and an HTML part, and what the compliance lint finds in it.

Each kind's words are a Jinja2 template per language (`message_templates/<language>/
<kind>.j2`: a `subject` and a `body` block); what frames every message (greeting, the
case page's link, how to answer, the sign-off, an opt-out line where the message is
optional) is in `<language>/_words.j2`. The text part is rendered without escaping; the
HTML part from the same paragraphs with autoescape on, so a buyer's name or a product title
can never become markup. Money and days are formatted here with Babel, per language.

An offer (or a notice of a remedy owed) carries resolution's own text as it wrote and linted
it (amount, what the buyer keeps, the expiry and the legal notices of the offer), framed
with the page link. The answer when nothing is owed keeps the buyer's statutory rights in
view where the market has a legal guarantee (EU: the legal guarantee; UK: the Consumer
Rights Act); resolution's own answer (`resolution.held_for_agent` v2) comes framed. Every
message passes
`shared.compliance` (banned promises, required disclosures, the marketplace's rules on
content) before it may leave. Pure: no I/O but reading the templates shipped with it.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_currency
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from services.intake.domain.outgoing_messages import OPTIONAL, MessageKind
from shared.compliance import REQUIRED_DISCLOSURES, lint, marketplace_findings
from shared.events import Remedy
from shared.markets import MINOR_UNITS, REGION_OF, Currency, Market, Region

LANGUAGES = ("en", "de", "fr", "es", "it")
FALLBACK = "en"
TEMPLATES = Path(__file__).parent / "message_templates"
OWN_FRAME = frozenset({MessageKind.OFFER_MADE, MessageKind.REMEDY_OWED})  # resolution's text


def _environment(autoescape: bool, trim: bool = True) -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,  # a missing fact fails the render instead of leaving a gap
        autoescape=autoescape,
        trim_blocks=trim,
        lstrip_blocks=trim,
        auto_reload=False,
    )


WORDS = _environment(autoescape=False, trim=False)  # each kind's words, line breaks as written
TEXT = _environment(autoescape=False)
HTML = _environment(autoescape=True)


@dataclass(frozen=True)
class MessageFacts:
    """What one message tells the buyer; facts a kind does not use stay None."""

    kind: MessageKind
    language: str  # the case's buyer language
    market: Market
    marketplace: str  # the case's channel: its rules on content apply
    product: str
    seller: str  # signs the message
    buyer_name: str | None = None
    page_url: str | None = None  # None: no page link (Amazon, or no BUYER_LINK_SECRET)
    by_email: bool = True  # the buyer answers by replying to an e-mail (else: in the marketplace)
    offer_text: str | None = None  # resolution's offer or notice, as it linted it
    remedy: Remedy | None = None
    amount_minor: int | None = None
    currency: Currency | None = None
    carrier: str | None = None
    tracking: str | None = None
    service: str | None = None
    rma: str | None = None
    promised_by: date | None = None
    why: str | None = None  # the agent's words when nothing is owed
    credit_code: str | None = None  # store credit: the gift card's code


@dataclass(frozen=True)
class RenderedMessage:
    language: str
    subject: str
    text: str
    html: str
    findings: list[str] = field(default_factory=list)  # empty: it may leave


def language_of(language: str | None) -> str:
    """The buyer's language where a template speaks it; English otherwise."""
    code = (language or "").split("-")[0].split("_")[0].lower()
    return code if code in LANGUAGES else FALLBACK


def render(facts: MessageFacts) -> RenderedMessage:
    language = language_of(facts.language)
    context = _context(facts, language)
    kind = WORDS.get_template(f"{language}/{facts.kind.value}.j2")
    subject = " ".join(_block(kind, "subject", context).split())
    body = _block(kind, "body", context).strip("\n")
    frame = {
        **context,
        "subject": subject,
        "body": body,
        "paragraphs": [line for line in body.split("\n") if line.strip()],
        "own_frame": own_frame(facts),
        "optional": facts.kind in OPTIONAL,
    }
    text = TEXT.get_template("message.txt.j2").render(frame).strip() + "\n"
    html = HTML.get_template("message.html.j2").render(frame)
    findings = lint_message(f"{subject}\n{text}", language, facts)
    return RenderedMessage(language, subject, text, html, findings)


def own_frame(facts: MessageFacts) -> bool:
    """Resolution's own text comes framed already: its offers, and its answer when nothing
    is owed (an agent's answer is framed here)."""
    return facts.kind in OWN_FRAME or (
        facts.kind is MessageKind.NOTHING_OWED and bool(facts.offer_text)
    )


def lint_message(text: str, language: str, facts: MessageFacts) -> list[str]:
    """Everything the compliance lint finds; the page link is the one link the seller's own
    channels take (it completes the case), so it is checked as the marketplace's rules say."""
    required = list(required_disclosures(facts.kind, facts.market))
    found = lint(text, language, facts.market, required)
    found += marketplace_findings(text, language, facts.marketplace)
    return [str(finding) for finding in found]


# The statutory rights an answer that nothing is owed keeps in view, by the lint's names:
# the EU's legal guarantee, the UK's Consumer Rights Act.
KEPT_RIGHTS = {Region.EU: "legal_guarantee", Region.UK: "statutory_repair"}


def required_disclosures(kind: MessageKind, market: Market) -> tuple[str, ...]:
    """Where the market gives a legal guarantee, the answer that nothing is owed says the
    buyer keeps it."""
    kept = KEPT_RIGHTS.get(REGION_OF[market])
    if kind is MessageKind.NOTHING_OWED and kept:
        return (kept,)
    return ()


def _context(facts: MessageFacts, language: str) -> dict[str, object]:
    remedy = None if facts.remedy is None else Remedy(facts.remedy).value
    required = required_disclosures(facts.kind, facts.market)
    return {
        "language": language,
        "name": facts.buyer_name,
        "seller": facts.seller,
        "product": facts.product,
        "page_url": facts.page_url,
        "by_email": facts.by_email,
        "offer_text": (facts.offer_text or "").strip(),
        "remedy": remedy,
        "remedy_words": _remedy_words(language, remedy),
        "credit_code": facts.credit_code,
        "amount": _money(language, facts.amount_minor, facts.currency),
        "carrier": facts.carrier,
        "tracking": facts.tracking,
        "service": facts.service,
        "rma": facts.rma,
        "promised_by": None
        if facts.promised_by is None
        else format_date(facts.promised_by, "long", locale=language),
        "why": facts.why,
        "legal_guarantee": REQUIRED_DISCLOSURES[required[0]][language] if required else None,
    }


def _remedy_words(language: str, remedy: str | None) -> str | None:
    if remedy is None:
        return None
    words = TEXT.get_template(f"{language}/_words.j2").make_module({"name": None})
    return words.remedies[remedy]


def _money(language: str, amount_minor: int | None, currency: Currency | None) -> str | None:
    if amount_minor is None or currency is None:
        return None
    major = Decimal(abs(amount_minor)) / MINOR_UNITS[Currency(currency)]
    return format_currency(major, Currency(currency).value, locale=language)


def _block(template, name: str, context: dict[str, object]) -> str:
    return "".join(template.blocks[name](template.new_context(context)))
