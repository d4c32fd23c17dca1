"""Which scenario an after-sales case is, and in which language the buyer wrote.

The scenario picks the remedy a seller offers first (partial refund, part shipment,
exchange, full refund...). Two kinds of evidence are weighed:

- the reason code: the marketplace's own code ("SIZE_TOO_SMALL", "SNAD"), else the
  canonical `Reason` intake mapped it to. A code that names a scenario counts 1.0, a
  vague one ("DEFECTIVE", "ARRIVED_DAMAGED") 0.6, "OTHER" nothing;
- the buyer's words, read with the lexicons of the languages they may be written in
  (English, German, French, Spanish, Italian): each phrase of `lexicons.PHRASES`
  counts 1, a decisive one ("never arrived", "but it works") 2, and a damage, fault or
  set-up phrase right after a negation ("not damaged") does not count.

So the buyer's words usually override a vague or wrong code: DEFECTIVE + "I couldn't
figure out how to pair it" is a functional fault. The scenario with the most weight
wins; when the evidence is thin or split the confidence is low and the case is flagged
for an agent rather than guessed. Pure: no I/O once the module is imported.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from shared.events import Reason, Scenario

from . import lexicons

# Below this confidence a human agent decides the scenario.
AGENT_THRESHOLD = 0.5
# Added to the total weight so that one piece of evidence alone is never certain.
DOUBT = 0.5
DECISIVE_WEIGHT = 2.0
# How many words before a phrase a negation cancels it.
NEGATION_REACH = 3
# With no evidence at all: the scenario whose remedy (full refund) is always lawful.
FALLBACK_SCENARIO = Scenario.QUALITY_DEFECT
# Fewer letters than this and a language detector only guesses.
MIN_LETTERS_TO_DETECT = 4
# A language this likely (or more) has its lexicon read too: short texts are ambiguous.
MIN_LIKELIHOOD_TO_READ = 0.1

# Loaded once at import, so that classifying never reads the model file.
DETECTOR = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
DETECTOR.set_languages(list(lexicons.LANGUAGES))


@dataclass(frozen=True)
class Classification:
    scenario: Scenario
    confidence: float  # 0..1
    language: str  # ISO 639-1
    signals: list[str]  # the evidence, in words, strongest first
    needs_agent: bool  # confidence too low: a human decides


@dataclass(frozen=True)
class Evidence:
    scenario: Scenario
    weight: float
    why: str
    from_text: bool = True


@dataclass(frozen=True)
class PhraseRule:
    scenario: Scenario
    pattern: re.Pattern[str]
    weight: float
    negatable: bool


def classify(
    reason: Reason, marketplace_reason: str, text: str, language_hint: str | None = None
) -> Classification:
    """The scenario of a case from its reason code and the buyer's own words."""
    likely = likely_languages(text)
    words = normalise(text)
    evidence = [
        *code_evidence(reason, marketplace_reason),
        *text_evidence(words, languages_to_read(likely, language_hint)),
    ]
    scenario, confidence = weigh(evidence)
    signals = [e.why for e in sorted(evidence, key=lambda e: -e.weight)]
    if not any(e.weight for e in evidence):
        signals.append(f"no evidence → {FALLBACK_SCENARIO} (its remedy is always lawful)")
    return Classification(
        scenario=scenario,
        confidence=round(confidence, 3),
        language=likely[0] if likely else language_hint or "en",
        signals=signals,
        needs_agent=confidence < AGENT_THRESHOLD,
    )


def detect_language(text: str, hint: str | None = None) -> str:
    """ISO 639-1 code of the text; the hint (then English) when the text is too short."""
    likely = likely_languages(text)
    return likely[0] if likely else hint or "en"


def likely_languages(text: str) -> list[str]:
    """The languages the text may be in, most likely first; none for too short a text."""
    if sum(map(str.isalpha, text)) < MIN_LETTERS_TO_DETECT:
        return []
    ranked = DETECTOR.rank(text)
    return [language for language, p in ranked if p >= MIN_LIKELIHOOD_TO_READ]


def languages_to_read(likely: list[str], hint: str | None) -> list[str]:
    if not likely:  # a word or two: cheap to read in every language
        return list(lexicons.LANGUAGES)
    return [*likely, hint] if hint in lexicons.LANGUAGES and hint not in likely else likely


def normalise(text: str) -> str:
    """What phrases match: lower case, no accents, "n't" glued, one space between words,
    and a "," wherever a clause ends, so that "jetzt geht es, aber" is not "geht es aber"."""
    text = text.casefold().replace("’", "'")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()  # é → e
    text = re.sub(r"n't\b", "nt", text)
    text = re.sub(r"[.,;:!?()\n]+", " , ", text)
    return " ".join(re.findall(r"[a-z0-9]+|,", text))


def normalise_code(code: str) -> str:
    code = re.sub(r"['’]", "", code.strip().upper())
    code = re.sub(r"[^A-Z0-9]+", "_", code).strip("_")
    return re.sub(r"^(CR|AMZ_PG)_", "", code)


def code_evidence(reason: Reason, marketplace_reason: str) -> list[Evidence]:
    code = normalise_code(marketplace_reason)
    if code in lexicons.CODE_SCENARIO:
        scenario, weight = lexicons.CODE_SCENARIO[code]
        why = f"reason code {marketplace_reason} → {scenario}"
        return [Evidence(scenario, weight, why, from_text=False)]
    if code in lexicons.SILENT_CODES and reason is Reason.OTHER:
        return []
    if reason in lexicons.REASON_SCENARIO:
        scenario, weight = lexicons.REASON_SCENARIO[reason]
        return [Evidence(scenario, weight, f"reason {reason} → {scenario}", from_text=False)]
    return []


def text_evidence(words: str, languages: list[str]) -> list[Evidence]:
    evidence = []
    for language in languages:
        for rule in PHRASE_RULES[language]:
            for match in rule.pattern.finditer(words):
                phrase = f"{language}: '{match.group()}'"
                if rule.negatable and negated(words, match.start()):
                    evidence.append(Evidence(rule.scenario, 0.0, f"{phrase} negated, ignored"))
                else:
                    why = f"{phrase} → {rule.scenario}"
                    evidence.append(Evidence(rule.scenario, rule.weight, why))
    return evidence


def negated(words: str, start: int) -> bool:
    """A negation among the few words before, in the same clause."""
    clause = words[:start].rsplit(",", 1)[-1]
    return any(word in lexicons.NEGATIONS for word in clause.split()[-NEGATION_REACH:])


def weigh(evidence: list[Evidence]) -> tuple[Scenario, float]:
    """The heaviest scenario and how clearly it beats the rest."""
    totals: dict[Scenario, float] = defaultdict(float)
    said: dict[Scenario, float] = defaultdict(float)  # the buyer's words alone break ties
    for item in evidence:
        totals[item.scenario] += item.weight
        said[item.scenario] += item.weight if item.from_text else 0.0
    if not any(totals.values()):
        return FALLBACK_SCENARIO, 0.0
    scenario = max(totals, key=lambda s: (totals[s], said[s]))
    return scenario, totals[scenario] / (sum(totals.values()) + DOUBT)


def compile_rules() -> dict[str, list[PhraseRule]]:
    """One pattern per language, scenario and weight: the phrases joined as alternatives."""
    rules: dict[str, list[PhraseRule]] = defaultdict(list)
    for table, weight in ((lexicons.PHRASES, 1.0), (lexicons.DECISIVE_PHRASES, DECISIVE_WEIGHT)):
        for scenario, by_language in table.items():
            negatable = weight == 1.0 and scenario in lexicons.NEGATABLE
            for language, phrases in by_language.items():
                pattern = re.compile(r"\b(?:" + "|".join(phrases) + r")\b")
                rules[language].append(PhraseRule(scenario, pattern, weight, negatable))
    return rules


PHRASE_RULES = compile_rules()
