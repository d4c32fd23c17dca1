"""The buyer's symptom read from their words in five languages (`domain/symptoms.py`)."""

import pytest

from services.resolution.domain.symptoms import (
    CATEGORY_SYMPTOMS,
    Symptom,
    normalize,
    symptoms_in,
)

S = Symptom

# Per language: what buyers write, and the one symptom it names.
PHRASES = {
    "en": [
        ("The earbuds won't pair with my iPhone", S.WONT_PAIR),
        ("I can't get the camera to connect to the app", S.WONT_PAIR),
        ("It won't switch on at all", S.NO_POWER),
        ("my speaker does not charge anymore", S.NO_CHARGE),
        ("Shows an error message on the display", S.ERROR_CODE),
        ("The app keeps getting stuck on the loading screen", S.STUCK),
        ("It keeps restarting every few minutes", S.RESTARTS),
        ("it trips the fuse every time I plug it in", S.TRIPS_FUSE),
        ("the kettle leaks from the bottom", S.LEAKS),
        ("the fan is very loud and rattles", S.NOISY),
        ("no sound from the left earbud", S.NO_SOUND),
        ("one of the screws is missing", S.MISSING_PART),
        ("I gave up trying to assemble the shelf", S.ASSEMBLY),
        ("the jacket is too small", S.FIT),
    ],
    "de": [
        ("Die Kopfhörer lassen sich nicht koppeln", S.WONT_PAIR),
        ("verbindet sich nicht mit dem WLAN", S.WONT_PAIR),
        ("Das Gerät geht nicht mehr an", S.NO_POWER),
        ("Der Lautsprecher lädt nicht mehr", S.NO_CHARGE),
        ("Fehlermeldung auf dem Display", S.ERROR_CODE),
        ("Die App hängt ständig", S.STUCK),
        ("Er startet ständig neu", S.RESTARTS),
        ("Beim Einschalten fliegt die Sicherung raus", S.TRIPS_FUSE),
        ("Der Wasserkocher ist undicht", S.LEAKS),
        ("Der Ventilator macht laute Geräusche", S.NOISY),
        ("Es kommt kein Ton", S.NO_SOUND),
        ("Eine Schraube fehlt", S.MISSING_PART),
        ("Die Montage ist eine Katastrophe", S.ASSEMBLY),
        ("Die Jacke ist zu klein", S.FIT),
    ],
    "fr": [
        ("Les écouteurs ne se connectent pas au téléphone", S.WONT_PAIR),
        ("impossible de jumeler le casque", S.WONT_PAIR),
        ("L'appareil ne s'allume plus", S.NO_POWER),
        ("l'enceinte ne charge plus", S.NO_CHARGE),
        ("affiche un code d'erreur", S.ERROR_CODE),
        ("l'application reste bloquée", S.STUCK),
        ("il redémarre sans cesse", S.RESTARTS),
        ("ça fait sauter les plombs", S.TRIPS_FUSE),
        ("la bouilloire fuit", S.LEAKS),
        ("le ventilateur est très bruyant", S.NOISY),
        ("aucun son", S.NO_SOUND),
        ("il manque une vis", S.MISSING_PART),
        ("le montage est un cauchemar", S.ASSEMBLY),
        ("la veste taille petit", S.FIT),
    ],
    "es": [
        ("Los auriculares no se emparejan con el móvil", S.WONT_PAIR),
        ("No se conecta al wifi", S.WONT_PAIR),
        ("No enciende", S.NO_POWER),
        ("El altavoz ya no carga", S.NO_CHARGE),
        ("aparece un código de error", S.ERROR_CODE),
        ("La aplicación se queda colgada", S.STUCK),
        ("Se reinicia cada pocos minutos", S.RESTARTS),
        ("Hace saltar el diferencial", S.TRIPS_FUSE),
        ("La cafetera gotea", S.LEAKS),
        ("Hace mucho ruido", S.NOISY),
        ("no tiene sonido", S.NO_SOUND),
        ("Falta una pieza", S.MISSING_PART),
        ("El montaje es imposible", S.ASSEMBLY),
        ("La chaqueta me queda pequeña", S.FIT),
    ],
    "it": [
        ("Gli auricolari non si associano al telefono", S.WONT_PAIR),
        ("Non si collega al wifi", S.WONT_PAIR),
        ("Non si accende", S.NO_POWER),
        ("La cassa non si carica più", S.NO_CHARGE),
        ("compare un codice di errore", S.ERROR_CODE),
        ("L'app si blocca sempre", S.STUCK),
        ("Si riavvia di continuo", S.RESTARTS),
        ("Fa saltare il salvavita", S.TRIPS_FUSE),
        ("Il bollitore perde acqua", S.LEAKS),
        ("È molto rumoroso", S.NOISY),
        ("non si sente niente", S.NO_SOUND),
        ("Manca una vite", S.MISSING_PART),
        ("Il montaggio è difficile", S.ASSEMBLY),
        ("La giacca è troppo piccola", S.FIT),
    ],
}


@pytest.mark.parametrize(
    ("language", "text", "symptom"),
    [(language, text, symptom) for language, cases in PHRASES.items() for text, symptom in cases],
)
def test_each_symptom_is_read_in_each_language(language, text, symptom):
    assert symptoms_in(text, language) == (symptom,)


@pytest.mark.parametrize("language", sorted(PHRASES))
def test_every_symptom_has_phrases_in_every_language(language):
    assert {symptom for _, symptom in PHRASES[language]} == set(Symptom)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I restarted it twice and reset it to factory settings", "en"),  # the buyer's doing
        ("Pairs fine and sounds great, but the colour is wrong", "en"),
        ("Laut Beschreibung 10 Meter am Stück", "de"),  # "Stück", not "stuck"
        ("Das Gerät funktioniert, aber die Farbe gefällt mir nicht", "de"),
        ("J'ai redémarré le téléphone, la couleur ne me plaît pas", "fr"),
        ("Lo reinicié y funciona, pero el color no es el de la foto", "es"),
        ("L'ho riavviato e funziona, ma il colore è diverso", "it"),
    ],
)
def test_words_that_name_no_fault_name_no_symptom(text, language):
    assert symptoms_in(text, language) == ()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("One of the kits came without the remote", "en"),
        ("I ordered the 4-pack and only three plugs were in the box", "en"),
        ("Die Lampe kam ohne Netzteil", "de"),
        ("La lampe est arrivée sans adaptateur", "fr"),
        ("La lámpara llegó sin adaptador", "es"),
        ("La lampada è arrivata senza alimentatore", "it"),
    ],
)
def test_a_product_that_came_without_a_part_misses_it(text, language):
    assert symptoms_in(text, language) == (S.MISSING_PART,)


def test_symptoms_come_in_the_order_the_buyer_names_them():
    text = "It pairs, but the battery dies fast and then it won't turn on"
    assert symptoms_in(text, "en") == (S.NO_CHARGE, S.NO_POWER)


def test_the_categorys_own_symptoms_come_first():
    # "die Löcher passen nicht" reads as assembly and as fit: a shelf is assembled.
    text = "Die Löcher passen nicht zusammen, der Aufbau ist unmöglich"
    assert symptoms_in(text, "de", "furniture")[0] == S.ASSEMBLY
    assert symptoms_in(text, "de", "apparel")[0] == S.FIT


def test_a_fault_code_is_an_error_shown():
    assert symptoms_in("It shows E4", "en", "electronics", "E4") == (S.ERROR_CODE,)
    assert symptoms_in("Error code E4, it won't start", "en", None, "E4") == (
        S.ERROR_CODE,
        S.NO_POWER,
    )


def test_english_is_read_in_every_language_and_unknown_languages_read_all():
    assert symptoms_in("Bluetooth: won't pair", "de") == (S.WONT_PAIR,)
    assert symptoms_in("ne s'allume pas", "nl") == (S.NO_POWER,)


def test_empty_text_names_nothing():
    assert symptoms_in("", "en") == ()


def test_normalize_drops_case_accents_and_typographic_apostrophes():
    assert normalize("Ça NE S’ALLUME  plus, lädt nicht, Größe") == (
        "ca ne s'allume plus, ladt nicht, grosse"
    )


def test_every_category_has_symptoms():
    assert all(CATEGORY_SYMPTOMS.values())
    assert {"electronics", "home", "kitchen", "apparel"} <= set(CATEGORY_SYMPTOMS)
