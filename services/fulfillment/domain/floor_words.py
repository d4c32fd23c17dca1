"""The warehouse floor page in words: its four languages (those of the five warehouses'
staff), every sentence by key, and the names of task states and problems. Pure: the
page's handler (`handlers/floor_page.py`) fills them in."""

from shared.staff_words import LANGUAGES as LANGUAGES  # the order of each TEXTS entry
from shared.staff_words import lookup

# Every sentence of the page, by key: English, German, French, Spanish.
TEXTS: dict[str, tuple[str, str, str, str]] = {
    "title": ("Warehouse", "Lager", "Entrepôt", "Almacén"),
    "skip": ("Skip to content", "Zum Inhalt", "Aller au contenu", "Ir al contenido"),
    "language": ("Language", "Sprache", "Langue", "Idioma"),
    "nav": ("Warehouse", "Lager", "Entrepôt", "Almacén"),
    "tasks": ("Tasks", "Aufträge", "Tâches", "Tareas"),
    "returns": ("Returns", "Retouren", "Retours", "Devoluciones"),
    "held": ("Holding list", "Klärfälle", "En attente", "En espera"),
    "stock": ("Stock", "Bestand", "Stock", "Existencias"),
    "sign_in": ("Sign in", "Anmelden", "Se connecter", "Iniciar sesión"),
    "sign_out": ("Sign out", "Abmelden", "Se déconnecter", "Cerrar sesión"),
    "signed_out": (
        "Sign in to see the tasks of your warehouses.",
        "Melden Sie sich an, um die Aufträge Ihrer Lager zu sehen.",
        "Connectez-vous pour voir les tâches de vos entrepôts.",
        "Inicie sesión para ver las tareas de sus almacenes.",
    ),
    "who": (
        "{name} · {warehouses}",
        "{name} · {warehouses}",
        "{name} · {warehouses}",
        "{name} · {warehouses}",
    ),
    "offline": (
        "No network: nothing was sent. Your entry is kept; send it again when the network is back.",
        "Kein Netz: nichts wurde gesendet. Ihre Eingabe bleibt; "
        "senden Sie sie erneut, sobald das Netz zurück ist.",
        "Pas de réseau : rien n'a été envoyé. Votre saisie est gardée ; "
        "renvoyez-la quand le réseau revient.",
        "Sin red: no se envió nada. Su entrada se conserva; envíela de nuevo cuando vuelva la red.",
    ),
    "warehouse": ("Warehouse", "Lager", "Entrepôt", "Almacén"),
    "queue": ("Task queue", "Auftragsliste", "File des tâches", "Cola de tareas"),
    "queue_order": (
        "Most urgent first: promised date, then the carrier collection it must make "
        "(today's cut-off, else the next business day's).",
        "Dringendste zuerst: zugesagtes Datum, dann die Abholung, die der Auftrag erreichen "
        "muss (heutiger Annahmeschluss, sonst der des nächsten Werktags).",
        "Les plus urgentes d'abord : date promise, puis l'enlèvement à ne pas manquer "
        "(l'heure limite du jour, sinon celle du jour ouvré suivant).",
        "Las más urgentes primero: fecha prometida, luego la recogida que debe alcanzar "
        "(el corte de hoy, si no el del siguiente día hábil).",
    ),
    "collects": (
        "Collected {day} {time}",
        "Abholung {day} {time}",
        "Enlèvement {day} {time}",
        "Recogida {day} {time}",
    ),
    "queue_live": (
        "This queue updates itself every {seconds} s; last updated {time}.",
        "Diese Liste aktualisiert sich alle {seconds} s; zuletzt {time}.",
        "Cette file se met à jour toutes les {seconds} s ; dernière mise à jour {time}.",
        "Esta cola se actualiza cada {seconds} s; última actualización {time}.",
    ),
    "queue_offline": (
        "No network: this queue is not updating. It shows the tasks as they were at {time}.",
        "Kein Netz: diese Liste wird nicht aktualisiert. Sie zeigt den Stand von {time}.",
        "Pas de réseau : cette file ne se met plus à jour. Elle montre les tâches de {time}.",
        "Sin red: esta cola no se actualiza. Muestra las tareas tal como estaban a las {time}.",
    ),
    "counts": ("Tasks by state", "Aufträge nach Stand", "Tâches par état", "Tareas por estado"),
    "no_tasks": (
        "No open tasks.",
        "Keine offenen Aufträge.",
        "Aucune tâche ouverte.",
        "No hay tareas abiertas.",
    ),
    "promised": (
        "Promised by {date}",
        "Zugesagt bis {date}",
        "Promis pour le {date}",
        "Prometido para el {date}",
    ),
    "no_promise": (
        "No promised date",
        "Kein zugesagtes Datum",
        "Pas de date promise",
        "Sin fecha prometida",
    ),
    "late": ("Late", "Verspätet", "En retard", "Con retraso"),
    "lines": ("{count} line(s)", "{count} Position(en)", "{count} ligne(s)", "{count} línea(s)"),
    "task": ("Task {id}", "Auftrag {id}", "Tâche {id}", "Tarea {id}"),
    "state": ("State", "Stand", "État", "Estado"),
    "pick": ("Pick", "Kommissionieren", "Prélever", "Preparar"),
    "pick_line": (
        "Line {n} of {total}: {quantity} × {sku} from bin {bin}",
        "Position {n} von {total}: {quantity} × {sku} aus Fach {bin}",
        "Ligne {n} sur {total} : {quantity} × {sku} du casier {bin}",
        "Línea {n} de {total}: {quantity} × {sku} del hueco {bin}",
    ),
    "scan_bin": ("Scan the bin", "Fach scannen", "Scannez le casier", "Escanee el hueco"),
    "scan_sku": (
        "Scan the SKU or its barcode",
        "SKU oder Barcode scannen",
        "Scannez le SKU ou son code-barres",
        "Escanee el SKU o su código",
    ),
    "confirm": ("Confirm", "Bestätigen", "Confirmer", "Confirmar"),
    "line_done": ("Line confirmed", "Position bestätigt", "Ligne confirmée", "Línea confirmada"),
    "wrong_bin": (
        "Wrong bin: {given} is not {expected}. Scan the bin again.",
        "Falsches Fach: {given} ist nicht {expected}. Fach erneut scannen.",
        "Mauvais casier : {given} n'est pas {expected}. Scannez le casier à nouveau.",
        "Hueco equivocado: {given} no es {expected}. Escanee el hueco de nuevo.",
    ),
    "wrong_sku": (
        "Wrong item: {given} is not {expected}. Scan the item again.",
        "Falscher Artikel: {given} ist nicht {expected}. Artikel erneut scannen.",
        "Mauvais article : {given} n'est pas {expected}. Scannez l'article à nouveau.",
        "Artículo equivocado: {given} no es {expected}. Escanee el artículo de nuevo.",
    ),
    "pack": ("Pack", "Verpacken", "Emballer", "Embalar"),
    "weight": ("Weight (g)", "Gewicht (g)", "Poids (g)", "Peso (g)"),
    "dimensions": (
        "Dimensions (cm), where the carrier wants them",
        "Maße (cm), wo der Spediteur sie verlangt",
        "Dimensions (cm), si le transporteur les demande",
        "Medidas (cm), si el transportista las pide",
    ),
    "length": ("Length", "Länge", "Longueur", "Largo"),
    "width": ("Width", "Breite", "Largeur", "Ancho"),
    "height": ("Height", "Höhe", "Hauteur", "Alto"),
    "packed_as": (
        "{carrier} {service}, {weight} g",
        "{carrier} {service}, {weight} g",
        "{carrier} {service}, {weight} g",
        "{carrier} {service}, {weight} g",
    ),
    "service": ("Service", "Versandart", "Service", "Servicio"),
    "service_chosen": (
        "The cheapest service that meets the promised date is chosen when the parcel is weighed.",
        "Beim Wiegen wird die günstigste Versandart gewählt, die das zugesagte Datum hält.",
        "Le service le moins cher qui tient la date promise est choisi à la pesée.",
        "Al pesar se elige el servicio más barato que cumple la fecha prometida.",
    ),
    "label": ("Label", "Etikett", "Étiquette", "Etiqueta"),
    "label_pdf": (
        "Print label (PDF)",
        "Etikett drucken (PDF)",
        "Imprimer l'étiquette (PDF)",
        "Imprimir etiqueta (PDF)",
    ),
    "label_zpl": (
        "Print label (Zebra ZPL)",
        "Etikett drucken (Zebra ZPL)",
        "Imprimer l'étiquette (Zebra ZPL)",
        "Imprimir etiqueta (Zebra ZPL)",
    ),
    "reprint": ("Reprint", "Erneut drucken", "Réimprimer", "Reimprimir"),
    "tracking": ("Tracking number", "Sendungsnummer", "Numéro de suivi", "Número de seguimiento"),
    "ship": ("Ship", "Versenden", "Expédier", "Enviar"),
    "find_task": (
        "Scan a task or its label",
        "Auftrag oder Etikett scannen",
        "Scannez une tâche ou son étiquette",
        "Escanee una tarea o su etiqueta",
    ),
    "scan_label": (
        "Scan the label as it leaves",
        "Etikett beim Verlassen scannen",
        "Scannez l'étiquette au départ",
        "Escanee la etiqueta al salir",
    ),
    "wrong_label": (
        "Wrong label: {given} is not this parcel's {expected}.",
        "Falsches Etikett: {given} ist nicht {expected} dieses Pakets.",
        "Mauvaise étiquette : {given} n'est pas {expected} de ce colis.",
        "Etiqueta equivocada: {given} no es {expected} de este paquete.",
    ),
    "shipped": ("Shipped", "Versendet", "Expédié", "Enviado"),
    "problem": (
        "Report a problem",
        "Problem melden",
        "Signaler un problème",
        "Informar de un problema",
    ),
    "problem_kind": ("Problem", "Problem", "Problème", "Problema"),
    "note": ("Note", "Notiz", "Note", "Nota"),
    "report": ("Report", "Melden", "Signaler", "Informar"),
    "problem_said": (
        "Problem reported ({problem}): the task goes to the next warehouse.",
        "Problem gemeldet ({problem}): der Auftrag geht an das nächste Lager.",
        "Problème signalé ({problem}) : la tâche passe à l'entrepôt suivant.",
        "Problema informado ({problem}): la tarea pasa al siguiente almacén.",
    ),
    "scan_return": (
        "Scan a return",
        "Retoure scannen",
        "Scanner un retour",
        "Escanear una devolución",
    ),
    "return_code": (
        "RMA or tracking number",
        "RMA oder Sendungsnummer",
        "RMA ou numéro de suivi",
        "RMA o número de seguimiento",
    ),
    "condition": ("Condition", "Zustand", "État", "Estado"),
    "photos": ("Photos", "Fotos", "Photos", "Fotos"),
    "receive": ("Receive", "Annehmen", "Réceptionner", "Recibir"),
    "received": (
        "Received {rma}: take it to inspection.",
        "{rma} angenommen: zur Prüfung bringen.",
        "{rma} réceptionné : à porter au contrôle.",
        "{rma} recibido: llévelo a inspección.",
    ),
    "received_origin": (
        "Received {rma}: it goes back to the factory, to the shelf of the next consolidation.",
        "{rma} angenommen: geht zurück ans Werk, ins Fach der nächsten Sammelsendung.",
        "{rma} réceptionné : il repart à l'usine, sur l'étagère du prochain envoi groupé.",
        "{rma} recibido: vuelve a fábrica, al estante del próximo envío agrupado.",
    ),
    "to_origin": (
        "Back to the factory",
        "Zurück ans Werk",
        "Retour à l'usine",
        "De vuelta a fábrica",
    ),
    "put_held": (
        "No return matches {code}: put the parcel on the holding shelf ({id}).",
        "Keine Retoure passt zu {code}: Paket ins Klärfach legen ({id}).",
        "Aucun retour ne correspond à {code} : posez le colis sur l'étagère d'attente ({id}).",
        "Ninguna devolución coincide con {code}: ponga el paquete en el estante de espera ({id}).",
    ),
    "search": ("Search", "Suchen", "Rechercher", "Buscar"),
    "nothing_held": (
        "No parcel waits.",
        "Kein Paket wartet.",
        "Aucun colis en attente.",
        "Ningún paquete espera.",
    ),
    "match_to": ("Match to RMA", "Zuordnen zu RMA", "Associer au RMA", "Asociar al RMA"),
    "match": ("Match", "Zuordnen", "Associer", "Asociar"),
    "matched": (
        "Matched to {rma}: take it to inspection.",
        "{rma} zugeordnet: zur Prüfung bringen.",
        "Associé à {rma} : à porter au contrôle.",
        "Asociado a {rma}: llévelo a inspección.",
    ),
    "held_since": (
        "Held since {at} by {by}",
        "Wartet seit {at} ({by})",
        "En attente depuis {at} ({by})",
        "En espera desde {at} ({by})",
    ),
    "sku": ("SKU", "SKU", "SKU", "SKU"),
    "bin": ("Bin", "Fach", "Casier", "Hueco"),
    "on_hand": ("On hand", "Bestand", "En stock", "Disponible"),
    "reserved": ("Reserved", "Reserviert", "Réservé", "Reservado"),
    "adjust": ("Adjust stock", "Bestand korrigieren", "Ajuster le stock", "Ajustar existencias"),
    "counted": ("Counted", "Gezählt", "Compté", "Contado"),
    "reason": ("Reason", "Grund", "Motif", "Motivo"),
    "save": ("Save", "Speichern", "Enregistrer", "Guardar"),
    "adjusted": (
        "Stock of {sku} set to {on_hand} in {bin}.",
        "Bestand von {sku} auf {on_hand} in {bin} gesetzt.",
        "Stock de {sku} fixé à {on_hand} en {bin}.",
        "Existencias de {sku} fijadas en {on_hand} en {bin}.",
    ),
    "who_col": ("By", "Von", "Par", "Por"),
    "adjustments": ("Adjustments", "Korrekturen", "Ajustements", "Ajustes"),
    "refused": ("Not done", "Nicht ausgeführt", "Non effectué", "No realizado"),
    "back": ("Back", "Zurück", "Retour", "Volver"),
    "open": ("Open", "Öffnen", "Ouvrir", "Abrir"),
    "done_picked": (
        "Picked: now pack it.",
        "Kommissioniert: jetzt verpacken.",
        "Prélevé : emballez-le.",
        "Preparado: ahora embálelo.",
    ),
    "done_packed": (
        "Packed: print the label.",
        "Verpackt: Etikett drucken.",
        "Emballé : imprimez l'étiquette.",
        "Embalado: imprima la etiqueta.",
    ),
    "done_shipped": ("Shipped.", "Versendet.", "Expédié.", "Enviado."),
    "done_problem": (
        "Problem reported.",
        "Problem gemeldet.",
        "Problème signalé.",
        "Problema informado.",
    ),
    "done_line": (
        "Line confirmed: next line.",
        "Position bestätigt: nächste Position.",
        "Ligne confirmée : ligne suivante.",
        "Línea confirmada: siguiente línea.",
    ),
    # task states and problems
    "requested": ("To pick", "Zu kommissionieren", "À prélever", "Por preparar"),
    "picked": ("To pack", "Zu verpacken", "À emballer", "Por embalar"),
    "packed": ("To ship", "Zu versenden", "À expédier", "Por enviar"),
    "problem_state": ("Problem", "Problem", "Problème", "Problema"),
    "damaged_stock": (
        "Damaged stock",
        "Beschädigte Ware",
        "Stock endommagé",
        "Existencias dañadas",
    ),
    "not_found": (
        "Not found in the bin",
        "Nicht im Fach",
        "Introuvable dans le casier",
        "No está en el hueco",
    ),
    "other": ("Other", "Sonstiges", "Autre", "Otro"),
    "inspection": ("To inspection", "Zur Prüfung", "Au contrôle", "A inspección"),
    "holding": ("To the holding list", "In die Klärfälle", "En attente", "A la lista de espera"),
}

STATE_KEYS = {
    "requested": "requested",
    "picked": "picked",
    "packed": "packed",
    "shipped": "shipped",
    "problem": "problem_state",
}


def say(key: str, language: str, **facts: object) -> str:
    """The sentence `key` in the language, its {placeholders} filled in."""
    return lookup(TEXTS, key, language, **facts)


def state_name(state: str, language: str) -> str:
    return (
        say(STATE_KEYS.get(state, state), language)
        if STATE_KEYS.get(state, state) in TEXTS
        else state
    )
