"""Analytics' tables, in the `analytics` schema: every applied event and a read model per case."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from services.analytics.domain.tallies import TALLY_KEYS, TALLY_MEASURES

SCHEMA = "analytics"


class AppliedEvent(SQLModel, table=True):
    """Every event analytics applied, kept so read models can be rebuilt from them."""

    __tablename__ = "events"
    __table_args__ = (
        Index("events_by_case", "case_id", "time", "seq"),
        Index(
            "events_written_by_buyers",  # buyer_texts.WRITTEN_BY_BUYERS
            "case_id",
            postgresql_where=text("type IN ('case.opened', 'case.buyer_replied')"),
        ),
        Index(
            "events_deadline_alerts",  # migration 0019 counting breaches into the cases
            "case_id",
            postgresql_where=text("type = 'resolution.deadline_alert'"),
        ),
        {"schema": SCHEMA},
    )

    seq: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(), primary_key=True)
    )
    event_id: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    case_id: str = Field(sa_column=Column(Text, nullable=False))
    type: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(sa_column=Column(Text, nullable=False))
    time: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    trace_id: str = Field(sa_column=Column(Text, nullable=False))
    data: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))


class CaseView(SQLModel, table=True):
    """One row per case: where it came from, what was decided, where it stands."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("cases_by_seller_and_opening", "seller_account", "opened_at"),
        Index("cases_by_seller_and_listing", "seller_account", "sku", "opened_at"),
        Index("cases_latest_first", text("updated_at DESC"), "case_id"),  # the live list
        *(  # the live list searched (handlers/cases.SEARCHED)
            Index(
                f"cases_{column}_trigrams",
                column,
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )
            for column in ("case_id", "sku", "title")
        ),
        {"schema": SCHEMA},
    )

    case_id: str = Field(sa_column=Column(Text, primary_key=True))
    marketplace: str | None = Field(default=None, sa_column=Column(Text))
    market: str | None = Field(default=None, sa_column=Column(Text))
    scenario: str | None = Field(default=None, sa_column=Column(Text))
    remedy: str | None = Field(default=None, sa_column=Column(Text))
    grade: str | None = Field(default=None, sa_column=Column(Text))
    disposition: str | None = Field(default=None, sa_column=Column(Text))
    status: str | None = Field(default=None, sa_column=Column(Text))
    # What was returned, by whom and why (the case's most valuable item line).
    seller_account: str | None = Field(default=None, sa_column=Column(Text))
    sku: str | None = Field(default=None, sa_column=Column(Text))
    asin: str | None = Field(default=None, sa_column=Column(Text))
    title: str | None = Field(default=None, sa_column=Column(Text))
    category: str | None = Field(default=None, sa_column=Column(Text))
    reason: str | None = Field(default=None, sa_column=Column(Text))
    reason_code: str | None = Field(default=None, sa_column=Column(Text))
    opened_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    language: str | None = Field(default=None, sa_column=Column(Text))  # the buyer's
    # What it came to (see case_facts.OUTCOME_COLUMNS).
    first_offer_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    currency: str | None = Field(default=None, sa_column=Column(Text))
    cost_minor: int | None = Field(default=None, sa_column=Column(BigInteger))
    baseline_minor: int | None = Field(default=None, sa_column=Column(BigInteger))
    rating: int | None = Field(default=None, sa_column=Column(Integer))
    recovery_minor: int | None = Field(default=None, sa_column=Column(BigInteger))
    # Its service-level clocks breached: clock → deadline alerts saying so.
    breaches: dict[str, int] | None = Field(
        default=None, sa_column=Column(JSONB(none_as_null=True))
    )
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    # How many of the kept events are the case's (the summary counts them per case).
    events_kept: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )


def _tally(name: str, *columns: Column | Index) -> Table:
    """A tally of the opened cases per seller and UTC day opened (migration 0019, kept by
    a trigger on the cases: workflows/tallies.py)."""
    return Table(
        name,
        SQLModel.metadata,
        Column("seller_account", Text),
        Column("day", Date),
        *columns,
        schema=SCHEMA,
    )


_GROUPED_BY = [key for key in TALLY_KEYS if key != "seller_account"]
# A tally row's key as one value: titles are unbounded, too long for a key of columns.
TALLY_KEY = (
    "md5("
    + " || '|' || ".join(
        [
            "coalesce(length(seller_account)::text || ':' || seller_account, '~')",
            "coalesce((day - date '2000-01-01')::text, '~')",
            *(f"coalesce(length({k})::text || ':' || {k}, '~')" for k in _GROUPED_BY),
        ]
    )
    + ")::uuid"
)

CaseTally = _tally(
    "case_tallies",
    *(Column(key, Text) for key in _GROUPED_BY),
    *(Column(measure, BigInteger, nullable=False) for measure in TALLY_MEASURES),
    Column("tally_key", Uuid, Computed(TALLY_KEY, persisted=True)),
    Index("case_tallies_by_key", "tally_key", unique=True),
    Index("case_tallies_by_day", "seller_account", "day"),
)


def _tally_of(name: str, value: Column, measure: str) -> Table:
    """A tally per seller, day, market and one more value (a reply's duration, a clock)."""
    return _tally(
        name,
        Column("market", Text),
        value,
        Column(measure, BigInteger, nullable=False),
        Index(
            f"{name}_by_key",
            "seller_account",
            "day",
            "market",
            value.name,
            unique=True,
            postgresql_nulls_not_distinct=True,
        ),
    )


# reply_us: microseconds from opening to the first reply
FirstReplyTally = _tally_of("first_reply_tallies", Column("reply_us", BigInteger), "cases")
BreachTally = _tally_of("breach_tallies", Column("clock", Text), "breaches")


class UnitsSold(SQLModel, table=True):
    """The seller's sales feed: units of a listing sold on a day, in a market or in all (a
    new upload of the same day and market replaces it)."""

    __tablename__ = "units_sold"
    __table_args__ = (
        CheckConstraint("units >= 0", name="units_sold_not_negative"),
        {"schema": SCHEMA},
    )

    seller_account: str = Field(sa_column=Column(Text, primary_key=True))
    sku: str = Field(sa_column=Column(Text, primary_key=True))
    day: date = Field(sa_column=Column(Date, primary_key=True))
    # The market the units sold in; "" when the seller gives every market's together.
    market: str = Field(default="", sa_column=Column(Text, primary_key=True, server_default=""))
    units: int = Field(sa_column=Column(Integer, nullable=False))


class GuidePublication(SQLModel, table=True):
    """A troubleshooting or setup guide of the seller's (resolution's knowledge base)
    published to a listing's buyers beside its FAQ entries: its text as it was published,
    and the return reasons a guide answers."""

    __tablename__ = "guide_publications"
    __table_args__ = {"schema": SCHEMA}

    seller_account: str = Field(sa_column=Column(Text, primary_key=True))
    sku: str = Field(sa_column=Column(Text, primary_key=True))
    guide_id: str = Field(sa_column=Column(Text, primary_key=True))
    language: str = Field(sa_column=Column(Text, nullable=False))
    title: str = Field(sa_column=Column(Text, nullable=False))
    steps: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    covers: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    published_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class FaqEntry(SQLModel, table=True):
    """A pre-sale FAQ entry of a listing, in one language, and the return reasons it
    answers."""

    __tablename__ = "faq_entries"
    __table_args__ = {"schema": SCHEMA}

    seller_account: str = Field(sa_column=Column(Text, primary_key=True))
    sku: str = Field(sa_column=Column(Text, primary_key=True))
    entry_id: str = Field(sa_column=Column(Text, primary_key=True))
    language: str = Field(sa_column=Column(Text, nullable=False))
    question: str = Field(sa_column=Column(Text, nullable=False))
    answer: str = Field(sa_column=Column(Text, nullable=False))
    covers: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    # When buyers could first read it (the public page, the marketplace); None: not published.
    published_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class FaqGap(SQLModel, table=True):
    """A reason a listing keeps coming back for, or a topic its buyers keep asking about,
    that no FAQ entry in the buyers' language answers; found once, then `covered` when an
    entry answers it."""

    __tablename__ = "faq_gaps"
    __table_args__ = {"schema": SCHEMA}

    seller_account: str = Field(sa_column=Column(Text, primary_key=True))
    sku: str = Field(sa_column=Column(Text, primary_key=True))
    language: str = Field(sa_column=Column(Text, primary_key=True))
    reason: str = Field(sa_column=Column(Text, primary_key=True))
    # What buyers ask about, for a gap that is a question ("" for a return reason).
    topic: str = Field(default="", sa_column=Column(Text, primary_key=True, server_default=""))
    cases: int = Field(sa_column=Column(Integer, nullable=False))
    cost_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    currency: str | None = Field(default=None, sa_column=Column(Text))
    case_id: str = Field(sa_column=Column(Text, nullable=False))
    question: str = Field(sa_column=Column(Text, nullable=False))
    answer_outline: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(sa_column=Column(Text, nullable=False))  # GapState: open → covered
    found_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class ReasonTaxonomy(SQLModel, table=True):
    """A seller's own reason labels (domain/taxonomy.SellerTaxonomy, as JSON)."""

    __tablename__ = "reason_taxonomies"
    __table_args__ = {"schema": SCHEMA}

    seller_account: str = Field(sa_column=Column(Text, primary_key=True))
    taxonomy: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class ConversationEntry(SQLModel, table=True):
    """One turn of a case's conversation with its buyer (`domain/conversation.py`): a message
    to the buyer (its latest state) or the buyer's reply."""

    __tablename__ = "conversation"
    __table_args__ = (
        Index("conversation_by_case", "case_id", "at"),
        {"schema": SCHEMA},
    )

    entry_id: str = Field(sa_column=Column(Text, primary_key=True))  # message id, reply event id
    case_id: str = Field(sa_column=Column(Text, nullable=False))
    author: str = Field(sa_column=Column(Text, nullable=False))  # seller, buyer
    kind: str = Field(sa_column=Column(Text, nullable=False))  # the message's kind, the answer
    channel: str | None = Field(default=None, sa_column=Column(Text))
    way: str | None = Field(default=None, sa_column=Column(Text))
    state: str | None = Field(default=None, sa_column=Column(Text))  # a message's: sent, ...
    language: str | None = Field(default=None, sa_column=Column(Text))
    subject: str = Field(default="", sa_column=Column(Text, nullable=False))
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class MarketplaceClaim(SQLModel, table=True):
    """A claim on one case (`domain/claims.py`): an A-to-z claim, a SAFE-T reimbursement, an
    eBay Money Back Guarantee case or a chargeback, with its clock and its outcome."""

    __tablename__ = "claims"
    __table_args__ = (
        Index("claims_by_seller_and_due", "seller_account", "due_at"),
        Index("claims_by_case", "case_id"),
        CheckConstraint("amount_minor >= 0", name="claims_amount_not_negative"),
        CheckConstraint("recovered_minor >= 0", name="claims_recovered_not_negative"),
        {"schema": SCHEMA},
    )

    claim_id: str = Field(sa_column=Column(Text, primary_key=True))
    case_id: str = Field(sa_column=Column(Text, nullable=False))
    seller_account: str | None = Field(default=None, sa_column=Column(Text))
    kind: str = Field(sa_column=Column(Text, nullable=False))  # ClaimKind
    marketplace_claim_id: str | None = Field(default=None, sa_column=Column(Text))
    starts: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    due_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    amount_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    currency: str | None = Field(default=None, sa_column=Column(Text))
    outcome: str = Field(sa_column=Column(Text, nullable=False))  # Outcome
    filed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    decided_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    recovered_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    opened_by: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


def _tally_key(*more: Column) -> list[Column]:
    """Whose cases, which listing, market and reason, the UTC day they opened: unknown ones
    are NULL, as on the case row, so a report's conditions read them alike."""
    return [
        Column("seller_account", Text),
        Column("sku", Text, nullable=False),
        Column("market", Text),
        Column("reason", Text),
        Column("day", Date),
        *more,
    ]


# The phrases buyers wrote (`domain/phrases.py`, a word or character per item), each with
# how many texts hold it (`workflows/phrase_tallies.py`); no key of its own, its columns
# are unique with NULLs alike.
phrase_tallies = Table(
    "phrase_tallies",
    SQLModel.metadata,
    *_tally_key(
        Column("phrase", ARRAY(Text), nullable=False),
        Column("texts", Integer, nullable=False),
    ),
    Index(
        "phrase_tallies_key",
        "seller_account",
        "sku",
        "market",
        "reason",
        "day",
        "phrase",
        unique=True,
        postgresql_nulls_not_distinct=True,
    ),
    Index("phrase_tallies_spent", "sku", postgresql_where=text("texts <= 0")),
    schema=SCHEMA,
)

# The non-blank texts buyers wrote, counted alike: what a phrase's count is out of.
buyer_text_tallies = Table(
    "buyer_text_tallies",
    SQLModel.metadata,
    *_tally_key(Column("texts", Integer, nullable=False)),
    Index(
        "buyer_text_tallies_key",
        "seller_account",
        "sku",
        "market",
        "reason",
        "day",
        unique=True,
        postgresql_nulls_not_distinct=True,
    ),
    Index("buyer_text_tallies_spent", "sku", postgresql_where=text("texts <= 0")),
    schema=SCHEMA,
)
