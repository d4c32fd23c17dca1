"""The staff pages' languages (the warehouses' and repair shops' staff speak English,
German, French or Spanish): which one a page speaks, and a sentence of a page's table of
words in it. Pure: each page keeps its own words in its service's domain."""

from collections.abc import Mapping, Sequence

LANGUAGES = ("en", "de", "fr", "es")
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español"}
FALLBACK = "en"


def language_of(*choices: str | None) -> str:
    """The first of `choices` the page speaks (the one asked, the cookie's, the browser's),
    else English."""
    for choice in choices:
        if choice in LANGUAGES:
            return choice
    return FALLBACK


def browser_language(accept_language: str) -> str | None:
    """The first language of an Accept-Language header the page speaks ("de-DE,de;q=0.9")."""
    for part in accept_language.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return None


def lookup(texts: Mapping[str, Sequence[str]], key: str, language: str, **facts: object) -> str:
    """The sentence `key` of `texts` (its forms in the order of LANGUAGES) in `language`, its
    {placeholders} filled in."""
    sentence = texts[key][LANGUAGES.index(language)]
    return sentence.format(**facts) if facts else sentence
