"""Offer and notice messages to buyers, in their language.

One Jinja2 template per language and remedy lives under `templates/<language>/<remedy>.txt.j2`,
and the answer when nothing is owed under `templates/<language>/nothing_owed.txt.j2`; each
language states the same facts. Money and dates are formatted here with Babel, per
language, so templates only place ready-made text. Every rendered message must still pass
`compliance.lint` before it is sent.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from babel.dates import format_date, format_time
from babel.numbers import format_currency
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from shared.events import Remedy, Scenario
from shared.markets import MINOR_UNITS, Currency

LANGUAGES = ("en", "de", "fr", "es", "it")

TEMPLATES = Path(__file__).parent / "templates"
BLANK_LINES = re.compile(r"\n{3,}")

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    undefined=StrictUndefined,  # a missing fact fails the render instead of leaving a gap
    autoescape=False,  # plain text, not HTML
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    auto_reload=False,  # templates ship with the code: no file check on every render
)


@dataclass(frozen=True)
class OfferFacts:
    """What an offer tells the buyer. Optional facts are left out of the text when None."""

    greeting: str  # the buyer's name, or a neutral greeting such as "Hello"
    product_title: str
    expires_at: datetime  # aware; the offer lapses after this moment
    amount_minor: int | None = None  # refund, or price difference to pay for an exchange
    currency: Currency | None = None
    withdrawal_right_until: datetime | None = None  # EU/UK buyers still inside the window
    right_to_reject_until: datetime | None = None  # UK: faulty goods back for a full refund
    legal_guarantee_until: datetime | None = None  # EU/UK: free repair or replacement
    scenario: Scenario | None = None  # what went wrong; None: neutral wording
    buyer_pays_return: bool = False  # the buyer bears the cost of sending the item back
    return_label_url: str | None = None
    pickup_at: datetime | None = None
    guide_title: str | None = None  # troubleshooting: the guide the buyer should try
    guide_steps: tuple[str, ...] = ()
    guide_video_url: str | None = None
    bonus_minor: int = 0  # store credit: what the gift card adds to the refund (in `currency`)
    cancellation: bool = False  # UK: the withdrawal right by its UK name, cancellation
    statutory_repair: bool = False  # UK: the Consumer Rights Act's free repair or replacement

    def __post_init__(self) -> None:
        if (self.amount_minor is None) != (self.currency is None):
            raise ValueError("amount_minor and currency go together")


@dataclass(frozen=True)
class NothingOwedFacts:
    """The answer when nothing is owed: why, and what the buyer still holds."""

    greeting: str
    product_title: str
    scenario: Scenario
    reason: str  # e.g. "return_window_closed"
    closed_on: datetime | None = None  # the last day the item could go back
    legal_guarantee_until: datetime | None = None  # EU: the guarantee still running
    statutory_repair: bool = False  # UK: the Consumer Rights Act's repair or replacement
    excepted: str = ""  # not_returnable: the products the channel does not take back


class UnsupportedLanguage(ValueError):
    pass


def render_offer(language: str, remedy: Remedy, facts: OfferFacts) -> str:
    """The offer text for one remedy, in the buyer's language."""
    if language not in LANGUAGES:
        raise UnsupportedLanguage(language)
    if Remedy(remedy) is Remedy.TROUBLESHOOTING and not (facts.guide_title and facts.guide_steps):
        raise ValueError("a troubleshooting offer needs guide_title and guide_steps")
    template = environment.get_template(f"{language}/{Remedy(remedy).value}.txt.j2")
    return template.render(_context(language, facts))


def render_nothing_owed(language: str, facts: NothingOwedFacts) -> str:
    """The polite answer that nothing is owed, in the buyer's language."""
    if language not in LANGUAGES:
        raise UnsupportedLanguage(language)
    template = environment.get_template(f"{language}/nothing_owed.txt.j2")
    text = template.render(
        greeting=facts.greeting,
        product=facts.product_title,
        scenario=Scenario(facts.scenario).value,
        reason=facts.reason,
        closed_on=_day(language, facts.closed_on),
        legal_guarantee_until=_day(language, facts.legal_guarantee_until),
        statutory_repair=facts.statutory_repair,
        excepted=facts.excepted,
    )
    return BLANK_LINES.sub("\n\n", text)  # no expiry: its empty block leaves a gap


def _context(language: str, facts: OfferFacts) -> dict[str, str | bool | tuple[str, ...] | None]:
    # Every name is always present (None when absent), so StrictUndefined flags only typos.
    return {
        "greeting": facts.greeting,
        "product": facts.product_title,
        "amount": _amount(language, facts),
        "expires": format_moment(language, facts.expires_at),
        "withdrawal_until": _day(language, facts.withdrawal_right_until),
        "right_to_reject_until": _day(language, facts.right_to_reject_until),
        "legal_guarantee_until": _day(language, facts.legal_guarantee_until),
        "scenario": None if facts.scenario is None else Scenario(facts.scenario).value,
        "buyer_pays_return": facts.buyer_pays_return,
        "return_label_url": facts.return_label_url,
        "pickup": _moment(language, facts.pickup_at),
        "guide_title": facts.guide_title,
        "guide_steps": facts.guide_steps,
        "guide_video_url": facts.guide_video_url,
        "bonus": _bonus(language, facts),
        "money_back": _money_back(language, facts),
        "cancellation": facts.cancellation,
        "statutory_repair": facts.statutory_repair,
    }


def format_money(language: str, amount_minor: int, currency: Currency) -> str:
    """E.g. 1234 EUR → "€12.34" in English, "12,34 €" in German."""
    major = Decimal(amount_minor) / MINOR_UNITS[currency]
    return format_currency(major, currency.value, locale=language)


def format_day(language: str, day: datetime) -> str:
    """E.g. "March 12, 2026" in English, "12. März 2026" in German."""
    return format_date(day, "long", locale=language)


def format_moment(language: str, moment: datetime) -> str:
    """A day plus the time in the moment's own zone, e.g. "12. März 2026, 14:00 UTC"."""
    time = format_time(moment, "HH:mm zzz", tzinfo=moment.tzinfo, locale=language)
    return f"{format_day(language, moment)}, {time}"


def _amount(language: str, facts: OfferFacts) -> str | None:
    if facts.amount_minor is None or facts.currency is None:
        return None
    return format_money(language, facts.amount_minor, facts.currency)


def _bonus(language: str, facts: OfferFacts) -> str | None:
    if not facts.bonus_minor or facts.currency is None:
        return None
    return format_money(language, facts.bonus_minor, facts.currency)


def _money_back(language: str, facts: OfferFacts) -> str | None:
    """The refund the store credit stands for: what the buyer may take instead."""
    if facts.amount_minor is None or facts.currency is None:
        return None
    return format_money(language, facts.amount_minor - facts.bonus_minor, facts.currency)


def _day(language: str, day: datetime | None) -> str | None:
    return None if day is None else format_day(language, day)


def _moment(language: str, moment: datetime | None) -> str | None:
    return None if moment is None else format_moment(language, moment)
