"""The buyer's symptom: what their words (and the fault code they quote) say is wrong.

A guide answers some symptoms ("won't pair", "leaks"); `symptoms_in` reads them from the
buyer's comment in their language and in English (marketing English turns up in every
language), in the order the buyer names them, those the product's category has first: a
zip gets stuck, a dress does not leak (`CATEGORY_SYMPTOMS`).
"""

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

from services.resolution.domain.symptom_phrases import PHRASES, Symptom

__all__ = ["CATEGORY_SYMPTOMS", "Symptom", "normalize", "symptoms_in"]

S = Symptom
_MAINS = (
    S.NO_POWER,
    S.STUCK,
    S.RESTARTS,
    S.ERROR_CODE,
    S.TRIPS_FUSE,
    S.LEAKS,
    S.NOISY,
    S.MISSING_PART,
    S.ASSEMBLY,
)

# The symptoms each category's products have, which its starter guides answer; the
# categories are those the sample data and the cost book know.
CATEGORY_SYMPTOMS: dict[str, frozenset[Symptom]] = {
    "electronics": frozenset(
        (
            S.WONT_PAIR,
            S.NO_POWER,
            S.NO_CHARGE,
            S.ERROR_CODE,
            S.STUCK,
            S.RESTARTS,
            S.NO_SOUND,
            S.NOISY,
            S.MISSING_PART,
        )
    ),
    "home": frozenset((*_MAINS, S.WONT_PAIR)),
    "kitchen": frozenset(_MAINS),
    "appliances": frozenset((*_MAINS, S.WONT_PAIR)),
    "apparel": frozenset((S.FIT, S.STUCK, S.MISSING_PART)),
    "beauty": frozenset((S.NO_POWER, S.NO_CHARGE, S.STUCK, S.RESTARTS, S.MISSING_PART)),
    "toys": frozenset(
        (
            S.WONT_PAIR,
            S.NO_POWER,
            S.NO_CHARGE,
            S.STUCK,
            S.RESTARTS,
            S.NOISY,
            S.MISSING_PART,
            S.ASSEMBLY,
        )
    ),
    "sports": frozenset((S.FIT, S.STUCK, S.NOISY, S.MISSING_PART, S.ASSEMBLY)),
    "furniture": frozenset((S.NOISY, S.MISSING_PART, S.ASSEMBLY)),
}

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


def normalize(text: str) -> str:
    """Lower case, no accents, plain apostrophes, single spaces: what the phrases match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_APOSTROPHES))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", plain)


def symptoms_in(
    text: str,
    language: str,
    category: str | None = None,
    fault_code: str | None = None,
) -> tuple[Symptom, ...]:
    """The symptoms the buyer names, those the category has first (a phrase read in
    another language is rarely the point), then first named first; a quoted fault code
    is an error shown."""
    plain = normalize(text or "")
    found: dict[Symptom, int] = {}
    for symptom, pattern in _patterns(_languages(language)):
        match = pattern.search(plain)
        if match and match.start() < found.get(symptom, len(plain) + 1):
            found[symptom] = match.start()
    if fault_code and S.ERROR_CODE not in found:
        found[S.ERROR_CODE] = len(plain)
    usual = CATEGORY_SYMPTOMS.get((category or "").strip().casefold(), frozenset(Symptom))
    return tuple(sorted(found, key=lambda s: (s not in usual, found[s], list(Symptom).index(s))))


def _languages(language: str) -> tuple[str, ...]:
    if language not in PHRASES:
        return tuple(PHRASES)
    return tuple(dict.fromkeys((language, "en")))


@cache
def _patterns(languages: Iterable[str]) -> tuple[tuple[Symptom, re.Pattern[str]], ...]:
    return tuple(
        (symptom, re.compile(rf"(?<!\w)(?:{'|'.join(phrases)})"))
        for language in languages
        for symptom, phrases in PHRASES[language].items()
    )
