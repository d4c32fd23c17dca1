"""The troubleshooting knowledge base, pure part: guides, fault codes, which guide fits.

A guide is a few short steps for one product (its SKU) or for every product of a
category, in one language, for the symptoms it answers ("won't pair", "leaks": see
`symptoms.py`) or for one device fault code ("E4"); a general guide also serves a buyer
who names no symptom. For a case, `choose_guide` picks by product, then category, then
symptom, in the buyer's language: a guide in another language is no remedy for this
buyer, nor is a guide for another symptom than the one the buyer names. `fault_code_in`
reads the code a buyer quotes in free text. The starter set lives in `guides/`: the
sample products' guides, and each category's by symptom; sellers add their own guides on
top of it.
"""

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from services.resolution.domain.messages import LANGUAGES
from services.resolution.domain.policy import learnt_acceptance
from services.resolution.domain.symptoms import Symptom

GUIDES = Path(__file__).parent / "guides"
STARTER_GUIDES = GUIDES / "starter_guides.json"  # the sample products' guides
CATEGORY_GUIDES = GUIDES / "category_guides.json"  # each category's, by symptom

MIN_STEPS = 3
MAX_STEPS = 6


@dataclass(frozen=True)
class Guide:
    guide_id: str  # stable, e.g. "TWS-EB-A3-WHT.pairing.de"
    language: str  # "en", "de", "fr", "es", "it"
    title: str
    steps: tuple[str, ...]  # short imperative steps, 3–6
    sku: str | None = None  # a guide for one product, or
    category: str | None = None  # for every product of a category
    fault_code: str | None = None  # e.g. "E4"; None: the product's general guide
    video_url: str | None = None
    symptoms: tuple[str, ...] = ()  # the `Symptom`s it answers
    general: bool = True  # also for a buyer who names no symptom


# ------------------------------------------------------------------ fault codes in text

# Words after which a buyer quotes a code, in the five languages. Compounds end in one of
# them ("code d'erreur E4", "código de error E4", "codice errore E4"), so the last word
# before the code is enough.
_CODE_WORDS = (
    r"(?:fehler|error|err)[- ]?code|fehlermeldung|fehler|st[oö]rung"
    r"|error|errore|erreur|err|fault|code|codice|c[oó]digo"
)
# An optional "number"/"no."/":"/"#" and an opening quote between the word and the code.
_BETWEEN = (
    r"[\s:#=]*(?:(?:n[o°º]?|nr|number|nummer|num[eé]ro|n[uú]mero)\.?[\s:#]*)?"
    r"[\"'«»„“”‚‘’]?\s*"
)
# The code itself ends at a non-word character, but not inside "65W", "E4-2" or "12.5".
_CODE_END = r"(?!\w|-\w|[.,]\d)"

# After a code word: up to two letters, a dash or (E/F/H/P/L only) a space, 1–3 digits.
_CODE = r"[a-z]{1,2}-?\d{1,3}|[efhpl] \d{1,3}|\d{1,3}"
_QUOTED = re.compile(
    rf"(?<!\w)(?:{_CODE_WORDS})(?!\w){_BETWEEN}(?P<code>{_CODE}){_CODE_END}", re.IGNORECASE
)
# Without a code word: one upper-case letter among E, F, H, P, L, an optional dash, 1–3
# digits, standing alone (not inside a model number such as "LED-STP-10M-RGB").
_STANDALONE = re.compile(rf"(?<![\w-])(?P<code>[EFHPL]-?\d{{1,3}}){_CODE_END}")


def fault_code_in(text: str) -> str | None:
    """The first device fault code a buyer quotes, normalised: "e-21" → "E21"; or None.

    A code counts when either
    - it follows a code word in any of the five languages ("error", "code", "fault",
      "Fehler", "Fehlercode", "Störung", "erreur", "code d'erreur", "error",
      "código de error", "errore", "codice errore", ...), optionally with "number"/"no."/
      ":"/"#" between: up to two letters plus 1–3 digits ("E-21", "e 4"), or 1–3 digits
      alone ("error 12" → "12"); or
    - it stands alone and looks like a display code: one capital E, F, H, P or L, an
      optional dash, 1–3 digits ("E4", "E-21", "F03").
    Either way the code must end there: sizes and model numbers such as "65W", "10M",
    "4K" or "A3" (a letter outside E/F/H/P/L) are not codes, nor is anything inside a
    dashed SKU. Known limit: a standalone "E27" (a bulb socket) or "P30" (a phone model)
    still reads as a code.
    """
    found = [m for pattern in (_QUOTED, _STANDALONE) if (m := pattern.search(text))]
    if not found:
        return None
    first = min(found, key=lambda m: m.start("code"))
    return normalize_fault_code(first.group("code"))


def normalize_fault_code(code: str) -> str:
    """Upper case, without dashes or spaces: "e-21" → "E21"."""
    return re.sub(r"[\s-]", "", code).upper()


# ------------------------------------------------------------------ choosing a guide


def choose_guide(
    guides: Iterable[Guide],
    sku: str,
    category: str | None,
    fault_code: str | None,
    language: str,
    symptoms: Sequence[str] = (),
    declines: Mapping[str, float] | None = None,
) -> Guide | None:
    """The best guide for a case, in the buyer's language only, or None.

    Product first, then category: the SKU's guides before the category's. Within each,
    the guide for the fault code the buyer quotes, then one for a symptom they name (the
    first named first). A guide for a fault code never fits a case without that code,
    nor a guide a case whose buyer names only symptoms it does not answer. A buyer who
    names none gets a general guide, or failing that any of the product's own (the
    category's others are each for a symptom nobody named). `declines` (guide id → the
    learnt share of buyers who decline it) sinks a guide declined more than
    `SINKS_ABOVE` below every other that fits, and orders equals by it. Ties go to the
    first guide given.
    """
    code = None if fault_code is None else normalize_fault_code(fault_code)
    named = tuple(symptoms)
    declined = declines or {}
    best: tuple[tuple, Guide] | None = None
    for position, guide in enumerate(guides):
        if guide.language != language:
            continue
        fit = _rank(guide, sku, category, code, named)
        if fit is None:
            continue
        rate = declined.get(guide.guide_id, 0.0)
        key = (rate > SINKS_ABOVE, *fit, rate, position)
        if best is None or key < best[0]:
            best = (key, guide)
    return None if best is None else best[1]


# A guide most buyers decline once enough have answered: with the default 50% prior worth
# 20 answers, about 14 declines in a row.
SINKS_ABOVE = 0.7


def _rank(
    guide: Guide, sku: str, category: str | None, code: str | None, named: tuple[str, ...]
) -> tuple[int, int, int] | None:
    """(product 0 or category 1, code 0 / symptom 1 / general 2 / other 3, which
    symptom), or None."""
    if guide.sku is not None and guide.sku == sku:
        level = 0
    elif guide.sku is None and _same(guide.category, category):
        level = 1
    else:
        return None
    if guide.fault_code is not None:
        if code is None or normalize_fault_code(guide.fault_code) != code:
            return None  # a guide for another code, or the case quotes none
        return (level, 0, 0)
    if named:
        answered = [named.index(s) for s in guide.symptoms if s in named]
        return (level, 1, min(answered)) if answered else None
    if guide.general:
        return (level, 2, 0)
    return (level, 3, 0) if level == 0 else None


def _same(category: str | None, other: str | None) -> bool:
    return category is not None and other is not None and category.casefold() == other.casefold()


def learnt_declines(
    answers: Mapping[str, tuple[int, int]], prior_acceptance: float
) -> dict[str, float]:
    """Guide id → the share of buyers who decline it: the troubleshooting acceptance the
    policy assumes, updated by (accepted, answered) like every remedy's acceptance."""
    return {
        guide_id: 1 - learnt_acceptance(prior_acceptance, accepted, answered)
        for guide_id, (accepted, answered) in answers.items()
    }


# ------------------------------------------------------------------ loading


def load_starter_guides(path: Path = STARTER_GUIDES) -> list[Guide]:
    """The guides of a JSON file holding a list of guide objects."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of guides")
    return [guide_from_dict(item) for item in data]


@cache
def starter_guides() -> dict[str, Guide]:
    """The starter set, by guide id, read once: the products' guides before the
    categories' (between equals, the first given wins)."""
    both = (*load_starter_guides(STARTER_GUIDES), *load_starter_guides(CATEGORY_GUIDES))
    return {guide.guide_id: guide for guide in both}


_FIELDS = (
    "guide_id",
    "language",
    "title",
    "steps",
    "sku",
    "category",
    "fault_code",
    "video_url",
    "symptoms",
    "general",
)


def guide_to_dict(guide: Guide) -> dict:
    """The guide as stored and served; `guide_from_dict` reads it back."""
    return {
        "guide_id": guide.guide_id,
        "language": guide.language,
        "title": guide.title,
        "steps": list(guide.steps),
        "sku": guide.sku,
        "category": guide.category,
        "fault_code": guide.fault_code,
        "video_url": guide.video_url,
        "symptoms": list(guide.symptoms),
        "general": guide.general,
    }


def guide_from_dict(data: Mapping[str, Any]) -> Guide:
    """A guide from its JSON form; ValueError naming the first field that is wrong.

    Required: guide_id, language (one of the five), title, steps (3–6 non-empty
    strings) and exactly one of sku and category. Optional: fault_code (letters and
    digits, normalised like `fault_code_in`'s), video_url (http or https), symptoms (the
    names of `Symptom`s it answers), general (also for a buyer naming no symptom; by
    default when it names none). Unknown
    fields are refused, so a misspelt one is not silently lost.
    """
    if not isinstance(data, Mapping):
        raise ValueError("guide: expected an object")
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown field")
    guide_id = _text(data, "guide_id")
    language = _text(data, "language")
    if language not in LANGUAGES:
        raise ValueError(f"language: {language!r} is not one of {', '.join(LANGUAGES)}")
    title = _text(data, "title")
    steps = data.get("steps")
    if not isinstance(steps, list | tuple) or not all(
        isinstance(step, str) and step.strip() for step in steps
    ):
        raise ValueError("steps: expected a list of non-empty strings")
    if not MIN_STEPS <= len(steps) <= MAX_STEPS:
        raise ValueError(f"steps: {len(steps)} steps, expected {MIN_STEPS} to {MAX_STEPS}")
    sku = _optional_text(data, "sku")
    category = _optional_text(data, "category")
    if (sku is None) == (category is None):
        raise ValueError("sku: give exactly one of sku and category")
    fault_code = _optional_text(data, "fault_code")
    if fault_code is not None:
        fault_code = normalize_fault_code(fault_code)
        if not re.fullmatch(r"[A-Z]{0,2}\d{1,3}", fault_code):
            raise ValueError(f"fault_code: {fault_code!r} is not a device code such as E4")
    video_url = _optional_text(data, "video_url")
    if video_url is not None and not video_url.startswith(("https://", "http://")):
        raise ValueError("video_url: expected an http(s) address")
    symptoms = _symptoms(data)
    general = data.get("general")
    if general is None:
        general = not symptoms
    if not isinstance(general, bool):
        raise ValueError("general: expected true or false")
    if not general and not symptoms:
        raise ValueError("symptoms: a guide that is not general answers some symptom")
    return Guide(
        symptoms=symptoms,
        general=general,
        guide_id=guide_id,
        language=language,
        title=title,
        steps=tuple(step.strip() for step in steps),
        sku=sku,
        category=category,
        fault_code=fault_code,
        video_url=video_url,
    )


def _symptoms(data: Mapping[str, Any]) -> tuple[str, ...]:
    names = data.get("symptoms") or []
    if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
        raise ValueError("symptoms: expected a list of symptom names")
    known = {symptom.value for symptom in Symptom}
    for name in names:
        if name not in known:
            raise ValueError(f"symptoms: {name!r} is not one of {', '.join(sorted(known))}")
    return tuple(dict.fromkeys(names))


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}: required, a non-empty string")
    return value.strip()


def _optional_text(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}: a non-empty string or null")
    return value.strip()
