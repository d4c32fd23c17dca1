"""Which scenario an after-sales case is, and in which language the buyer wrote.

The scenario picks the remedy a seller offers first (partial refund, part shipment,
exchange, full refund...). Two kinds of evidence are weighed:

- the reason code: the marketplace's own code ("SIZE_TOO_SMALL", "SNAD"), else the
  canonical `Reason` intake mapped it to. A code that names a scenario counts 1.0, a
  vague one ("DEFECTIVE", "ARRIVED_DAMAGED") 0.6, "OTHER" nothing;
- the buyer's words, read with the lexicons of the languages they may be written in
  (English, German, French, Spanish, Italian): each phrase of `lexicons.PHRASES`
  counts 1, a decisive one ("never arrived", "but it works") 2. A negation cancels a
  damage, fault or set-up phrase right after it ("not damaged", "pas abîmé"), but before
  a functioning verb it is the fault itself ("doesn't turn on", "ne s'allume pas", "non
  si accende", "geht nicht an": `lexicons.FUNCTIONS` and `lexicons.POWER`, each
  language's word order in `lexicons.NEGATED`); a product that does not switch on or
  charge is a functional fault first, unless the buyer also says it broke. "It
  works", "intact" and the like speak for a minor defect only when the buyer also names
  some damage: alone they only say nothing is broken.

So the buyer's words usually override a vague or wrong code: DEFECTIVE + "I couldn't
figure out how to pair it" is a functional fault. The scenario with the most weight
wins; the confidence is how far it leads the runner-up, so split evidence, a code the
words contradict, or words none of which the lexicons know leave the case to an agent
rather than a guess: a wrong remedy offered with nobody looking is the worst outcome.
Pure: no I/O once the module is imported.
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
# Added to the winner's weight so that one piece of evidence alone is never certain.
DOUBT = 0.5
# Added too when the buyer wrote a few sentences' worth and none of it counted: a code
# alone then leaves the case to an agent, who can read what the lexicons cannot.
UNREAD_DOUBT = 0.6
UNREAD_MIN_WORDS = 6
DECISIVE_WEIGHT = 2.0
# How many words before a phrase a negation cancels it.
NEGATION_REACH = 3
# With no evidence at all: the scenario whose remedy (full refund) is always lawful.
FALLBACK_SCENARIO = Scenario.QUALITY_DEFECT
# What the buyer may name as damage, beside which "but it works" means a minor defect.
DAMAGE = frozenset({Scenario.MINOR_DEFECT, Scenario.QUALITY_DEFECT})
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
    power: bool = False  # a negated power verb: "won't switch on", "ne charge plus"


@dataclass(frozen=True)
class PhraseRule:
    scenario: Scenario
    pattern: re.Pattern[str]
    weight: float
    negatable: bool
    power: bool = False  # a negated power verb


def classify(
    reason: Reason, marketplace_reason: str, text: str, language_hint: str | None = None
) -> Classification:
    """The scenario of a case from its reason code and the buyer's own words."""
    likely = likely_languages(text)
    words = normalise(text)
    code = code_evidence(reason, marketplace_reason)
    said = in_context(text_evidence(words, languages_to_read(likely, language_hint)), code)
    evidence = [*code, *said]
    written = sum(word != "," for word in words.split())
    unread = written >= UNREAD_MIN_WORDS and not any(item.weight for item in said)
    scenario, confidence = weigh(evidence, UNREAD_DOUBT if unread else 0.0)
    signals = [e.why for e in sorted(evidence, key=lambda e: -e.weight)]
    if not any(e.weight for e in evidence):
        signals.append(f"no evidence → {FALLBACK_SCENARIO} (its remedy is always lawful)")
    elif unread:
        signals.append("none of the buyer's words known: the code alone, an agent reads them")
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
                if rule.negatable and negated(words, match, language):
                    evidence.append(Evidence(rule.scenario, 0.0, f"{phrase} negated, ignored"))
                else:
                    why = f"{phrase} → {rule.scenario}"
                    evidence.append(Evidence(rule.scenario, rule.weight, why, power=rule.power))
    return evidence


def negated(words: str, match: re.Match[str], language: str) -> bool:
    """A negation of that language among the few words before, in the same clause; a
    phrase that is itself negative ("pas de piles" in "il n'y avait pas de piles") stays."""
    negations = lexicons.NEGATIONS[language]
    if match.group().split()[0] in negations:
        return False
    clause = words[: match.start()].rsplit(",", 1)[-1]
    return any(word in negations for word in clause.split()[-NEGATION_REACH:])


def in_context(said: list[Evidence], code: list[Evidence]) -> list[Evidence]:
    return symptoms_of_a_defect(works_beside_damage(said, code))


def symptoms_of_a_defect(said: list[Evidence]) -> list[Evidence]:
    """ "Won't switch on" asks for set-up help, unless the buyer also says it stopped
    working or broke (and says nothing of set-up): then it is that defect's symptom."""
    defect = any(
        item.scenario is Scenario.QUALITY_DEFECT and item.weight and not item.power for item in said
    )
    set_up = any(
        item.scenario is Scenario.FUNCTIONAL_FAULT and item.weight and not item.power
        for item in said
    )
    if not defect or set_up:
        return said
    return [
        Evidence(Scenario.QUALITY_DEFECT, item.weight, f"{item.why}, a symptom → quality_defect")
        if item.power
        else item
        for item in said
    ]


def works_beside_damage(said: list[Evidence], code: list[Evidence]) -> list[Evidence]:
    """ "It works", "intact", "a partial refund" count for a minor defect only beside some
    damage the buyer names (or a damage code): alone they say nothing is broken; beside a
    set-up word or a missing part they count 1, so that the case is weighed, often by an
    agent."""
    damage = any(
        item.weight and item.scenario in DAMAGE for item in said if item.weight < DECISIVE_WEIGHT
    ) or any(item.scenario is Scenario.MINOR_DEFECT for item in code)
    if damage:
        return said
    # Beside a missing part, "otherwise fine" weighs a part against a partial refund.
    missing_part = any(
        item.weight and item.scenario is Scenario.FUNCTIONAL_FAULT and not item.power
        for item in [*said, *code]
    )
    return [
        (
            Evidence(item.scenario, 1.0, f"{item.why}, beside a missing or faulty part")
            if missing_part
            else Evidence(item.scenario, 0.0, f"{item.why}, but no damage named: ignored")
        )
        if item.scenario is Scenario.MINOR_DEFECT and item.weight >= DECISIVE_WEIGHT
        else item
        for item in said
    ]


def weigh(evidence: list[Evidence], doubt: float = 0.0) -> tuple[Scenario, float]:
    """The heaviest scenario and how far it leads the runner-up."""
    totals: dict[Scenario, float] = defaultdict(float)
    said: dict[Scenario, float] = defaultdict(float)  # the buyer's words alone break ties
    for item in evidence:
        totals[item.scenario] += item.weight
        said[item.scenario] += item.weight if item.from_text else 0.0
    if not any(totals.values()):
        return FALLBACK_SCENARIO, 0.0
    ranked = sorted(totals, key=lambda s: (totals[s], said[s]), reverse=True)
    runner_up = totals[ranked[1]] if len(ranked) > 1 else 0.0
    lead = totals[ranked[0]] - runner_up
    return ranked[0], lead / (totals[ranked[0]] + DOUBT + doubt)


def compile_rules() -> dict[str, list[PhraseRule]]:
    """One pattern per language, scenario and weight: the phrases joined as alternatives;
    and one per language and scenario for its functioning verbs, negated."""
    rules: dict[str, list[PhraseRule]] = defaultdict(list)
    for table, weight in ((lexicons.PHRASES, 1.0), (lexicons.DECISIVE_PHRASES, DECISIVE_WEIGHT)):
        for scenario, by_language in table.items():
            negatable = weight == 1.0 and scenario in lexicons.NEGATABLE
            for language, phrases in by_language.items():
                pattern = re.compile(r"\b(?:" + "|".join(phrases) + r")\b")
                rules[language].append(PhraseRule(scenario, pattern, weight, negatable))
    for scenario, by_language in lexicons.FUNCTIONS.items():
        for language, verbs in by_language.items():
            rules[language].append(PhraseRule(scenario, negated_verbs(language, verbs), 1.0, False))
    for language, verbs in lexicons.POWER.items():
        pattern = negated_verbs(language, verbs)
        rules[language].append(PhraseRule(Scenario.FUNCTIONAL_FAULT, pattern, 1.0, False, True))
    # Switching itself off is either: set-up help or a defect, as much one as the other.
    for language, phrases in lexicons.SWITCHES_OFF.items():
        pattern = re.compile(r"\b(?:" + "|".join(phrases) + r")\b")
        for scenario in (Scenario.FUNCTIONAL_FAULT, Scenario.QUALITY_DEFECT):
            rules[language].append(PhraseRule(scenario, pattern, 1.0, False, True))
    return rules


def negated_verbs(language: str, verbs: list[str]) -> re.Pattern[str]:
    negations = "|".join(sorted(lexicons.NEGATIONS[language], key=len, reverse=True))
    forms = [
        template.format(neg=negations, verb="|".join(verbs))
        for template in lexicons.NEGATED[language]
    ]
    return re.compile(r"\b(?:" + "|".join(forms) + r")\b")


PHRASE_RULES = compile_rules()
