"""What a buyer's reply says: the new words only (quoted history and signature stripped),
the language, and the answer they give an offer.

A reply is read as:
- accept: a clear yes ("yes, I accept", "ja, einverstanden", "oui, d'accord", "sí, acepto",
  "sì, accetto");
- decline: a clear no ("no thanks", "nein, ich lehne ab", "je refuse", "no acepto",
  "non accetto");
- choice: the buyer names a pickup or a drop-off for the return, or a variant (a size, a
  colour) for an exchange;
- question: a question mark or a question word opening a sentence;
- unclear: anything else, a yes and a no together, or nothing left to read.

Only a clear accept or decline answers the offer by itself; an accept naming a pickup or a
drop-off is still an accept (the words travel with it). A question, a variant named in
words (intake cannot price it: the buyer's page or an agent picks it) and anything unclear
go to the agents' queue as a message, with the text. Pure: no I/O.
"""

import re
from dataclasses import dataclass, field
from enum import StrEnum

from mailparser_reply import EmailReplyParser

from services.intake.domain.classification import detect_language, normalise
from services.intake.domain.lexicons import LANGUAGES
from shared.events import BuyerAnswer

# The longest reply read: what a buyer writes above the quoted history is short.
LONGEST_REPLY = 5000


class Reading(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    CHOICE = "choice"
    QUESTION = "question"
    UNCLEAR = "unclear"


class Choice(StrEnum):
    PICKUP = "pickup"
    DROP_OFF = "drop_off"
    VARIANT = "variant"


@dataclass(frozen=True)
class ReadReply:
    reading: Reading
    answer: BuyerAnswer  # what the case.buyer_replied event says
    text: str  # the buyer's new words, quoted history and signature stripped
    language: str
    choice: Choice | None = None
    why: list[str] = field(default_factory=list)


# Quoted history: everything from the first of these lines on is what the buyer answered,
# not what they wrote. Matched on a line of its own (a header may wrap over two lines).
QUOTE_HEADERS = [
    r"^On\b.{0,200}\bwrote:\s*$",  # On Mon, 1 Jan 2026 at 10:00, Shop <...> wrote:
    r"^Am\b.{0,200}\bschrieb\b.{0,200}:\s*$",  # Am 01.01.2026 um 10:00 schrieb Shop <...>:
    r"^Le\b.{0,200}\ba\s+[ée]crit\s*:\s*$",  # Le lun. 1 janv. 2026, Shop <...> a écrit :
    r"^El\b.{0,200}\bescribi[óo]\s*:\s*$",  # El lun, 1 ene 2026, Shop (<...>) escribió:
    r"^Il\b.{0,200}\bha\s+scritto\s*:\s*$",  # Il giorno lun 1 gen 2026 ... ha scritto:
    r"^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|"
    r"Messaggio originale)\s*-{2,}\s*$",
    r"^-{2,}\s*(Forwarded message|Weitergeleitete Nachricht|Message transféré|"
    r"Mensaje reenviado|Messaggio inoltrato)\s*-{2,}\s*$",
    r"^(Begin forwarded message|Anfang der weitergeleiteten Nachricht|Début du message "
    r"réexpédié|Inicio del mensaje reenviado|Inizio messaggio inoltrato)\s*:\s*$",
    r"^_{20,}\s*$",  # Outlook's rule above the quoted message
    # Outlook's header block: From/Von/De/Da: then Sent/Gesendet/Envoyé/Enviado/Inviato:
    r"^\*?(From|Von|De|Da)\s*:\*?.*\n\*?(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Fecha|"
    r"Inviato|Data)\s*:",
]
QUOTE_HEADER = re.compile("|".join(f"(?:{p})" for p in QUOTE_HEADERS), re.I | re.M)
# A header wrapped by the buyer's mail program: "On Mon, 1 Jan 2026 at 10:00, Shop\n<...> wrote:"
WRAPPED_HEADER = re.compile(
    r"^(On|Am|Le|El|Il)\b[^\n]{0,200}\n[^\n]{0,200}\b(wrote|schrieb|a [ée]crit|escribi[óo]|"
    r"ha scritto)\b[^\n]{0,100}:\s*$",
    re.I | re.M,
)
# A signature: the "-- " line, or what a phone adds.
SIGNATURE = re.compile(
    r"^(--|-- |—)\s*$|^(Sent from my|Sent from Mail for|Get Outlook for|Von meinem|Gesendet von|"
    r"Envoyé de mon|Envoyé depuis|Enviado desde|Enviado con|Inviato da|Inviato dal)\b",
    re.I | re.M,
)
QUOTED_LINE = re.compile(r"^\s*>")

PARSER = EmailReplyParser(languages=list(LANGUAGES))


def latest_reply(text: str) -> str:
    """The buyer's new words: what comes before the quoted history and the signature."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")[: LONGEST_REPLY * 4]
    try:
        parsed = PARSER.parse_reply(text)
    except Exception:  # a maintained parser of odd mail: never let it lose the reply
        parsed = None
    text = parsed if parsed and parsed.strip() else text
    for pattern in (WRAPPED_HEADER, QUOTE_HEADER, SIGNATURE):
        found = pattern.search(text)
        if found:
            text = text[: found.start()]
    kept = [line for line in text.split("\n") if not QUOTED_LINE.match(line)]
    return "\n".join(kept).strip()[:LONGEST_REPLY]


# What a buyer writes, normalised as the classifier normalises it (lower case, no accents,
# "," where a clause ends). A short yes or no counts only where a clause starts.
CLAUSE = r"(?:^|, )"
YES_WORDS = r"(yes|yeah|yep|sure|ok|okay|ja|jawohl|gerne|oui|si|vale|certo|certamente)"
NO_WORDS = r"(no|nope|nein|non)"

DECLINE_PHRASES = {
    "en": [
        r"i (decline|refuse|reject)", r"(decline|refuse|reject) (the|this|your) offer",
        r"(do not|dont|will not|wont|cannot|cant) accept", r"not (accept|agree)",
        r"no thanks?( you)?", r"not interested", r"not ok(ay)?", r"i want a full refund",
        r"(rather|prefer) (have |get )?a full refund",
    ],
    "de": [
        r"(ich )?lehne (das angebot |es |das )?ab", r"ablehnen", r"nicht einverstanden",
        r"kein interesse", r"akzeptiere (das |es )?(angebot )?nicht", r"nein danke",
        r"nehme (das angebot |es )?nicht an", r"mochte (lieber )?(eine )?volle erstattung",
    ],
    "fr": [
        r"je refuse", r"refuse (l|cette|votre) ?offre", r"pas d accord",
        r"n accepte pas", r"non merci", r"pas interesse", r"je decline",
        r"(je veux|je prefere) un remboursement (complet|integral)",
    ],
    "es": [
        r"no acepto", r"rechazo", r"no estoy de acuerdo", r"no gracias", r"no me interesa",
        r"(quiero|prefiero) (un |el )?reembolso (completo|total)",
    ],
    "it": [
        r"non accetto", r"rifiuto", r"non sono d accordo", r"no grazie", r"non mi interessa",
        r"(voglio|preferisco) (un |il )?rimborso (completo|totale|intero)",
    ],
}  # fmt: skip
ACCEPT_PHRASES = {
    "en": [
        r"i accept", r"accept(ed)? (the|this|your) offer", r"i agree", r"agreed",
        r"sounds good", r"that works", r"deal", r"go ahead", r"please proceed",
        r"i ll take (it|that|the offer)", r"i will take (it|that|the offer)", r"fine (by|with) me",
    ],
    "de": [
        r"einverstanden", r"ich akzeptiere", r"akzeptiert", r"nehme (das angebot |es )?an",
        r"in ordnung", r"passt", r"machen wir so", r"klingt gut",
    ],
    "fr": [
        r"j accepte", r"accepte (l|cette|votre) ?offre", r"d accord", r"ca me va", r"ca marche",
        r"volontiers", r"entendu", r"parfait",
    ],
    "es": [
        r"acepto", r"de acuerdo", r"me parece bien", r"esta bien", r"perfecto", r"adelante",
    ],
    "it": [
        r"accetto", r"d accordo", r"va bene", r"perfetto", r"mi sta bene", r"procedete",
    ],
}  # fmt: skip
PICKUP_PHRASES = [
    r"pick ?up",
    r"pick (it|them) up",
    r"collect (it|the)",
    r"come and (get|collect)",  # en
    r"abholung",
    r"abholen",
    r"abgeholt",  # de
    r"enlevement",
    r"ramassage",
    r"venir (le |la )?(chercher|recuperer)",  # fr
    r"recogida",
    r"recoger",
    r"recojan",
    r"pasen a (buscar|recoger)",  # es
    r"ritiro a domicilio",
    r"ritirare",
    r"ritirate",
    r"venite a (prendere|ritirare)",  # it
]
DROP_OFF_PHRASES = [
    r"drop ?off",
    r"drop it off",
    r"post office",
    r"parcel shop",
    r"locker",  # en
    r"abgeben",
    r"abgebe",
    r"paketshop",
    r"packstation",
    r"filiale",
    r"postamt",  # de
    r"deposer",
    r"depose",
    r"point relais",
    r"bureau de poste",
    r"la poste",  # fr
    r"oficina de correos",
    r"punto de entrega",
    r"llevarlo",
    r"entregarlo",  # es
    r"ufficio postale",
    r"punto di ritiro",
    r"consegnarlo",
    r"portarlo",  # it
]
VARIANT_PHRASES = [
    r"size",
    r"colou?r",  # en
    r"grosse",
    r"farbe",  # de (Größe: casefolded, ß is ss)
    r"taille",
    r"pointure",
    r"couleur",  # fr
    r"talla",
    r"color",  # es
    r"taglia",
    r"misura",
    r"colore",  # it
]
QUESTION_WORDS = (
    r"(how|when|what|why|where|which|can i|could i|do i|will i|is it|are you|"
    r"wie|wann|warum|welche|welcher|kann ich|muss ich|"
    r"comment|quand|pourquoi|quel|quelle|est ce que|puis je|"
    r"como|cuando|por que|donde|cual|puedo|"
    r"quando|perche|dove|quale|posso)"
)


def either(phrases: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b")


DECLINE = either([p for phrases in DECLINE_PHRASES.values() for p in phrases])
ACCEPT = either([p for phrases in ACCEPT_PHRASES.values() for p in phrases])
SHORT_NO = re.compile(CLAUSE + NO_WORDS + r"(?= ,|$| thanks| thank you| danke| merci| grazie)")
SHORT_YES = re.compile(CLAUSE + YES_WORDS + r"\b(?! (if|se|wenn|no)\b)")
PICKUP = either(PICKUP_PHRASES)
DROP_OFF = either(DROP_OFF_PHRASES)
VARIANT = either(VARIANT_PHRASES)
QUESTION_START = re.compile(r"^" + QUESTION_WORDS + r"\b")


def read_reply(text: str, case_language: str | None = None) -> ReadReply:
    """The reading of a reply's text (quoted history and signature already in it or not)."""
    words = latest_reply(text)
    language = detect_language(words, case_language)
    plain = normalise(words)
    why: list[str] = []
    no = [m.group().strip(" ,") for m in (*DECLINE.finditer(plain), *SHORT_NO.finditer(plain))]
    rest = SHORT_NO.sub(" ", DECLINE.sub(" ", plain))  # "no acepto" is not "acepto"
    yes = [m.group().strip(" ,") for m in (*ACCEPT.finditer(rest), *SHORT_YES.finditer(rest))]
    choice = choice_in(plain)
    asked = "?" in words or any(
        QUESTION_START.match(normalise(sentence)) for sentence in re.split(r"[.!\n]+", words)
    )
    if no:
        why.append(f"no: {', '.join(no)}")
    if yes:
        why.append(f"yes: {', '.join(yes)}")
    if choice:
        why.append(f"choice: {choice}")
    if asked:
        why.append("asks a question")

    def read(reading: Reading, answer: BuyerAnswer) -> ReadReply:
        return ReadReply(reading, answer, words, language, choice, why)

    if not plain:
        return read(Reading.UNCLEAR, BuyerAnswer.MESSAGE)
    if asked:
        return read(Reading.QUESTION, BuyerAnswer.MESSAGE)
    if yes and no:
        return read(Reading.UNCLEAR, BuyerAnswer.MESSAGE)
    if no:
        return read(Reading.DECLINE, BuyerAnswer.DECLINE)
    if yes and choice is not Choice.VARIANT:
        return read(Reading.ACCEPT, BuyerAnswer.ACCEPT)
    if choice:
        return read(Reading.CHOICE, BuyerAnswer.MESSAGE)
    return read(Reading.UNCLEAR, BuyerAnswer.MESSAGE)


def choice_in(plain: str) -> Choice | None:
    if PICKUP.search(plain):
        return Choice.PICKUP
    if DROP_OFF.search(plain):
        return Choice.DROP_OFF
    if VARIANT.search(plain):
        return Choice.VARIANT
    return None
