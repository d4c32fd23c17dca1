"""A return whose lines the buyer gave different reasons for: one case per reason.

Marketplaces let a buyer send several lines back at once, each with its own reason code
and words (Shopify's return line items, Walmart's return order lines). A case has one
reason and one scenario, and resolution decides one remedy for it; so a return is split:
- lines the classifier cannot tell apart (the same reason code, the same buyer words) stay
  together, as the items of one case;
- every other group of lines opens a case of its own, classified on its own reason and
  words: a defective kettle and a mug in the wrong colour returned together are a repair or
  replacement and an exchange, not one remedy for both.

Keys: the first group keeps the key of what opened the return (a return of one reason, the
usual one, keeps the case id it always had); each further group's key is that key and the
marketplace's id of the group's first line, `<key>/<line id>`, the same at every redelivery.
The cases of one return share its marketplace ids, so a later update of the return (approved,
refunded, closed) reaches each of them. Why not one case with a scenario per line: every
service downstream (offers, refunds, labels, analytics) is built on one scenario per case,
and the event that opens a case would need a new schema version; cases per reason need
neither. Pure.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from services.intake.domain.case import CanonicalCase, Item, Reason


@dataclass(frozen=True)
class ReturnedLine:
    """One line of a return: what goes back, and why in the buyer's and the marketplace's words."""

    line_id: str  # the marketplace's id of the return line
    item: Item
    reason_code: str  # the marketplace's own code, as sent
    reason: Reason
    buyer_words: str = ""


def one_case_per_reason(
    key: str, whole_return: CanonicalCase, lines: Sequence[ReturnedLine]
) -> list[tuple[str, CanonicalCase]]:
    """The cases of a return, each with its key: `whole_return` says what the lines share
    (channel, account, ids, market, buyer...); its items, reason and words come from `lines`."""
    if not lines:
        raise ValueError("a return has at least one line")
    groups: dict[tuple[str, str], list[ReturnedLine]] = {}
    for line in lines:
        groups.setdefault((line.reason_code, line.buyer_words), []).append(line)
    cases = []
    for index, group in enumerate(groups.values()):
        case_key = key if index == 0 else f"{key}/{group[0].line_id}"
        cases.append((case_key, case_of(whole_return, group)))
    return cases


def case_of(whole_return: CanonicalCase, lines: Sequence[ReturnedLine]) -> CanonicalCase:
    first = lines[0]
    return whole_return.model_copy(
        update={
            "items": [line.item for line in lines],
            "marketplace_reason": first.reason_code,
            "reason": first.reason,
            "buyer_words": first.buyer_words,
        }
    )
