import pytest

from services.analytics.domain.phrases import BuyerComment, phrases_by_reason, top_phrases


def test_english_buyers_recurring_phrases_most_written_first():
    texts = [
        "The battery dies after 2 hours.",
        "Battery dies quickly, very disappointed",
        "battery dies and the screen flickers",
        "Hello, the screen flickers!",
    ]
    assert top_phrases(texts, "en") == [("battery dies", 3), ("screen flickers", 2)]


def test_german_words_keep_their_letters_and_greetings_say_nothing():
    texts = [
        "Die Größe fällt zu klein aus.",
        "Hallo, die Größe fällt sehr klein aus",
        "Größe fällt klein aus, danke",
    ]
    assert top_phrases(texts, "de") == [("größe fällt", 3), ("klein", 3)]
    assert top_phrases(["Hallo, Akku defekt. Danke!", "Hallo, Akku defekt, danke"], "de") == [
        ("akku defekt", 2)
    ]


def test_french_accents_kept_and_elided_articles_split_off():
    texts = [
        "L'écran est défectueux",
        "Écran défectueux dès la livraison",
        "Bonjour, l’écran de\u0301fectueux, merci",  # curly apostrophe, decomposed accent
    ]
    assert top_phrases(texts, "fr") == [
        ("défectueux", 3),
        ("écran", 3),
        ("écran défectueux", 2),
    ]


def test_a_phrase_counts_once_per_buyer_however_often_they_write_it():
    assert top_phrases(["Strap broke. Strap broke! STRAP BROKE", "battery dies"], "en") == []
    assert top_phrases(["battery dies, battery dies", "battery dies"], "en") == [
        ("battery dies", 2)
    ]


def test_the_longer_phrase_replaces_a_shorter_one_only_when_as_many_buyers_wrote_it():
    texts = ["battery dies", "battery dies", "battery drains"]
    assert top_phrases(texts, "en") == [("battery", 3), ("battery dies", 2)]


def test_a_phrase_neither_starts_nor_ends_with_a_stop_word_but_may_hold_one():
    texts = ["Battery and charger missing", "battery and charger missing!"]
    assert top_phrases(texts, "en") == [("battery and charger", 2), ("charger missing", 2)]


def test_a_contraction_that_is_a_stop_word_stays_one_word():
    texts = ["The charger doesn't charge", "charger doesn’t charge"]
    assert top_phrases(texts, "en") == [("charger doesn't charge", 2)]


def test_a_phrase_does_not_span_punctuation():
    texts = ["Arrived late. Battery dies", "arrived late, battery dies"]
    assert top_phrases(texts, "en") == [("arrived late", 2), ("battery dies", 2)]


def test_numbers_alone_are_no_phrase():
    assert top_phrases(["size 42", "Size 42!", "42"], "en") == [("size 42", 2)]


def test_most_buyers_first_then_alphabetically_at_most_limit():
    texts = ["battery dies", "battery dies", "battery dies"]
    texts += ["strap broke", "strap broke", "screen flickers", "screen flickers"]
    assert top_phrases(texts, "en", limit=2) == [("battery dies", 3), ("screen flickers", 2)]
    assert top_phrases(texts, "en", limit=0) == []
    items = ["zipper", "wheel", "strap", "lid", "hinge", "clasp", "buckle"]
    assert top_phrases(items * 2, "en") == [
        ("buckle", 2),
        ("clasp", 2),
        ("hinge", 2),
        ("lid", 2),
        ("strap", 2),
    ]


def test_a_single_comment_shows_its_phrases_else_only_recurring_ones():
    assert top_phrases(["Strap broke"], "en") == [("strap broke", 1)]
    assert top_phrases(["Strap broke", "battery dies"], "en") == []


def test_blank_comments_are_ignored():
    assert top_phrases(["", "   \n", "Strap broke"], "en") == [("strap broke", 1)]
    assert top_phrases(["", " "], "en") == []


def test_an_unknown_language_is_read_with_english_stop_words_and_regions_are_dropped():
    texts = ["The strap broke", "the strap broke"]
    assert top_phrases(texts, "xx") == [("strap broke", 2)]
    assert top_phrases(texts, "de") == [("the strap broke", 2)]  # "the" is no German word
    assert top_phrases(["Die Naht reißt", "die Naht reißt"], "de-AT") == [("naht reißt", 2)]


@pytest.mark.parametrize(
    ("texts", "language", "expected"),
    [
        (["屏幕有划痕", "收到时屏幕有划痕", "屏幕有划痕，退货"], "zh", [("屏幕有划痕", 3)]),
        # 用 and 不 are stop words: no phrase ends with 用 nor starts with 不
        (
            ["电池不耐用，电池很快没电", "充电器坏了，电池不耐用", "电池不耐用"],
            "zh",
            [("电池不耐", 3)],
        ),
        (
            ["バッテリーがすぐ切れる", "バッテリーの持ちが悪い、すぐ切れる", "画面が暗い"],
            "ja",
            [("すぐ切れる", 2), ("バッテリー", 2)],
        ),
    ],
)
def test_languages_without_spaces_are_read_by_characters(texts, language, expected):
    assert top_phrases(texts, language) == expected


def test_phrases_by_listing_and_reason_count_the_buyers_of_every_language():
    comments = [
        BuyerComment("SKU-1", "defective", "en", "USB-C port broken"),
        BuyerComment("SKU-1", "defective", "en", "usb-c port broken!"),
        BuyerComment("SKU-1", "defective", "de", "USB-C Buchse kaputt"),
        BuyerComment("SKU-1", "defective", "de", "   "),
        BuyerComment("SKU-1", "size_fit", "de", "Größe fällt klein aus"),
        BuyerComment("SKU-2", "defective", "en", "Battery dies"),
        BuyerComment("SKU-2", "defective", "en", "strap broke"),
        BuyerComment("SKU-3", "defective", "fr", ""),
    ]
    assert phrases_by_reason(comments) == {
        ("SKU-1", "defective"): [("usb-c", 3), ("usb-c port broken", 2)],
        ("SKU-1", "size_fit"): [("größe fällt klein", 1)],
    }


def test_each_language_is_read_with_its_own_stop_words():
    comments = [
        BuyerComment("SKU-1", "damaged", "en", "Die cast model chipped"),
        BuyerComment("SKU-1", "damaged", "en", "die cast model chipped"),
        BuyerComment("SKU-1", "damaged", "de", "Die Farbe blättert"),
        BuyerComment("SKU-1", "damaged", "de", "die Farbe blättert"),
    ]
    assert phrases_by_reason(comments, limit=2) == {
        ("SKU-1", "damaged"): [("cast model chipped", 2), ("die cast model", 2)],
    }
    assert phrases_by_reason(comments)[("SKU-1", "damaged")][2] == ("farbe blättert", 2)


def test_no_comments_no_phrases():
    assert phrases_by_reason([]) == {}


def test_words_that_tell_what_is_wrong_stay_in_the_phrases():
    english = [
        "It is too small for my window",
        "Way too small, sent back",
        "Stopped working after a week",
        "stopped working at once",
    ]
    assert top_phrases(english, "en") == [("stopped working", 2), ("too small", 2)]
    german = ["Viel zu klein.", "Leider zu klein", "funktioniert nicht mehr", "Funktioniert nicht"]
    assert top_phrases(german, "de") == [("funktioniert nicht", 2), ("zu klein", 2)]


def test_a_word_that_only_modifies_another_is_no_phrase_alone():
    french = ["Ne marche pas", "L'écran ne s'allume pas", "Pas de son"]
    assert top_phrases(french, "fr") == []
    assert top_phrases(["too small", "too big", "not good"], "en") == []


def test_a_japanese_or_chinese_question_ending_is_no_phrase():
    asked = ["このイヤホンはiPhoneで使えますか？", "iPhoneで使えますか？", "防水ですか？"]
    assert top_phrases(asked, "ja") == [("iphone", 2), ("使えます", 2)]
    assert top_phrases(["这个耳机支持iPhone吗？", "支持iPhone吗？"], "zh") == [
        ("iphone", 2),
        ("支持", 2),
    ]
