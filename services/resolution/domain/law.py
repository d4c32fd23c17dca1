"""Consumer law and marketplace return rules per market, written as data.

Each rule of law or marketplace policy is one `Rule` record in `RULES`. The record
says what the rule gives the buyer, as structured fields (a window in days from
delivery, a refund deadline, who pays the return), and where the rule comes from
(`Source`: citation, URL, and whether we checked the figure against the text).

Two tables say how the rules constrain an offer to a buyer:
- `BREACHES`: combinations an offer must never make (e.g. a buyer paying to send
  back a faulty item in the EU);
- `DISCLOSURES`: combinations that are lawful only if the message tells the buyer
  what they keep (e.g. a partial refund inside the EU withdrawal window is an
  alternative, never a replacement, of the right to withdraw).

Return windows are the channel's: Amazon's own policy on Amazon, the seller's eBay or
Walmart return policy within what that marketplace allows, and the seller's own policy in
its own shops (Shopify, the generic webhook, cases opened by hand). A channel's rule lists
the channels it governs (`channels`); a rule without channels is the law, on every channel.

Three pure functions read the tables:
- `rights_of(market, delivered_at, now, channel, seller_window_days)`: which windows are
  open and until when;
- `check_offer(...)`: the breaches an offer would commit;
- `required_disclosures(...)`: the sentences an offer must carry.

Days are counted like the EU and UK texts count them: the day of delivery does
not count, and the window ends at the end of its last day. Days are UTC days,
which end no earlier than the buyer's own calendar day in the UK and the EU, so
the count errs on the buyer's side there. All datetimes must be time-zone aware.

To add a market: add it to `shared.markets`, then add its rules to `RULES` (one
record per rule, with its source), list the market in the `markets` of the rules
that already apply to it (EU members join `EU` automatically through
`REGION_OF`), and run tests/unit/test_law.py: it fails for a market without rules.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from shared.events import Remedy, Scenario
from shared.markets import REGION_OF, Market, Region

EU = frozenset(m for m, region in REGION_OF.items() if region is Region.EU)
UK = frozenset({Market.UK})
US = frozenset({Market.US})
CA = frozenset({Market.CA})
EVERY_MARKET = frozenset(Market)

# The channels a case comes from (`case.opened`'s `marketplace`).
AMAZON = frozenset({"amazon", "amazon_fba"})
EBAY = frozenset({"ebay"})
WALMART = frozenset({"walmart"})
OWN_SHOPS = frozenset({"shopify", "generic", "agent"})  # the seller's own shop and policy


class Payer(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"


class Window(StrEnum):
    """A period, running from delivery, during which the buyer holds a right."""

    WITHDRAWAL = "withdrawal"  # change of mind, no reason needed
    RIGHT_TO_REJECT = "right_to_reject"  # UK: faulty goods back for a full refund
    LEGAL_GUARANTEE = "legal_guarantee"  # faulty goods: repair, replacement, refund
    MARKETPLACE_RETURN = (
        "marketplace_return"  # the channel's return policy (marketplace's or seller's)
    )


@dataclass(frozen=True)
class Source:
    citation: str
    url: str
    verified: bool  # the figure was checked against the text or an official guide
    note: str = ""  # what was checked, or what was not


@dataclass(frozen=True)
class HolidayReturns:
    """Deliveries from `first` (month, day) to 31 December may be returned until `until`
    (month, day) of the next year, when that is later than the usual window."""

    first: tuple[int, int]
    until: tuple[int, int]


@dataclass(frozen=True)
class Rule:
    id: str
    markets: frozenset[Market]
    says: str
    source: Source
    withdrawal_days: int | None = None
    right_to_reject_days: int | None = None
    legal_guarantee_years: int | None = None
    # A channel's return window; where the seller sets it, the one assumed until their
    # policy says otherwise (and, for Walmart, the least they may set).
    marketplace_return_days: int | None = None
    refund_deadline_days: int | None = None
    return_cost_payer: Payer | None = None  # who pays the direct cost of a withdrawal return
    channels: frozenset[str] | None = None  # a channel's own rule; None: the law, everywhere
    seller_window_days: tuple[int, int] | None = None  # the seller chooses, within (min, max)
    seller_window_options: tuple[int, ...] = ()  # ... and only one of these, when listed
    holiday: HolidayReturns | None = None


# Amazon's extended holiday returns: deliveries from 1 October to 31 December go back until
# 31 January (the start was 1 November in earlier years; the earlier day errs on the
# buyer's side). Counted from delivery: Amazon counts from shipping, which we do not know.
AMAZON_HOLIDAY = HolidayReturns(first=(10, 1), until=(1, 31))

CRD = "https://eur-lex.europa.eu/eli/dir/2011/83/oj"
SGD = "https://eur-lex.europa.eu/eli/dir/2019/771/oj"
CCR = "https://www.legislation.gov.uk/uksi/2013/3134/regulation/"
CRA = "https://www.legislation.gov.uk/ukpga/2015/15/section/"

RULES: tuple[Rule, ...] = (
    # --- EU: Consumer Rights Directive (withdrawal) and Sale of Goods Directive (defects)
    Rule(
        id="eu.crd.withdrawal",
        markets=EU,
        says="The buyer may withdraw from an online purchase without a reason within "
        "14 days from the day they take physical possession of the goods.",
        source=Source("Directive 2011/83/EU art. 9(1) and 9(2)(b)", CRD, verified=True),
        withdrawal_days=14,
    ),
    Rule(
        id="eu.crd.refund",
        markets=EU,
        says="After a withdrawal the trader refunds all payments, standard delivery included, "
        "within 14 days of being told; it may wait until the goods or proof of sending "
        "come back.",
        source=Source(
            "Directive 2011/83/EU art. 13(1) and 13(3)",
            CRD,
            verified=True,
            note="14 days checked in national transpositions (FR, NL) and the directive text.",
        ),
        refund_deadline_days=14,
    ),
    Rule(
        id="eu.crd.return_cost",
        markets=EU,
        says="On withdrawal the buyer bears only the direct cost of returning the goods, "
        "and only if the trader told them so before the order; otherwise the trader pays.",
        source=Source(
            "Directive 2011/83/EU art. 14(1) and art. 6(1)(i)",
            CRD,
            verified=True,
            note="Checked via Code de la consommation art. L221-23 (FR transposition).",
        ),
        return_cost_payer=Payer.BUYER,
    ),
    Rule(
        id="eu.sgd.legal_guarantee",
        markets=EU,
        says="The seller is liable for any lack of conformity that exists at delivery and "
        "becomes apparent within two years of delivery.",
        source=Source(
            "Directive (EU) 2019/771 art. 10(1)",
            SGD,
            verified=True,
            note="Two years is the EU minimum; national law may give more (e.g. IE, NL have "
            "longer or open-ended periods). National periods are not encoded or verified.",
        ),
        legal_guarantee_years=2,
    ),
    Rule(
        id="eu.sgd.free_of_charge",
        markets=EU,
        says="Repair or replacement of non-conforming goods is free of charge to the buyer, "
        "and the seller takes back replaced goods at its own expense.",
        source=Source(
            "Directive (EU) 2019/771 art. 14(1)(a) and 14(2)",
            SGD,
            verified=False,
            note="Article text not retrieved in this session; stated from the directive.",
        ),
    ),
    Rule(
        id="eu.sgd.remedies",
        markets=EU,
        says="For non-conforming goods the buyer chooses repair or replacement first; a price "
        "reduction or termination comes only when those fail or are refused.",
        source=Source(
            "Directive (EU) 2019/771 art. 13(2) and 13(4)",
            SGD,
            verified=False,
            note="Article text not retrieved in this session; stated from the directive.",
        ),
    ),
    Rule(
        id="eu.amazon.returns",
        markets=EU,
        says="Amazon's EU stores accept most returns within 30 days of receipt, on top of "
        "the statutory 14-day withdrawal right.",
        source=Source(
            "Amazon.de/.fr/.it/.es/.nl/.ie returns policy",
            "https://www.amazon.de/gp/help/customer/display.html?nodeId=GKM69DUUYKQWKWX7",
            verified=False,
            note="30 days verified for Amazon.co.uk only; the EU stores' page and URL were "
            "not checked.",
        ),
        marketplace_return_days=30,
        channels=AMAZON,
        holiday=AMAZON_HOLIDAY,
    ),
    # --- UK: Consumer Contracts Regulations (cancellation) and Consumer Rights Act (faults)
    Rule(
        id="uk.ccr.cancellation",
        markets=UK,
        says="The buyer may cancel an online purchase of goods within 14 days after the day "
        "the goods come into their physical possession.",
        source=Source(
            "Consumer Contracts Regulations 2013 (SI 2013/3134) reg. 29-30",
            CCR + "30",
            verified=True,
            note="14 days from the day after delivery checked; paragraph numbers not checked.",
        ),
        withdrawal_days=14,
    ),
    Rule(
        id="uk.ccr.refund",
        markets=UK,
        says="After a cancellation the trader refunds within 14 days after the goods, or "
        "proof of their return, reach it.",
        source=Source(
            "Consumer Contracts Regulations 2013 reg. 34",
            CCR + "34",
            verified=True,
            note="14 days checked in guidance quoting the regulation; paragraphs not checked.",
        ),
        refund_deadline_days=14,
    ),
    Rule(
        id="uk.ccr.return_cost",
        markets=UK,
        says="On cancellation the buyer bears the direct cost of returning the goods only if "
        "the trader told them so before the order; otherwise the trader pays.",
        source=Source(
            "Consumer Contracts Regulations 2013 reg. 35 and Sch. 2(l)",
            CCR + "35",
            verified=False,
            note="Mirrors Directive 2011/83/EU art. 14(1); UK paragraph not checked.",
        ),
        return_cost_payer=Payer.BUYER,
    ),
    Rule(
        id="uk.cra.short_term_right_to_reject",
        markets=UK,
        says="Goods that are faulty, unfit or not as described may be rejected for a full "
        "refund until the end of 30 days beginning the day after delivery.",
        source=Source("Consumer Rights Act 2015 s.20 and s.22(3)", CRA + "22", verified=True),
        right_to_reject_days=30,
    ),
    Rule(
        id="uk.cra.trader_bears_return_cost",
        markets=UK,
        says="When faulty goods are rejected the trader bears the reasonable cost of their "
        "return; for a repair or replacement it bears every necessary cost, postage included.",
        source=Source("Consumer Rights Act 2015 s.20(8) and s.23(2)(b)", CRA + "20", verified=True),
    ),
    Rule(
        id="uk.cra.repair_or_replacement",
        markets=UK,
        says="Past the right to reject, faulty goods are repaired or replaced at no cost; a "
        "price reduction or final rejection follows one failed repair or replacement.",
        source=Source(
            "Consumer Rights Act 2015 s.23 and s.24(5); Limitation Act 1980 s.5",
            CRA + "23",
            verified=False,
            note="s.23-24 checked. There is no fixed guarantee term: a claim is time-barred "
            "after 6 years (England and Wales; 5 in Scotland). The 6 years were not checked "
            "in this session.",
        ),
        legal_guarantee_years=6,
    ),
    Rule(
        id="uk.amazon.returns",
        markets=UK,
        says="Amazon.co.uk and its sellers accept most returns within 30 days of receipt; "
        "sellers refund return postage for defective, damaged or different items.",
        source=Source(
            "Amazon.co.uk returns policy and seller Returns and Refunds policy",
            "https://www.amazon.co.uk/gp/help/customer/display.html?nodeId=1161002",
            verified=True,
        ),
        marketplace_return_days=30,
        channels=AMAZON,
        holiday=AMAZON_HOLIDAY,
    ),
    # --- US: no statutory withdrawal right; marketplace policy and advertising rules
    Rule(
        id="us.amazon.returns",
        markets=US,
        says="Most items bought on Amazon.com can be returned for a refund within 30 days of "
        "delivery; there is no general statutory right to withdraw in the US.",
        source=Source(
            "Amazon.com Return Policy",
            "https://www.amazon.com/gp/help/customer/display.html?nodeId=GKM69DUUYKQWKWX7",
            verified=True,
        ),
        marketplace_return_days=30,
        channels=AMAZON,
        holiday=AMAZON_HOLIDAY,
    ),
    Rule(
        id="us.ftc.satisfaction_guarantee",
        markets=US,
        says="'Satisfaction guaranteed' or 'money back guarantee' may be promised only if "
        "the full price is refunded at the buyer's request; any condition must be clear.",
        source=Source(
            "FTC Guides for the Advertising of Warranties and Guarantees, 16 CFR 239.3",
            "https://www.ecfr.gov/current/title-16/chapter-I/subchapter-B/part-239",
            verified=True,
        ),
    ),
    Rule(
        id="us.ca.civil_code_1723",
        markets=US,
        says="In California a retailer that gives less than a full refund or exchange within "
        "7 days must display its policy; if not, the buyer may return within 30 days.",
        source=Source(
            "California Civil Code §1723",
            "https://leginfo.legislature.ca.gov/faces/codes_displaySection.xhtml"
            "?lawCode=CIV&sectionNum=1723",
            verified=True,
            note="Checked against the statute text and California DCA Legal Guide S-6. "
            "State law: applies to buyers in California only.",
        ),
    ),
    Rule(
        id="us.ucc.implied_warranty",
        markets=US,
        says="Goods carry an implied warranty of merchantability unless lawfully disclaimed; "
        "no fixed guarantee term is encoded.",
        source=Source(
            "Uniform Commercial Code §2-314 (as adopted by each state)",
            "https://www.law.cornell.edu/ucc/2/2-314",
            verified=False,
            note="Not checked in this session; duration and disclaimers vary by state.",
        ),
    ),
    # --- CA: Ontario internet agreements; no general withdrawal right
    Rule(
        id="ca.on.internet_agreement",
        markets=CA,
        says="In Ontario an internet purchase may be cancelled within 7 days of receiving the "
        "agreement if the seller did not disclose the required information (30 days if no "
        "copy was delivered); the seller refunds within 15 days of the cancellation.",
        source=Source(
            "Ontario Consumer Protection Act, 2002 s.38-40; O. Reg. 17/05",
            "https://www.ontario.ca/laws/statute/02c30",
            verified=True,
            note="7, 30 and 15 days checked in CLEO's guide to the Act; the section number of "
            "the 15-day refund in O. Reg. 17/05 was not checked. Other provinces not encoded.",
        ),
        refund_deadline_days=15,
    ),
    Rule(
        id="ca.amazon.returns",
        markets=CA,
        says="Amazon.ca accepts most returns within 30 days of receipt.",
        source=Source(
            "Amazon.ca returns policy",
            "https://www.amazon.ca/gp/help/customer/display.html?nodeId=GKM69DUUYKQWKWX7",
            verified=False,
            note="Assumed to match Amazon.com; the Amazon.ca page was not checked.",
        ),
        marketplace_return_days=30,
        channels=AMAZON,
        holiday=AMAZON_HOLIDAY,
    ),
    # --- Channels: each marketplace's own return window, and the seller's where it sets one
    Rule(
        id="amazon.holiday_returns",
        markets=EVERY_MARKET,
        says="Amazon extends its return window in the holiday season: most orders shipped "
        "from 1 October to 31 December may be returned until 31 January, seller-fulfilled "
        "orders included; sellers must match or exceed Amazon's return policy.",
        source=Source(
            "Amazon Seller Central: Extended Holiday Returns Policy (G201722240); Seller "
            "Central announcement '2020 Extended Holiday Returns Policy'; Seller-fulfilled "
            "returns (help 200708210)",
            "https://sellercentral.amazon.com/forums/t/2020-extended-holiday-returns-policy/698989",
            verified=True,
            note="1 Oct - 31 Jan checked in the 2020 (US) and 2021 (AU) Seller Central texts; "
            "2015 ran from 1 Nov. Dates change yearly; the UK, EU and CA stores' own pages "
            "were not checked. The window is the `holiday` of each Amazon rule.",
        ),
        channels=AMAZON,
    ),
    Rule(
        id="ebay.returns",
        markets=EVERY_MARKET,
        says="On eBay the seller's return policy sets the return period: no returns, 30 or "
        "60 days from receipt (14 days only in a few categories such as collectibles); the "
        "eBay Money Back Guarantee covers items not as described whatever the policy.",
        source=Source(
            "eBay Developers Program: Simplified returns (2018); Trading API "
            "ReturnsDurationCodeType (Days_14, Days_30, Days_60)",
            "https://developer.ebay.com/news/simplified-returns",
            verified=True,
            note="The options were checked in eBay's API documentation; 30 days is assumed "
            "until the seller's policy names its eBay period (`return_window_days`).",
        ),
        marketplace_return_days=30,
        channels=EBAY,
        seller_window_days=(0, 60),
        seller_window_options=(0, 14, 30, 60),
    ),
    Rule(
        id="walmart.marketplace_returns",
        markets=US | CA,
        says="Walmart Marketplace sellers must accept returns for at least 30 days (from seven "
        "days after shipping), except certain electronics, major appliances and luxury items; "
        "Walmart's own first-party policy is 90 days (30 for most electronics).",
        source=Source(
            "Walmart Marketplace Returns (help a_id 3039); Walmart Marketplace Learn: "
            "Marketplace returns settings",
            "https://help.walmart.com/app/answers/detail/a_id/3039/~/walmart-marketplace-returns",
            verified=True,
            note="30-day minimum checked on both Walmart pages (US). The items that may not "
            "go back, or only unopened, are `RETURN_EXCEPTIONS`; the electronics the minimum "
            "does not bind carry no figure there (`walmart.electronics_window`). The 90-day "
            "first-party window is Walmart's own (walmart.com/cp/returns/1231920), not its "
            "sellers'. Walmart.ca's minimum was not checked.",
        ),
        marketplace_return_days=30,
        channels=WALMART,
        seller_window_days=(30, 365),
    ),
    Rule(
        id="seller.own_shop_returns",
        markets=EVERY_MARKET,
        says="In the seller's own shop (Shopify, its own site, a sale recorded by an agent) "
        "the seller's published return policy sets the window from delivery; the law's "
        "withdrawal and guarantee rights apply on top of it.",
        source=Source(
            "Shopify Admin GraphQL API: ReturnPoliciesReturnRules.returnWindowDays",
            "https://shopify.dev/docs/api/admin-graphql/unstable/objects/ReturnPoliciesReturnRules",
            verified=True,
            note="The merchant sets the window in days from delivery (-1: no limit). 30 days "
            "is assumed until the seller's policy names its own (`return_window_days`).",
        ),
        marketplace_return_days=30,
        channels=OWN_SHOPS,
        seller_window_days=(0, 365),
    ),
)


# --- Items a channel does not take back (or only unopened), as the channel lists them

WALMART_RETURNS = "https://www.walmart.com/cp/returns/1231920"
WALMART_MARKETPLACE_RETURNS = (
    "https://help.walmart.com/app/answers/detail/a_id/3039/~/walmart-marketplace-returns"
)
WALMART_LEARN_RETURNS = (
    "https://marketplacelearn.walmart.com/guides/Order%20management/Returns%20&%20refunds/"
    "returns-policy"
)


class Returnable(StrEnum):
    NEVER = "never"  # the channel does not take it back at all
    UNOPENED = "unopened"  # only unopened (or unused, unmounted): as the buyer reports it
    WINDOW_UNBOUND = "window_unbound"  # it goes back, but the channel's minimum does not bind


@dataclass(frozen=True)
class ReturnException:
    """Products a channel's return policy excepts: the words naming them (matched as whole
    words in the item's title and category, accents and case aside) and what may still go
    back. It takes no right away that the law gives (a defect is still remedied, returnless)."""

    id: str
    channels: frozenset[str]
    markets: frozenset[Market]
    returnable: Returnable
    products: str  # what the policy calls them, for the reason the buyer and agents read
    words: tuple[str, ...]
    source: Source


WALMART_POLICY = Source(
    "Walmart Standard Return Policy (effective 31 July 2025), 'Exceptions' and 'Items shipped "
    "by Marketplace Sellers'; Walmart Marketplace Learn: Returns Policy ('which Marketplace "
    "items can and can't be returned')",
    WALMART_RETURNS,
    verified=True,
    note="The exceptions list was checked on the policy page (via returnpolicies.info's copy "
    "of the 31 July 2025 text) and Marketplace Learn points sellers to it; Walmart.ca's "
    "list was not checked. Matching is by words of the item's title or category: an item "
    "the catalog names otherwise is not caught.",
)
RETURN_EXCEPTIONS: tuple[ReturnException, ...] = (
    ReturnException(
        id="walmart.final_sale",
        channels=WALMART,
        markets=US,
        returnable=Returnable.NEVER,
        products="final-sale items (alcohol, firearms, ammunition)",
        words=("alcohol", "wine", "beer", "spirits", "firearm", "firearms", "ammunition"),
        source=WALMART_POLICY,
    ),
    ReturnException(
        id="walmart.cards_and_codes",
        channels=WALMART,
        markets=US,
        returnable=Returnable.NEVER,
        products="gift cards, prepaid phone and gaming cards, download cards and SIM cards",
        words=(
            "gift card",
            "egift card",
            "e-gift card",
            "prepaid card",
            "prepaid phone card",
            "prepaid cell phone card",
            "prepaid gaming card",
            "download card",
            "download code",
            "sim card",
            "video on demand",
        ),
        source=WALMART_POLICY,
    ),
    ReturnException(
        id="walmart.prescriptions",
        channels=WALMART,
        markets=US,
        returnable=Returnable.NEVER,
        products="prescription medications and hygienic medical equipment",
        words=("prescription", "rx only"),
        source=Source(
            "Walmart Marketplace Learn: Multichannel returns ('Marketplace Non-Returnable "
            "Product Types')",
            "https://marketplacelearn.walmart.com/guides/Walmart%20Fulfillment%20Services%20"
            "(WFS)/Walmart%20Multichannel%20Solutions/multichannel-returns",
            verified=True,
            note="The page names these two kinds and links the full list of non-returnable "
            "product types, which was not retrieved.",
        ),
    ),
    ReturnException(
        id="walmart.opened_or_used",
        channels=WALMART,
        markets=US,
        returnable=Returnable.UNOPENED,
        products="diabetic supplies, trading cards, tires and wheels, and sanitary fixtures "
        "once opened, used or mounted",
        words=(
            "diabetic",
            "glucose",
            "test strips",
            "trading card",
            "trading cards",
            "tire",
            "tires",
            "wheel rim",
            "rims",
            "toilet",
            "urinal",
            "rv sewer",
        ),
        source=WALMART_POLICY,
    ),
    ReturnException(
        id="walmart.electronics_window",
        channels=WALMART,
        markets=US,
        returnable=Returnable.WINDOW_UNBOUND,
        products="computers, game consoles, printers, cameras, GPS units, music and video "
        "players, tablets, e-readers, drones and cell phones",
        words=(
            "computer",
            "laptop",
            "video game console",
            "game console",
            "printer",
            "camcorder",
            "digital camera",
            "gps",
            "mp3 player",
            "music player",
            "tablet",
            "e-reader",
            "ereader",
            "portable video player",
            "drone",
            "cell phone",
            "smartphone",
        ),
        source=Source(
            "Walmart Marketplace Returns (help a_id 3039): 'The minimum return window is 30 "
            "days, subject to exclusions below'",
            WALMART_MARKETPLACE_RETURNS,
            verified=True,
            note="The 30-day minimum does not bind these; no shorter figure is given, so the "
            "channel's window (the seller's) still applies to them here.",
        ),
    ),
)
RETURN_EXCEPTIONS_BY_ID = {exception.id: exception for exception in RETURN_EXCEPTIONS}


def return_exception(
    channel: str, market: Market, words: str, opened: bool
) -> ReturnException | None:
    """The exception that keeps an item (named by `words`: its title and category) from
    going back on `channel`; None when it may go back. `opened`: the buyer has opened or
    used it (a faulty, damaged or tried unit)."""
    text = f" {_plain_words(words)} "
    for exception in RETURN_EXCEPTIONS:
        if channel not in exception.channels or market not in exception.markets:
            continue
        if exception.returnable is Returnable.WINDOW_UNBOUND:
            continue
        if exception.returnable is Returnable.UNOPENED and not opened:
            continue
        if any(f" {word} " in text for word in exception.words):
            return exception
    return None


def _plain_words(words: str) -> str:
    kept = "".join(char if char.isalnum() or char == "-" else " " for char in words.lower())
    return " ".join(kept.split())


RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


# --- What the buyer holds on a given day


@dataclass(frozen=True)
class BuyerRights:
    market: Market
    delivered_at: datetime
    as_of: datetime
    withdrawal_until: datetime | None  # None: no statutory withdrawal right
    right_to_reject_until: datetime | None
    legal_guarantee_until: datetime | None  # None: no fixed term encoded (rights may exist)
    marketplace_return_until: datetime | None
    refund_deadline_days: int | None  # after a withdrawal, rejection or cancellation
    withdrawal_return_paid_by: Payer | None
    return_window_rule: str | None = None  # the channel's rule that set the return window

    def until(self, window: Window) -> datetime | None:
        return {
            Window.WITHDRAWAL: self.withdrawal_until,
            Window.RIGHT_TO_REJECT: self.right_to_reject_until,
            Window.LEGAL_GUARANTEE: self.legal_guarantee_until,
            Window.MARKETPLACE_RETURN: self.marketplace_return_until,
        }[window]

    def is_open(self, window: Window) -> bool:
        until = self.until(window)
        return until is not None and self.as_of <= until

    @property
    def withdrawal_open(self) -> bool:
        return self.is_open(Window.WITHDRAWAL)

    @property
    def right_to_reject_open(self) -> bool:
        return self.is_open(Window.RIGHT_TO_REJECT)

    @property
    def legal_guarantee_running(self) -> bool:
        return self.is_open(Window.LEGAL_GUARANTEE)

    @property
    def return_closed_on(self) -> datetime | None:
        """The last moment the buyer could send the item back for a change of mind."""
        ends = [end for end in (self.withdrawal_until, self.marketplace_return_until) if end]
        return max(ends, default=None)


def rules_for(market: Market, channel: str | None = None) -> list[Rule]:
    """The law of the market, and the rules of `channel` there (none without a channel)."""
    return [
        rule
        for rule in RULES
        if market in rule.markets and (rule.channels is None or channel in rule.channels)
    ]


def term_of(market: Market, field: str, channel: str | None = None) -> int | Payer | None:
    """The value the market's rules set for a field such as "withdrawal_days"."""
    values = [getattr(rule, field) for rule in rules_for(market, channel)]
    return next((value for value in values if value is not None), None)


def window_rule(market: Market, channel: str) -> Rule | None:
    """The rule that sets the channel's return window in the market, if any."""
    rules = rules_for(market, channel)
    return next((r for r in rules if r.channels and r.marketplace_return_days is not None), None)


def seller_window_refused(channel: str, days: int) -> str | None:
    """Why a seller may not give `days` as its return window on `channel`; None: it may."""
    rules = [r for r in RULES if r.channels and channel in r.channels and r.seller_window_days]
    if not rules:
        return f"{channel}: the marketplace sets the return window, not the seller"
    rule = rules[0]
    low, high = rule.seller_window_days or (0, 0)
    if not low <= days <= high or (
        rule.seller_window_options and days not in rule.seller_window_options
    ):
        allowed = rule.seller_window_options or f"{low}-{high}"
        return f"{channel}: {days} days is not a return window {rule.id} allows ({allowed})"
    return None


def rights_of(
    market: Market,
    delivered_at: datetime,
    now: datetime,
    channel: str | None = None,
    seller_window_days: int | None = None,
) -> BuyerRights:
    """The buyer's rights on `now`; the return window is `channel`'s (none without one),
    `seller_window_days` where the channel lets the seller set it."""
    delivered_at, now = _utc(delivered_at), _utc(now)
    rule = window_rule(market, channel) if channel else None
    return BuyerRights(
        market=market,
        delivered_at=delivered_at,
        as_of=now,
        withdrawal_until=_days_after(delivered_at, term_of(market, "withdrawal_days")),
        right_to_reject_until=_days_after(delivered_at, term_of(market, "right_to_reject_days")),
        legal_guarantee_until=_years_after(delivered_at, term_of(market, "legal_guarantee_years")),
        marketplace_return_until=_return_until(rule, delivered_at, seller_window_days),
        refund_deadline_days=term_of(market, "refund_deadline_days"),
        withdrawal_return_paid_by=term_of(market, "return_cost_payer"),
        return_window_rule=rule.id if rule else None,
    )


def _return_until(
    rule: Rule | None, delivered_at: datetime, seller_days: int | None
) -> datetime | None:
    if rule is None:
        return None
    days = rule.marketplace_return_days
    if rule.seller_window_days and seller_days is not None:
        days = seller_days
    until = _days_after(delivered_at, days)
    holiday = _holiday_until(rule.holiday, delivered_at)
    if until is None or holiday is None:
        return until
    return max(until, holiday)


def _holiday_until(holiday: HolidayReturns | None, delivered_at: datetime) -> datetime | None:
    day = delivered_at.date()
    if holiday is None or (day.month, day.day) < holiday.first:
        return None
    month, last = holiday.until
    return _end_of_day(date(day.year + 1, month, last))


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone; the law module needs aware datetimes")
    return moment.astimezone(UTC)


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


def _days_after(delivered_at: datetime, days: int | None) -> datetime | None:
    if days is None:
        return None
    return _end_of_day(delivered_at.date() + timedelta(days=days))


def _years_after(delivered_at: datetime, years: int | None) -> datetime | None:
    if years is None:
        return None
    day = delivered_at.date()
    try:
        return _end_of_day(day.replace(year=day.year + years))
    except ValueError:  # delivered on 29 February: the term ends on 28 February
        return _end_of_day(day.replace(year=day.year + years, day=28))


# --- What an offer must not do, and what it must say

DEFECTS = frozenset({Scenario.QUALITY_DEFECT, Scenario.WRONG_ITEM})  # goods not as the contract
NOT_DEFECTS = frozenset(Scenario) - DEFECTS
# Every complaint that the goods are faulty or not as ordered: whatever the buyer is offered
# for it, the legal guarantee (EU) or the Consumer Rights Act (UK) stays theirs.
FAULTY = DEFECTS | {Scenario.MINOR_DEFECT, Scenario.FUNCTIONAL_FAULT}
# Nothing reached the buyer: sending it again takes no right away, so no withdrawal notice.
DELIVERED = frozenset(Scenario) - {Scenario.NOT_RECEIVED}
REFUNDS_IN_FULL = frozenset({Remedy.RETURN_FULL_REFUND, Remedy.REFUND_WITHOUT_RETURN})
LESS_THAN_FULL_REFUND = frozenset(Remedy) - REFUNDS_IN_FULL
ITEM_GOES_BACK = frozenset({Remedy.RETURN_FULL_REFUND, Remedy.EXCHANGE, Remedy.REPAIR})


@dataclass(frozen=True)
class OfferRule:
    """When an offer meets every condition, `sentence` applies; `{until}` is the window's end."""

    rule_id: str
    window: Window  # the rule bites only while this window is open
    remedies: frozenset[Remedy]
    scenarios: frozenset[Scenario] = frozenset(Scenario)
    buyer_pays_return: bool | None = None  # None: either way
    buyer_rejected: bool | None = None
    sentence: str = ""


BREACHES: tuple[OfferRule, ...] = (
    OfferRule(
        "eu.sgd.free_of_charge",
        Window.LEGAL_GUARANTEE,
        remedies=ITEM_GOES_BACK,
        scenarios=DEFECTS,
        buyer_pays_return=True,
        sentence="The buyer may not pay to send back goods that do not conform; "
        "the seller bears the return.",
    ),
    OfferRule(
        "uk.cra.trader_bears_return_cost",
        Window.LEGAL_GUARANTEE,
        remedies=ITEM_GOES_BACK,
        scenarios=DEFECTS,
        buyer_pays_return=True,
        sentence="The buyer may not pay to send back faulty goods; the trader bears the return.",
    ),
    OfferRule(
        "uk.cra.short_term_right_to_reject",
        Window.RIGHT_TO_REJECT,
        remedies=LESS_THAN_FULL_REFUND,
        scenarios=DEFECTS,
        buyer_rejected=True,
        sentence="The buyer rejected faulty goods within 30 days; the trader owes a full "
        "refund and may not answer with a repair, a part, an exchange or a partial refund.",
    ),
)

DISCLOSURES: tuple[OfferRule, ...] = (
    OfferRule(
        "eu.crd.withdrawal",
        Window.WITHDRAWAL,
        remedies=LESS_THAN_FULL_REFUND,
        scenarios=DELIVERED,
        sentence="You may still withdraw from the purchase and return the item for a full "
        "refund until {until}; this offer does not replace that right.",
    ),
    OfferRule(
        "uk.ccr.cancellation",
        Window.WITHDRAWAL,
        remedies=LESS_THAN_FULL_REFUND,
        scenarios=DELIVERED,
        sentence="You may still cancel the purchase and return the item for a full refund "
        "until {until}; this offer does not replace that right.",
    ),
    OfferRule(
        "uk.cra.short_term_right_to_reject",
        Window.RIGHT_TO_REJECT,
        remedies=LESS_THAN_FULL_REFUND,
        scenarios=FAULTY,
        buyer_rejected=False,
        sentence="If the item is faulty you may instead reject it for a full refund until {until}.",
    ),
    OfferRule(
        "eu.sgd.remedies",
        Window.LEGAL_GUARANTEE,
        remedies=LESS_THAN_FULL_REFUND,
        scenarios=FAULTY,
        sentence="You keep your legal guarantee: you may ask for a free repair or replacement "
        "instead until {until}.",
    ),
    OfferRule(
        "uk.cra.repair_or_replacement",
        Window.LEGAL_GUARANTEE,
        remedies=LESS_THAN_FULL_REFUND,
        scenarios=FAULTY,
        sentence="Under the Consumer Rights Act 2015 you keep your statutory right to a free "
        "repair or replacement instead.",
    ),
    OfferRule(
        "eu.crd.return_cost",
        Window.WITHDRAWAL,
        remedies=ITEM_GOES_BACK,
        scenarios=NOT_DEFECTS,
        buyer_pays_return=True,
        sentence="The buyer pays the return only if they were told so before ordering; "
        "otherwise the seller pays it.",
    ),
    OfferRule(
        "uk.ccr.return_cost",
        Window.WITHDRAWAL,
        remedies=ITEM_GOES_BACK,
        scenarios=NOT_DEFECTS,
        buyer_pays_return=True,
        sentence="The buyer pays the return only if they were told so before ordering; "
        "otherwise the trader pays it.",
    ),
)


@dataclass(frozen=True)
class Breach:
    rule_id: str
    sentence: str
    source: str


@dataclass(frozen=True)
class Disclosure:
    rule_id: str
    sentence: str


def check_offer(
    market: Market,
    scenario: Scenario,
    remedy: Remedy,
    rights: BuyerRights,
    seller_pays_return: bool,
    buyer_rejected: bool = False,
) -> list[Breach]:
    """The rules an offer would break; an empty list means none encoded here."""
    offer = (market, scenario, remedy, rights, seller_pays_return, buyer_rejected)
    matches = _matching(BREACHES, *offer)
    return [Breach(r.rule_id, r.sentence, RULES_BY_ID[r.rule_id].source.citation) for r in matches]


def required_disclosures(
    market: Market,
    scenario: Scenario,
    remedy: Remedy,
    rights: BuyerRights,
    seller_pays_return: bool,
    buyer_rejected: bool = False,
) -> list[Disclosure]:
    """What the offer must tell the buyer to stay lawful: the rights it does not take away."""
    offer = (market, scenario, remedy, rights, seller_pays_return, buyer_rejected)
    matches = _matching(DISCLOSURES, *offer)
    return [Disclosure(r.rule_id, _fill(r.sentence, rights.until(r.window))) for r in matches]


def _matching(
    table: tuple[OfferRule, ...],
    market: Market,
    scenario: Scenario,
    remedy: Remedy,
    rights: BuyerRights,
    seller_pays_return: bool,
    buyer_rejected: bool,
) -> list[OfferRule]:
    if rights.market is not market:
        raise ValueError(f"rights were computed for {rights.market}, not {market}")
    return [
        rule
        for rule in table
        if market in RULES_BY_ID[rule.rule_id].markets
        and rights.is_open(rule.window)
        and remedy in rule.remedies
        and scenario in rule.scenarios
        and rule.buyer_pays_return in (None, not seller_pays_return)
        and rule.buyer_rejected in (None, buyer_rejected)
    ]


def _fill(sentence: str, until: datetime | None) -> str:
    return sentence.format(until=until.date().isoformat() if until else "")


# Remedies the law lets the buyer choose before any refund while a legal guarantee runs:
# repair (the unit mended at the local repair shop and sent back, or a part that mends it)
# or replacement (a new unit of the same item).
REPAIR_OR_REPLACEMENT = frozenset({Remedy.REPAIR, Remedy.PART_SHIPMENT, Remedy.EXCHANGE})
CHOICES: tuple[OfferRule, ...] = (
    OfferRule("eu.sgd.remedies", Window.LEGAL_GUARANTEE, REPAIR_OR_REPLACEMENT, DEFECTS),
    OfferRule(
        "uk.cra.repair_or_replacement", Window.LEGAL_GUARANTEE, REPAIR_OR_REPLACEMENT, DEFECTS
    ),
)


def buyers_choice(market: Market, scenario: Scenario, rights: BuyerRights) -> frozenset[Remedy]:
    """The remedies the buyer may ask for first in `market` (an offer of them must still
    pass `check_offer`: the UK's right to reject asks for money, not a repair)."""
    return frozenset(
        remedy
        for rule in CHOICES
        for remedy in rule.remedies
        if rule in _matching(CHOICES, market, scenario, remedy, rights, True, False)
    )
