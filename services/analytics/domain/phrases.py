"""What buyers keep writing when they return a listing for a reason: the phrases of one to
three words found in the comments they open a return with and the replies they send, each
counted once per buyer who wrote it, in the buyer's language. Plain functions, no I/O.

How a comment is read:

* lower-cased, NFKC-normalised (full-width letters and digits become ordinary ones), accents
  kept: "Défectueux" is "défectueux", "Größe" is "größe";
* words are runs of letters and digits, with inner hyphens and apostrophes ("usb-c",
  "doesn't"); a word with an apostrophe that is not itself a stop word is read as its parts,
  so the French "l'écran" is "l" + "écran" and "écran" counts whatever article comes before;
* a phrase never spans punctuation: "arrived late. battery dies" holds no "late battery";
* a phrase may not start or end with a stop word of the comment's language (stop words
  inside are kept: "cable stopped charging after two days"), nor be only numbers;
* languages written without spaces (Japanese, Chinese) have no words to count: each run of
  kana and ideographs gives its phrases of two to eight characters (one says too little,
  eight are about three words), which may not start or end with a stop word of the
  language either; keeping the longest phrase as many buyers wrote (below) then leaves the
  words and expressions they share, "バッテリー" and "すぐ切れる" rather than "バッテ";
* a language with no stop-word list is read with the English one.
"""

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

from stop_words import StopWordError, get_stop_words

FALLBACK_LANGUAGE = "en"
MAX_WORDS = 3  # words in a phrase, for languages written with spaces
CJK_SIZES = range(2, 9)  # characters in a phrase without spaces: about one to three words
MIN_BUYERS = 2  # a phrase one buyer wrote is an anecdote, two buyers make it recurring

# The greeting and courtesy words of a message to the seller, which the stop-word lists lack
# (English ones, "hello", "thanks", "please", are in its list): they open and close the
# comment and say nothing about the product.
FILLER = frozenset(
    {
        *("hallo", "bitte", "danke", "grüße", "mfg"),
        *("bonjour", "merci", "cordialement", "svp"),
        *("ciao", "buongiorno", "grazie", "saluti", "cordiali"),
        *("hola", "gracias", "saludos"),
        # Japanese and Chinese question endings ("…ですか", "…吗"), which the lists lack.
        *("か", "ですか", "ますか", "でしょうか", "吗", "呢"),
    }
)

# Words the stop-word lists drop that say what is wrong with a product (its fit, whether it
# works): kept, so buyers' "too small" and "stopped working" stay whole phrases.
TELLING = frozenset(
    {
        *("not", "no", "never", "too", "small", "big", "large", "little", "long", "short"),
        *("work", "works", "working", "worked", "wrong", "different", "new", "old"),
        *("nicht", "kein", "keine", "zu", "klein", "groß", "lang", "kurz", "falsch"),
        *("pas", "trop", "petit", "petite", "grand", "grande", "court", "long"),
        *("non", "troppo", "piccolo", "piccola", "grande", "lungo", "corto"),
        *("no", "demasiado", "pequeño", "pequeña", "grande", "largo", "corto"),
    }
)

# Of those, the ones that only modify another word ("not", "too", "pas"): a phrase of
# nothing else says nothing.
MODIFIERS = frozenset(
    {"not", "no", "never", "too", "nicht", "kein", "keine", "zu", "pas", "trop", "non"}
    | {"troppo", "demasiado"}
)

# Hiragana, katakana (full and half width), the CJK ideographs of the basic plane.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_TOKEN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[^\W_{_CJK}]+(?:['-][^\W_{_CJK}]+)*)")
_CJK_CHARACTER = re.compile(f"[{_CJK}]")
_SPACE = re.compile(r"\s*")

Phrase = tuple[str, ...]  # its words, or its characters for a language without spaces
Ranked = list[tuple[str, int]]  # phrase and how many buyers wrote it, most written first


@dataclass(frozen=True)
class BuyerComment:
    """What one buyer wrote about a listing returned for a reason: the comment that opened
    the return or a reply, in the buyer's language (ISO 639-1 code, "en", "de", "ja"…),
    counted under `subject`: the listing's SKU, or its market for a report per market."""

    subject: str
    reason: str
    language: str
    text: str


def top_phrases(texts: Iterable[str], language: str, limit: int = 5) -> Ranked:
    """The phrases that buyers writing in one language keep using, with how many of them
    wrote each: most buyers first, then alphabetically, at most ``limit``.

    Only phrases at least two buyers wrote, unless there is a single comment, whose phrases
    are then all there is to show. A phrase inside a longer one that as many buyers wrote is
    left out for the longer one: "battery dies" rather than "battery" and "dies"."""
    written = [text for text in texts if text.strip()]
    return _ranked(_buyers_per_phrase(written, language), len(written), limit)


def phrases_by_reason(
    comments: Iterable[BuyerComment], limit: int = 5
) -> dict[tuple[str, str], Ranked]:
    """The top phrases per subject (listing or market) and return reason, keyed by
    (subject, reason).

    Each language's comments are read with its own stop words, then the phrases of all
    languages are counted and ranked together (a phrase written in two languages, "usb-c",
    counts the buyers of both). Blank comments are ignored; so is a listing and reason whose
    comments give no phrase. A single comment for a listing and reason shows all its
    phrases."""
    counted = Counted()
    for comment in comments:
        counted.add((comment.subject, comment.reason), phrases_in(comment.text, comment.language))
    return counted.ranked(limit)


@dataclass
class Counted:
    """Phrases already counted per subject and reason (how many comments hold each) and
    the non-blank comments of each: what `phrases_by_reason` ranks, whether it split the
    comments itself or read the counts kept when they were written."""

    buyers: dict[tuple[str, str], Counter[Phrase]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    comments: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, key: tuple[str, str], phrases: Iterable[Phrase] | None) -> None:
        """One comment's phrases (`phrases_in`); None for a blank comment, not counted."""
        if phrases is None:
            return
        self.comments[key] += 1
        self.buyers[key].update(phrases)

    def add_counts(self, key: tuple[str, str], phrase: Phrase, buyers: int) -> None:
        """A phrase as many comments hold it, counted elsewhere."""
        self.buyers[key][phrase] += buyers

    def add_comments(self, key: tuple[str, str], comments: int) -> None:
        self.comments[key] += comments

    def ranked(self, limit: int = 5) -> dict[tuple[str, str], Ranked]:
        """The top phrases of each subject and reason with comments, as `phrases_by_reason`
        gives them."""
        found = {}
        for key in sorted(key for key, count in self.comments.items() if count > 0):
            ranked = _ranked(self.buyers.get(key, Counter()), self.comments[key], limit)
            if ranked:
                found[key] = ranked
        return found


def phrases_in(text: str, language: str) -> frozenset[Phrase] | None:
    """The phrases one comment holds, each once, read in its language as `phrases_by_reason`
    reads it; None for a blank comment (it does not count as one)."""
    if not text.strip():
        return None
    return _phrases_of_comment(text, base_language(language))


@lru_cache(maxsize=8192)  # buyers of a listing often write the very same words
def _phrases_of_comment(text: str, language: str) -> frozenset[Phrase]:
    return frozenset(_phrases(text, _stop_words(language)))


def phrases_of(text: str, language: str) -> set[str]:
    """Every phrase of one text, read exactly as `top_phrases` reads it (before counting),
    so the texts holding a phrase it ranked can be found."""
    return {_text(phrase) for phrase in _buyers_per_phrase([text], language)}


def _ranked(buyers: Counter[Phrase], comments: int, limit: int) -> Ranked:
    """The phrases enough buyers wrote, but those inside a longer one as many wrote, most
    first then alphabetically, at most ``limit``."""
    least = MIN_BUYERS if comments >= MIN_BUYERS else 1
    kept = _longest(buyers)
    shown = [(_text(phrase), count) for phrase, count in kept.items() if count >= least]
    return sorted(shown, key=lambda item: (-item[1], item[0]))[: max(limit, 0)]


def _buyers_per_phrase(texts: Iterable[str], language: str) -> Counter[Phrase]:
    """How many of the comments hold each phrase, once per comment however often it is
    written there."""
    stop = _stop_words(base_language(language))
    buyers: Counter[Phrase] = Counter()
    for text in texts:
        buyers.update(set(_phrases(text, stop)))
    return buyers


def _longest(buyers: Counter[Phrase]) -> Counter[Phrase]:
    """Without the phrases that a longer phrase holds and that no more buyers wrote."""
    covered = {
        part
        for phrase, count in buyers.items()
        for part in _parts(phrase)
        if buyers.get(part) == count
    }
    return Counter({phrase: count for phrase, count in buyers.items() if phrase not in covered})


def _parts(phrase: Phrase) -> Iterator[Phrase]:
    """The shorter phrases inside a phrase, in one piece."""
    for size in range(1, len(phrase)):
        for start in range(len(phrase) - size + 1):
            yield phrase[start : start + size]


def _phrases(text: str, stop: frozenset[str]) -> Iterator[Phrase]:
    """Every phrase of a comment, as often as it is written."""
    for run, without_spaces in _runs(text, stop):
        if without_spaces:
            yield from _character_phrases("".join(run), stop)
        else:
            yield from _word_phrases(run, stop)


def _word_phrases(words: list[str], stop: frozenset[str]) -> Iterator[Phrase]:
    for size in range(1, MAX_WORDS + 1):
        for start in range(len(words) - size + 1):
            phrase = tuple(words[start : start + size])
            if phrase[0] in stop or phrase[-1] in stop or _numbers(phrase):
                continue
            if not set(phrase) <= MODIFIERS:
                yield phrase


def _character_phrases(run: str, stop: frozenset[str]) -> Iterator[Phrase]:
    for size in CJK_SIZES:
        for start in range(len(run) - size + 1):
            chunk = run[start : start + size]
            if not _edges(chunk) & stop and not chunk.isnumeric():
                yield tuple(chunk)


def _edges(chunk: str) -> set[str]:
    """What a phrase without spaces starts and ends with, from one character to all."""
    cuts = range(1, len(chunk) + 1)
    return {chunk[:cut] for cut in cuts} | {chunk[-cut:] for cut in cuts}


def _runs(text: str, stop: frozenset[str]) -> Iterator[tuple[list[str], bool]]:
    """The comment's runs of words between punctuation marks, each with whether it is
    written without spaces (then it is a single run of characters)."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    run: list[str] = []
    without_spaces = False
    end = 0
    for token in _TOKEN.finditer(text):
        joined = _SPACE.fullmatch(text, end, token.start()) is not None
        if run and (token["cjk"] or without_spaces or not joined):
            yield run, without_spaces
            run = []
        without_spaces = token["cjk"] is not None
        run.extend([token["cjk"]] if without_spaces else _words(token["word"], stop))
        end = token.end()
    if run:
        yield run, without_spaces


def _words(token: str, stop: frozenset[str]) -> list[str]:
    """A word with apostrophes stays whole if it is a stop word ("doesn't"), else it is its
    parts ("l'écran" is "l" and "écran")."""
    if "'" not in token or token in stop:
        return [token]
    return token.split("'")


def _numbers(phrase: Phrase) -> bool:
    return all(word.replace("-", "").replace("'", "").isnumeric() for word in phrase)


def _text(phrase: Phrase) -> str:
    """A phrase as written: its words spaced, its characters not."""
    return ("" if _CJK_CHARACTER.match(phrase[0]) else " ").join(phrase)


def base_language(code: str) -> str:
    """The language of a code as buyers' comments give it: "de-AT" and "de_DE" are "de"."""
    return re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0] or FALLBACK_LANGUAGE


@cache
def _stop_words(language: str) -> frozenset[str]:
    """The stop words of a language, English for one without a list, and the filler, but
    never the telling words."""
    try:
        words = get_stop_words(language)
    except StopWordError:
        words = get_stop_words(FALLBACK_LANGUAGE)
    listed = frozenset(word.lower().replace("’", "'") for word in words)
    return (listed | FILLER) - TELLING
