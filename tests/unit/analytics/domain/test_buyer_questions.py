import pytest

from services.analytics.domain.buyer_questions import AskedQuestion, question_gaps, questions_in
from services.analytics.domain.faq_suggestions import BUYER_QUESTION

TITLE = "Quilted Mattress Topper"


def asked(case_id, text, language="en", cost=0, currency="USD", sku="BED-1", title=TITLE):
    return AskedQuestion(
        seller_account="s",
        sku=sku,
        asin=f"ASIN-{sku}" if title else None,
        title=title,
        language=language,
        case_id=case_id,
        cost_minor=cost,
        currency=currency,
        text=text,
    )


KING_SIZE = [
    asked("c1", "Hello. Does it fit a king size bed? Thanks!", cost=0, currency=None, title=None),
    asked("c2", "Will it fit a king size mattress?", cost=2500),
    asked("c3", "Is the cover machine washable?", cost=900),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello. Does it fit a king size bed? Thanks!", ["Does it fit a king size bed?"]),
        (
            "Hallo! Passt das auf ein 1.8 m breites Bett? Ist der Bezug waschbar?\nDanke",
            ["Passt das auf ein 1.8 m breites Bett?", "Ist der Bezug waschbar?"],
        ),
        ("Hola. ¿Cabe en una cama king size? Gracias.", ["¿Cabe en una cama king size?"]),
        (
            "このベッドに合いますか？サイズは？よろしくお願いします。",
            ["このベッドに合いますか？", "サイズは？"],
        ),
        ("Does it fit\nking size?", ["king size?"]),  # a line break ends a sentence
    ],
)
def test_the_questions_of_a_buyers_text_in_every_script(text, expected):
    assert questions_in(text) == expected


@pytest.mark.parametrize(
    "text",
    ["The topper is too thin. I want a refund!", "Kein Fragezeichen\n", "", " ??? ", "Why?!"],
)
def test_statements_and_bare_marks_are_no_questions(text):
    assert questions_in(text) == []


def test_topics_two_cases_asked_about_with_their_cost_and_latest_case():
    found = question_gaps(KING_SIZE, {})
    assert [(g.topic, g.cases, g.cost_minor, g.currency, g.latest_case_id) for g in found] == [
        ("fit a king", 2, 2500, "USD", "c2"),
        ("king size", 2, 2500, "USD", "c2"),
    ]
    gap = found[1]
    assert (gap.seller_account, gap.sku, gap.asin, gap.language, gap.reason) == (
        "s",
        "BED-1",
        "ASIN-BED-1",
        "en",
        BUYER_QUESTION,
    )
    assert gap.key == ("s", "BED-1", "en", BUYER_QUESTION, "king size")
    assert gap.suggestion.question == (
        "What should I know about “king size” before buying Quilted Mattress Topper?"
    )


def test_a_topic_an_faq_entry_of_the_listing_holds_as_whole_words_is_answered():
    both = {("s", "BED-1", "en"): ["Will it fit a KING SIZE bed? Yes: 200 x 200 cm."]}
    assert question_gaps(KING_SIZE, both) == []
    one = {("s", "BED-1", "en"): ["Other sizes", "King size beds: yes, 200 x 200 cm."]}
    assert [g.topic for g in question_gaps(KING_SIZE, one)] == ["fit a king"]
    glued = {("s", "BED-1", "en"): ["Does it fit a kingsize bed? Yes."]}
    assert [g.topic for g in question_gaps(KING_SIZE, glued)] == ["fit a king", "king size"]
    elsewhere = {("s", "BED-2", "en"): ["Fit a king size bed"], ("s", "BED-1", "de"): ["king size"]}
    assert len(question_gaps(KING_SIZE, elsewhere)) == 2


def test_a_topic_without_spaces_is_answered_anywhere_in_an_faq_text():
    chinese = [
        asked("c1", "床垫适合特大号床吗？", "zh"),
        asked("c2", "请问特大号床可以用吗？", "zh"),
    ]
    assert [g.topic for g in question_gaps(chinese, {})] == ["特大号床"]
    assert question_gaps(chinese, {("s", "BED-1", "zh"): ["适用于特大号床和双人床。"]}) == []


def test_each_language_is_its_own_group_whatever_its_region():
    texts = [
        asked("c1", "Does it fit a king size bed?"),
        asked("c2", "Passt es auf ein King Size Bett?", "de"),
        asked("c3", "Passt das auf ein King Size Bett?", "de-AT"),
    ]
    found = question_gaps(texts, {})
    assert [(g.language, g.topic, g.cases, g.latest_case_id) for g in found] == [
        ("de", "king size bett", 2, "c3"),
        ("de", "passt", 2, "c3"),
    ]
    assert found[0].suggestion.language == "de"


def test_a_single_asking_case_gives_no_gap_however_often_it_asked():
    texts = [
        asked("c1", "Does it fit a king size bed?"),
        asked("c1", "Sorry, does it really fit a king size bed?"),
        asked("c2", "The topper is too thin. Does not fit."),
    ]
    assert question_gaps(texts, {}) == []


def test_a_case_asking_twice_counts_once_with_its_cost_once():
    texts = [
        asked("c1", "Does it fit a king size bed?", cost=1500),
        asked("c2", "Will it fit a king size mattress?", cost=2500),
        asked("c1", "Sorry, does it really fit a king size bed?", cost=1500),
    ]
    found = question_gaps(texts, {})
    assert [(g.topic, g.cases, g.cost_minor, g.latest_case_id) for g in found] == [
        ("fit a king", 2, 4000, "c2"),
        ("king size", 2, 4000, "c2"),
    ]


def test_costliest_first_then_most_cases():
    texts = [
        *(asked(f"a{i}", "Is it waterproof?", cost=600, sku="A") for i in range(2)),
        *(asked(f"b{i}", "Is it waterproof?", cost=400, sku="B") for i in range(3)),
        *(asked(f"c{i}", "Is it waterproof?", cost=1000, sku="C") for i in range(2)),
    ]
    found = question_gaps(texts, {})
    assert [(g.sku, g.topic, g.cases, g.cost_minor, g.latest_case_id) for g in found] == [
        ("C", "waterproof", 2, 2000, "c1"),
        ("B", "waterproof", 3, 1200, "b2"),
        ("A", "waterproof", 2, 1200, "a1"),
    ]
