"""The technician's bench page in words: its four languages (those of the five repair
shops' staff), every sentence by key, and the names of grades, dispositions, checklist
values and tests. Pure: the page's handler (`handlers/bench_page.py`) fills them in."""

import re
from decimal import Decimal

from babel.numbers import format_currency

from shared.markets import MINOR_UNITS, Currency
from shared.staff_words import LANGUAGES, lookup


def money(amount_minor: int, currency: str, language: str) -> str:
    """`€4.99`, `4,99 €`… in the page's language; an unknown currency as plain digits."""
    try:
        per_unit = MINOR_UNITS[Currency(currency)]
    except ValueError:
        return f"{amount_minor} {currency}"
    return format_currency(Decimal(amount_minor) / per_unit, currency, locale=language)


# Every sentence of the page, by key: English, German, French, Spanish.
_TEXTS: dict[str, tuple[str, str, str, str]] = {
    "title": ("Repair bench", "Reparaturplatz", "Poste de réparation", "Banco de reparación"),
    "skip": ("Skip to content", "Zum Inhalt", "Aller au contenu", "Ir al contenido"),
    "language": ("Language", "Sprache", "Langue", "Idioma"),
    "nav": ("Bench", "Arbeitsplatz", "Poste", "Banco"),
    "inspections": ("Inspections", "Prüfungen", "Contrôles", "Inspecciones"),
    "repairs": ("Repairs", "Reparaturen", "Réparations", "Reparaciones"),
    "relabel": ("Relabel", "Umetikettieren", "Réétiqueter", "Reetiquetar"),
    "lots": ("Lots", "Posten", "Lots", "Lotes"),
    "sign_in": ("Sign in", "Anmelden", "Se connecter", "Iniciar sesión"),
    "sign_out": ("Sign out", "Abmelden", "Se déconnecter", "Cerrar sesión"),
    "signed_out": (
        "Sign in to see the units at your repair shops.",
        "Melden Sie sich an, um die Geräte Ihrer Werkstätten zu sehen.",
        "Connectez-vous pour voir les unités de vos ateliers.",
        "Inicie sesión para ver las unidades de sus talleres.",
    ),
    "who": (
        "{name} · shops {shops}",
        "{name} · Werkstätten {shops}",
        "{name} · ateliers {shops}",
        "{name} · talleres {shops}",
    ),
    "offline": (
        "No network: nothing was sent. What you entered is kept here; send it again when "
        "the network is back.",
        "Kein Netz: nichts wurde gesendet. Ihre Eingaben bleiben erhalten; senden Sie erneut, "
        "sobald das Netz zurück ist.",
        "Pas de réseau : rien n'a été envoyé. Vos saisies sont conservées ; renvoyez-les "
        "quand le réseau revient.",
        "Sin red: no se envió nada. Lo que introdujo se conserva; envíelo de nuevo cuando "
        "vuelva la red.",
    ),
    "queue_heading": (
        "Units to inspect",
        "Zu prüfende Geräte",
        "Unités à contrôler",
        "Unidades por inspeccionar",
    ),
    "counts": (
        "Open {open} · in repair {repairing} · routed {decided}",
        "Offen {open} · in Reparatur {repairing} · weitergeleitet {decided}",
        "Ouvertes {open} · en réparation {repairing} · orientées {decided}",
        "Abiertas {open} · en reparación {repairing} · encaminadas {decided}",
    ),
    "none_waiting": (
        "No unit waits at your benches.",
        "Kein Gerät wartet an Ihren Plätzen.",
        "Aucune unité n'attend à vos postes.",
        "Ninguna unidad espera en sus bancos.",
    ),
    "rma": ("RMA", "RMA", "RMA", "RMA"),
    "shop": ("Shop", "Werkstatt", "Atelier", "Taller"),
    "item": ("Item", "Artikel", "Article", "Artículo"),
    "arrived": ("Arrived", "Eingegangen", "Arrivée", "Llegada"),
    "inspect": ("Inspect", "Prüfen", "Contrôler", "Inspeccionar"),
    "checklist_heading": (
        "Checklist: {category}",
        "Prüfliste: {category}",
        "Liste de contrôle : {category}",
        "Lista de control: {category}",
    ),
    "received_note": (
        "Noted at receiving: {note}",
        "Beim Wareneingang notiert: {note}",
        "Noté à la réception : {note}",
        "Anotado al recibir: {note}",
    ),
    "cosmetic": ("Cosmetic condition", "Optischer Zustand", "État esthétique", "Estado estético"),
    "functional": (
        "Functional tests",
        "Funktionstests",
        "Tests de fonctionnement",
        "Pruebas de funcionamiento",
    ),
    "pass": ("Pass", "Bestanden", "Réussi", "Supera"),
    "fail": ("Fail", "Fehler", "Échec", "Falla"),
    "accessories": (
        "Accessories complete",
        "Zubehör vollständig",
        "Accessoires complets",
        "Accesorios completos",
    ),
    "yes": ("Yes", "Ja", "Oui", "Sí"),
    "no": ("No", "Nein", "Non", "No"),
    "packaging": ("Packaging", "Verpackung", "Emballage", "Embalaje"),
    "fault": (
        "Fault found (optional)",
        "Gefundener Fehler (optional)",
        "Panne constatée (facultatif)",
        "Fallo encontrado (opcional)",
    ),
    "photos": ("Photos (camera)", "Fotos (Kamera)", "Photos (appareil)", "Fotos (cámara)"),
    "photos_kept": (
        "{count} photo(s) kept",
        "{count} Foto(s) gespeichert",
        "{count} photo(s) conservée(s)",
        "{count} foto(s) guardada(s)",
    ),
    "notes": ("Notes", "Notizen", "Notes", "Notas"),
    "grade_it": ("Grade it", "Bewerten", "Évaluer", "Calificar"),
    "review_heading": (
        "Grade and route",
        "Bewertung und Weg",
        "Grade et orientation",
        "Grado y destino",
    ),
    "rubric_gives": (
        "The rubric gives grade {grade}",
        "Die Bewertung ergibt Note {grade}",
        "La grille donne le grade {grade}",
        "La rúbrica da el grado {grade}",
    ),
    "missed": (
        "Why not a better grade",
        "Warum keine bessere Note",
        "Pourquoi pas un meilleur grade",
        "Por qué no un grado mejor",
    ),
    "none_missed": (
        "Nothing held it back: the best grade.",
        "Nichts: die beste Note.",
        "Rien : le meilleur grade.",
        "Nada: el mejor grado.",
    ),
    "goes_to": (
        "Goes to: {disposition}",
        "Geht an: {disposition}",
        "Part vers : {disposition}",
        "Va a: {disposition}",
    ),
    "expects": (
        "Expected net recovery: {amount}",
        "Erwarteter Nettoerlös: {amount}",
        "Récupération nette attendue : {amount}",
        "Recuperación neta esperada: {amount}",
    ),
    "alternatives": (
        "Alternatives weighed",
        "Abgewogene Alternativen",
        "Alternatives pesées",
        "Alternativas sopesadas",
    ),
    "way": ("Way", "Weg", "Voie", "Vía"),
    "net": ("Net", "Netto", "Net", "Neto"),
    "excluded": ("excluded: {why}", "ausgeschlossen: {why}", "exclue : {why}", "excluida: {why}"),
    "confirm": (
        "Confirm and route",
        "Bestätigen und weiterleiten",
        "Confirmer et orienter",
        "Confirmar y encaminar",
    ),
    "override_heading": (
        "Override the grade",
        "Note überschreiben",
        "Changer le grade",
        "Cambiar el grado",
    ),
    "override_grade": ("Grade", "Note", "Grade", "Grado"),
    "override_reason": (
        "Reason (at least 10 characters)",
        "Grund (mindestens 10 Zeichen)",
        "Raison (10 caractères au moins)",
        "Motivo (al menos 10 caracteres)",
    ),
    "override": (
        "Override and route",
        "Überschreiben und weiterleiten",
        "Changer et orienter",
        "Cambiar y encaminar",
    ),
    "result_heading": (
        "Graded and routed",
        "Bewertet und weitergeleitet",
        "Évaluée et orientée",
        "Calificada y encaminada",
    ),
    "graded": ("Grade {grade}", "Note {grade}", "Grade {grade}", "Grado {grade}"),
    "overridden": (
        "Overridden from {computed}: {reason}",
        "Überschrieben von {computed}: {reason}",
        "Changé depuis {computed} : {reason}",
        "Cambiado desde {computed}: {reason}",
    ),
    "repairing": (
        "In repair: graded again once repaired.",
        "In Reparatur: nach der Reparatur neu bewertet.",
        "En réparation : réévaluée une fois réparée.",
        "En reparación: se califica de nuevo una vez reparada.",
    ),
    "repairs_heading": (
        "Repairs to do",
        "Offene Reparaturen",
        "Réparations à faire",
        "Reparaciones pendientes",
    ),
    "repairs_done_heading": (
        "Repairs done",
        "Erledigte Reparaturen",
        "Réparations faites",
        "Reparaciones hechas",
    ),
    "parts": ("Parts", "Teile", "Pièces", "Piezas"),
    "labour": (
        "{minutes} min labour",
        "{minutes} Min. Arbeit",
        "{minutes} min de travail",
        "{minutes} min de trabajo",
    ),
    "cost": ("Cost", "Kosten", "Coût", "Coste"),
    "done_by": ("done by {who}", "erledigt von {who}", "fait par {who}", "hecho por {who}"),
    "repair_done": ("Repair done", "Reparatur erledigt", "Réparation faite", "Reparación hecha"),
    "no_repairs": (
        "No repair to do.",
        "Keine offene Reparatur.",
        "Aucune réparation à faire.",
        "Ninguna reparación pendiente.",
    ),
    "relabel_heading": (
        "Units to relabel for the marketplace warehouse",
        "Geräte zum Umetikettieren für das Marktplatzlager",
        "Unités à réétiqueter pour l'entrepôt de la place de marché",
        "Unidades por reetiquetar para el almacén del marketplace",
    ),
    "fnsku": ("FNSKU", "FNSKU", "FNSKU", "FNSKU"),
    "label_pdf": ("Label (PDF)", "Etikett (PDF)", "Étiquette (PDF)", "Etiqueta (PDF)"),
    "label_zpl": (
        "Label (ZPL, Zebra)",
        "Etikett (ZPL, Zebra)",
        "Étiquette (ZPL, Zebra)",
        "Etiqueta (ZPL, Zebra)",
    ),
    "relabelled": (
        "Relabelled and packed",
        "Umetikettiert und verpackt",
        "Réétiquetée et emballée",
        "Reetiquetada y embalada",
    ),
    "no_relabel": (
        "No unit to relabel.",
        "Kein Gerät zum Umetikettieren.",
        "Aucune unité à réétiqueter.",
        "Ninguna unidad por reetiquetar.",
    ),
    "lots_heading": (
        "Open liquidation lots",
        "Offene Restpostenlose",
        "Lots de déstockage ouverts",
        "Lotes de liquidación abiertos",
    ),
    "lot": (
        "{category}, grade {grade}",
        "{category}, Note {grade}",
        "{category}, grade {grade}",
        "{category}, grado {grade}",
    ),
    "units": (
        "{count} unit(s), expected {amount}",
        "{count} Gerät(e), erwartet {amount}",
        "{count} unité(s), attendu {amount}",
        "{count} unidad(es), esperado {amount}",
    ),
    "close_lot": (
        "Close lot: sold",
        "Posten schließen: verkauft",
        "Clore le lot : vendu",
        "Cerrar lote: vendido",
    ),
    "no_lots": (
        "No open lot.",
        "Kein offener Posten.",
        "Aucun lot ouvert.",
        "Ningún lote abierto.",
    ),
    "done_recorded": (
        "Graded and routed.",
        "Bewertet und weitergeleitet.",
        "Évaluée et orientée.",
        "Calificada y encaminada.",
    ),
    "done_repair": (
        "Repair recorded: the unit is back on the bench.",
        "Reparatur erfasst: das Gerät ist zurück am Platz.",
        "Réparation enregistrée : l'unité revient au poste.",
        "Reparación registrada: la unidad vuelve al banco.",
    ),
    "done_relabel": ("Relabelled.", "Umetikettiert.", "Réétiquetée.", "Reetiquetada."),
    "done_lot": ("Lot closed.", "Posten geschlossen.", "Lot clos.", "Lote cerrado."),
    "refused": (
        "Not done: {reason}",
        "Nicht ausgeführt: {reason}",
        "Non fait : {reason}",
        "No hecho: {reason}",
    ),
    "back": ("Back to the bench", "Zurück zum Arbeitsplatz", "Retour au poste", "Volver al banco"),
}
TEXTS: dict[str, dict[str, str]] = {
    key: dict(zip(LANGUAGES, words, strict=True)) for key, words in _TEXTS.items()
}

# Names of what the rubric and the disposition speak of.
_NAMES: dict[str, tuple[str, str, str, str]] = {
    "A": ("A · like new", "A · wie neu", "A · comme neuf", "A · como nuevo"),
    "B": ("B · very good", "B · sehr gut", "B · très bon", "B · muy bueno"),
    "C": ("C · good, used", "C · gut, gebraucht", "C · bon, usagé", "C · bueno, usado"),
    "D": ("D · for parts", "D · für Teile", "D · pour pièces", "D · para piezas"),
    "relist_as_new": (
        "Relist as new (FBA)",
        "Als neu wieder einstellen (FBA)",
        "Remettre en vente comme neuf (FBA)",
        "Volver a vender como nuevo (FBA)",
    ),
    "sell_as_renewed": (
        "Sell as renewed",
        "Als generalüberholt verkaufen",
        "Vendre reconditionné",
        "Vender como reacondicionado",
    ),
    "repair": ("Repair first", "Erst reparieren", "Réparer d'abord", "Reparar primero"),
    "liquidate": ("Liquidation lot", "Restpostenlos", "Lot de déstockage", "Lote de liquidación"),
    "return_to_origin": (
        "Back to the factory",
        "Zurück zum Hersteller",
        "Retour à l'usine",
        "Volver a fábrica",
    ),
    "recycle": ("Recycle", "Recyceln", "Recycler", "Reciclar"),
    "return_to_buyer": (
        "Back to its buyer",
        "Zurück an den Käufer",
        "Retour à l'acheteur",
        "Devolver al comprador",
    ),
    "none": ("None", "Keine", "Aucune", "Ninguna"),
    "light": ("Light", "Leicht", "Légère", "Leve"),
    "moderate": ("Moderate", "Mittel", "Moyenne", "Moderada"),
    "heavy": ("Heavy", "Stark", "Forte", "Fuerte"),
    "original_sealed": (
        "Original, sealed",
        "Original, versiegelt",
        "D'origine, scellé",
        "Original, precintado",
    ),
    "original_opened": (
        "Original, opened",
        "Original, geöffnet",
        "D'origine, ouvert",
        "Original, abierto",
    ),
    "damaged": ("Damaged", "Beschädigt", "Abîmé", "Dañado"),
    "missing": ("Missing", "Fehlt", "Absent", "Falta"),
    "powers_on": ("Powers on", "Schaltet ein", "S'allume", "Enciende"),
    "charges": ("Charges", "Lädt", "Charge", "Carga"),
    "buttons": ("Buttons", "Tasten", "Boutons", "Botones"),
    "audio": ("Audio", "Ton", "Son", "Audio"),
    "connectivity": ("Connectivity", "Verbindung", "Connectivité", "Conectividad"),
    "fabric_intact": ("Fabric intact", "Stoff intakt", "Tissu intact", "Tejido intacto"),
    "hardware_complete": (
        "Hardware complete",
        "Beschläge vollständig",
        "Quincaillerie complète",
        "Herrajes completos",
    ),
    "measurements_match": (
        "Measurements match",
        "Maße stimmen",
        "Mesures conformes",
        "Medidas correctas",
    ),
    "seams_intact": ("Seams intact", "Nähte intakt", "Coutures intactes", "Costuras intactas"),
    "no_odour_or_stains": (
        "No odour or stains",
        "Kein Geruch, keine Flecken",
        "Ni odeur ni tache",
        "Sin olor ni manchas",
    ),
    "tags_attached": (
        "Tags attached",
        "Etiketten dran",
        "Étiquettes attachées",
        "Etiquetas puestas",
    ),
    "works_as_described": (
        "Works as described",
        "Funktioniert wie beschrieben",
        "Fonctionne comme décrit",
        "Funciona como se describe",
    ),
    "electronics": ("Electronics", "Elektronik", "Électronique", "Electrónica"),
    "home": ("Home", "Wohnen", "Maison", "Hogar"),
    "apparel": ("Apparel", "Bekleidung", "Vêtements", "Ropa"),
    "default": ("Other", "Sonstiges", "Autre", "Otro"),
}
NAMES: dict[str, dict[str, str]] = {
    key: dict(zip(LANGUAGES, words, strict=True)) for key, words in _NAMES.items()
}


def say(key: str, language: str, **facts: object) -> str:
    """The page's sentence `key` in `language`, its `{facts}` filled in."""
    return lookup(_TEXTS, key, language, **facts)


def name(value: str, language: str) -> str:
    """A grade, disposition, checklist value or test in `language` (as it is, when unknown)."""
    return NAMES.get(value, {}).get(language, value.replace("_", " "))


# Why a unit missed a better grade, as `grading.Rule.unmet` says it in English: each form
# with its words in the page's languages (a reason of another form is shown as it is).
_REASONS: tuple[tuple[re.Pattern[str], dict[str, str]], ...] = (
    (
        re.compile(r"cosmetic: (?P<level>\w+), (?P<grade>\w) needs at most (?P<limit>\w+)"),
        {
            "en": "cosmetic: {level}, {grade} needs at most {limit}",
            "de": "Optik: {level}, {grade} verlangt höchstens {limit}",
            "fr": "esthétique : {level}, {grade} exige au plus {limit}",
            "es": "estética: {level}, {grade} exige como mucho {limit}",
        },
    ),
    (
        re.compile(r"cosmetic: (?P<level>\w+), (?P<grade>\w) needs (?P<limit>\w+)"),
        {
            "en": "cosmetic: {level}, {grade} needs {limit}",
            "de": "Optik: {level}, {grade} verlangt {limit}",
            "fr": "esthétique : {level}, {grade} exige {limit}",
            "es": "estética: {level}, {grade} exige {limit}",
        },
    ),
    (
        re.compile(r"test failed: (?P<test>\w+)"),
        {
            "en": "test failed: {test}",
            "de": "Test nicht bestanden: {test}",
            "fr": "test échoué : {test}",
            "es": "prueba fallida: {test}",
        },
    ),
    (
        re.compile(r"accessories incomplete, (?P<grade>\w) needs them complete"),
        {
            "en": "accessories incomplete, {grade} needs them complete",
            "de": "Zubehör unvollständig, {grade} verlangt es vollständig",
            "fr": "accessoires incomplets, {grade} les exige complets",
            "es": "accesorios incompletos, {grade} los exige completos",
        },
    ),
    (
        re.compile(r"packaging: (?P<packaging>\w+), (?P<grade>\w) needs (?P<wanted>[\w ]+)"),
        {
            "en": "packaging: {packaging}, {grade} needs {wanted}",
            "de": "Verpackung: {packaging}, {grade} verlangt {wanted}",
            "fr": "emballage : {packaging}, {grade} exige {wanted}",
            "es": "embalaje: {packaging}, {grade} exige {wanted}",
        },
    ),
    (
        re.compile(r"fault found: (?P<fault>.+)"),
        {
            "en": "fault found: {fault}",
            "de": "Fehler gefunden: {fault}",
            "fr": "panne constatée : {fault}",
            "es": "fallo encontrado: {fault}",
        },
    ),
)
_OR = {"en": " or ", "de": " oder ", "fr": " ou ", "es": " o "}
_KEPT_AS_WRITTEN = frozenset({"fault", "grade"})  # what the technician typed; grade letters


def reason_in(reason: str, language: str) -> str:
    """A grading reason in `language`: its values named as the page names them."""
    for pattern, forms in _REASONS:
        found = pattern.fullmatch(reason)
        if found:
            facts = {
                key: value if key in _KEPT_AS_WRITTEN else _named_all(value, language)
                for key, value in found.groupdict().items()
            }
            return forms[language].format(**facts)
    return reason


def _named_all(value: str, language: str) -> str:
    """One value named, or several joined by " or " (packaging a grade accepts)."""
    if value in NAMES or " or " not in value:
        return name(value, language) if value in NAMES else value
    return _OR[language].join(name(part, language) for part in value.split(" or "))


# Why a way was excluded, as `disposition` says it in English (amounts in minor units of
# the shop's currency): each form in the page's languages.
_EXCLUSIONS: tuple[tuple[re.Pattern[str], tuple[str, str, str, str]], ...] = (
    (
        re.compile(r"grade (?P<grade>\w): relisting as new needs grade A"),
        (
            "grade {grade}: relisting as new needs grade A",
            "Note {grade}: als neu nur mit Note A",
            "grade {grade} : remettre comme neuf exige le grade A",
            "grado {grade}: vender como nuevo exige el grado A",
        ),
    ),
    (
        re.compile(r"packaging (?P<packaging>\w+): relisting needs the original"),
        (
            "packaging {packaging}: relisting needs the original",
            "Verpackung {packaging}: als neu nur in der Originalverpackung",
            "emballage {packaging} : remettre en vente exige l'emballage d'origine",
            "embalaje {packaging}: volver a vender exige el original",
        ),
    ),
    (
        re.compile(r"grade (?P<grade>\w): no used or renewed channel"),
        (
            "grade {grade}: no used or renewed channel",
            "Note {grade}: kein Kanal für Gebrauchtes",
            "grade {grade} : aucun canal d'occasion",
            "grado {grade}: ningún canal de segunda mano",
        ),
    ),
    (
        re.compile(r"grade (?P<grade>\w): no liquidation channel"),
        (
            "grade {grade}: no liquidation channel",
            "Note {grade}: kein Restpostenkanal",
            "grade {grade} : aucun canal de déstockage",
            "grado {grade}: ningún canal de liquidación",
        ),
    ),
    (
        re.compile(r"(?P<category>\w+) is not repaired at origin"),
        (
            "{category} is not repaired at origin",
            "{category} wird beim Hersteller nicht repariert",
            "{category} n'est pas réparé à l'usine",
            "{category} no se repara en fábrica",
        ),
    ),
    (
        re.compile(r"unit price below (?P<floor>\d+) for origin"),
        (
            "unit price below {floor} for the factory",
            "Stückpreis unter {floor} für den Hersteller",
            "prix unitaire inférieur à {floor} pour l'usine",
            "precio unitario inferior a {floor} para la fábrica",
        ),
    ),
    (
        re.compile(r"nothing to repair"),
        ("nothing to repair", "nichts zu reparieren", "rien à réparer", "nada que reparar"),
    ),
    (
        re.compile(r"repaired once already"),
        (
            "repaired once already",
            "schon einmal repariert",
            "déjà réparé une fois",
            "ya reparado una vez",
        ),
    ),
    (
        re.compile(r"unit price below the repair floor (?P<floor>\d+)"),
        (
            "unit price below the repair floor {floor}",
            "Stückpreis unter der Reparaturgrenze {floor}",
            "prix unitaire sous le seuil de réparation {floor}",
            "precio unitario bajo el umbral de reparación {floor}",
        ),
    ),
    (
        re.compile(r"not in the repair catalogue: not repairable locally"),
        (
            "not in the repair catalogue: not repairable locally",
            "nicht im Reparaturkatalog: vor Ort nicht reparierbar",
            "hors du catalogue de réparation : pas réparable sur place",
            "fuera del catálogo de reparación: no reparable aquí",
        ),
    ),
    (
        re.compile(r"repair costs (?P<cost>\d+), adds (?P<added>\d+)"),
        (
            "the repair costs {cost} and adds {added}",
            "die Reparatur kostet {cost} und bringt {added}",
            "la réparation coûte {cost} et rapporte {added}",
            "la reparación cuesta {cost} y aporta {added}",
        ),
    ),
)
_EXCLUSIONS += (
    (
        re.compile(r"the buyer's own unit, in for a repair: never sold, liquidated or recycled"),
        (
            "the buyer's own unit, in for a repair: never sold, liquidated or recycled",
            "Gerät des Käufers zur Reparatur: nie verkauft, verwertet oder recycelt",
            "l'appareil de l'acheteur, en réparation : jamais vendu, déstocké ni recyclé",
            "la unidad del comprador, en reparación: nunca vendida, liquidada ni reciclada",
        ),
    ),
    (
        re.compile(r"repaired"),
        ("repaired", "repariert", "réparé", "reparada"),
    ),
    (
        re.compile(r"repaired first"),
        ("repaired first", "erst repariert", "réparé d'abord", "reparada primero"),
    ),
    (
        re.compile(r"still faulty after (?P<repairs>\d+) repair\(s\): (?P<found>.+)"),
        (
            "still faulty after {repairs} repair(s): {found}",
            "nach {repairs} Reparatur(en) noch defekt: {found}",
            "toujours en panne après {repairs} réparation(s) : {found}",
            "sigue averiada tras {repairs} reparación(es): {found}",
        ),
    ),
    (
        re.compile(r"not repairable locally \(not in the repair catalogue\): (?P<found>.+)"),
        (
            "not repairable locally (not in the repair catalogue): {found}",
            "vor Ort nicht reparierbar (nicht im Reparaturkatalog): {found}",
            "pas réparable sur place (hors du catalogue de réparation) : {found}",
            "no reparable aquí (fuera del catálogo de reparación): {found}",
        ),
    ),
)
_AMOUNTS = frozenset({"floor", "cost", "added"})


def excluded_in(reason: str, language: str, currency: str) -> str:
    """Why a way was excluded, in `language`: values named, amounts as money."""
    for pattern, forms in _EXCLUSIONS:
        found = pattern.fullmatch(reason)
        if found:
            facts = {
                key: money(int(value), currency, language)
                if key in _AMOUNTS
                else value
                if key == "grade"
                else name(value, language)
                for key, value in found.groupdict().items()
            }
            return forms[LANGUAGES.index(language)].format(**facts)
    return reason
