"""The seller's own reason taxonomy: the labels a seller files returns under ("Sizing",
"Arrived broken"…), given for the marketplaces' own reason codes and for the one reason
taxonomy across channels. Reports show each listing's and market's mix in those labels
beside the others. Plain data and functions, no I/O."""

from dataclasses import dataclass, field

from pydantic import BaseModel, Field, field_validator

from shared.events import Reason

UNLABELLED = "unknown"


class SellerTaxonomy(BaseModel):
    """Labels by marketplace reason code (matched whatever its case) and by reason; a code's
    label wins over its reason's, and a reason without a label keeps its own name."""

    reasons: dict[Reason, str] = Field(default_factory=dict)
    codes: dict[str, str] = Field(default_factory=dict)

    @field_validator("reasons", "codes")
    @classmethod
    def _labels_are_short_words(cls, labels: dict) -> dict:
        for key, label in labels.items():
            if not label.strip() or len(label) > 60:
                raise ValueError(f"the label of {key} must be 1 to 60 characters")
        return labels


@dataclass(frozen=True)
class Labeller:
    """A seller's taxonomy, ready to label cases."""

    reasons: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, taxonomy: SellerTaxonomy) -> "Labeller":
        return cls(
            {reason.value: label.strip() for reason, label in taxonomy.reasons.items()},
            {code.casefold(): label.strip() for code, label in taxonomy.codes.items()},
        )

    def label(self, reason: str | None, reason_code: str | None) -> str:
        """The seller's label of a case: by its marketplace code, else by its reason."""
        if reason_code and (label := self.codes.get(reason_code.casefold())):
            return label
        if reason and (label := self.reasons.get(reason)):
            return label
        return reason or UNLABELLED
