"""The buyer's own page of a case, in words: its five languages, what each remedy lets the
buyer keep, what happens next, and the answers a page gives. Pure: the page's handler
(`handlers/buyer_page.py`) fills these from intake's case and what resolution and
fulfillment say of it.
"""

from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_currency

from shared.markets import MINOR_UNITS, Currency

LANGUAGES = ("en", "de", "fr", "es", "it")
LANGUAGE_NAMES = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "it": "Italiano",
}
FALLBACK = "en"
LONGEST_COMMENT = 2000


def language_of(asked: str | None, linked: str | None) -> str:
    """The language the buyer switched to, else the one of their link, else English."""
    for choice in (asked, linked):
        if choice in LANGUAGES:
            return choice
    return FALLBACK


def money(amount_minor: int, currency: str, language: str) -> str:
    """`€4.99`, `4,99 €`… in the buyer's language; an unknown currency as plain digits."""
    try:
        per_unit = MINOR_UNITS[Currency(currency)]
    except ValueError:
        return f"{amount_minor} {currency}"
    return format_currency(Decimal(amount_minor) / per_unit, currency, locale=language)


def clean_text(text: str) -> str:
    """What a buyer typed, storable: no NUL characters (PostgreSQL text holds none), no
    unpaired surrogates."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


@dataclass(frozen=True)
class Rating:
    stars: int
    comment: str


class BadForm(ValueError):
    """A page form that cannot be taken as sent: the reason, in the buyer's words key."""


def rating_of(stars: str | None, comment: str | None) -> Rating:
    """A rating from the page's form: 1 to 5 stars, a comment of at most 2,000 characters."""
    if stars not in {"1", "2", "3", "4", "5"}:
        raise BadForm("bad_rating")
    comment = clean_text(comment or "").strip()
    if len(comment) > LONGEST_COMMENT:
        raise BadForm("comment_too_long")
    return Rating(int(stars), comment)


# Every sentence of the page, by key, in each language. `{amount}` and the like are filled in.
TEXTS: dict[str, dict[str, str]] = {
    "title": {
        "en": "Your case",
        "de": "Ihr Anliegen",
        "fr": "Votre demande",
        "es": "Su caso",
        "it": "La sua pratica",
    },
    "order": {
        "en": "Order {order}",
        "de": "Bestellung {order}",
        "fr": "Commande {order}",
        "es": "Pedido {order}",
        "it": "Ordine {order}",
    },
    "language": {
        "en": "Language",
        "de": "Sprache",
        "fr": "Langue",
        "es": "Idioma",
        "it": "Lingua",
    },
    "offer": {
        "en": "Our offer",
        "de": "Unser Angebot",
        "fr": "Notre proposition",
        "es": "Nuestra oferta",
        "it": "La nostra proposta",
    },
    "amount": {
        "en": "Amount",
        "de": "Betrag",
        "fr": "Montant",
        "es": "Importe",
        "it": "Importo",
    },
    "you_pay": {
        "en": "You pay the difference: {amount}",
        "de": "Sie zahlen die Differenz: {amount}",
        "fr": "Vous payez la différence : {amount}",
        "es": "Usted paga la diferencia: {amount}",
        "it": "Lei paga la differenza: {amount}",
    },
    "you_get": {
        "en": "You receive: {amount}",
        "de": "Sie erhalten: {amount}",
        "fr": "Vous recevez : {amount}",
        "es": "Usted recibe: {amount}",
        "it": "Lei riceve: {amount}",
    },
    "you_keep": {
        "en": "What you keep",
        "de": "Was Sie behalten",
        "fr": "Ce que vous gardez",
        "es": "Lo que conserva",
        "it": "Cosa conserva",
    },
    "rights": {
        "en": "Your rights",
        "de": "Ihre Rechte",
        "fr": "Vos droits",
        "es": "Sus derechos",
        "it": "I suoi diritti",
    },
    "rights_always": {
        "en": "Accepting or declining this offer takes none of your legal rights away.",
        "de": "Ob Sie annehmen oder ablehnen: Ihre gesetzlichen Rechte bleiben bestehen.",
        "fr": "Accepter ou refuser cette proposition ne vous retire aucun droit légal.",
        "es": "Aceptar o rechazar esta oferta no le quita ninguno de sus derechos legales.",
        "it": "Accettare o rifiutare questa proposta non le toglie alcun diritto di legge.",
    },
    "message": {
        "en": "Our message to you",
        "de": "Unsere Nachricht an Sie",
        "fr": "Notre message",
        "es": "Nuestro mensaje",
        "it": "Il nostro messaggio",
    },
    "expires": {
        "en": "Open until {when}",
        "de": "Gültig bis {when}",
        "fr": "Valable jusqu'au {when}",
        "es": "Válida hasta el {when}",
        "it": "Valida fino al {when}",
    },
    "accept": {
        "en": "Accept the offer",
        "de": "Angebot annehmen",
        "fr": "Accepter la proposition",
        "es": "Aceptar la oferta",
        "it": "Accettare la proposta",
    },
    "decline": {
        "en": "Decline the offer",
        "de": "Angebot ablehnen",
        "fr": "Refuser la proposition",
        "es": "Rechazar la oferta",
        "it": "Rifiutare la proposta",
    },
    "choose_variant": {
        "en": "Choose the variant you want",
        "de": "Wählen Sie die gewünschte Variante",
        "fr": "Choisissez la variante souhaitée",
        "es": "Elija la variante que desea",
        "it": "Scelga la variante che desidera",
    },
    "variant_pay_more": {
        "en": "you pay {amount} more",
        "de": "Sie zahlen {amount} mehr",
        "fr": "vous payez {amount} de plus",
        "es": "usted paga {amount} más",
        "it": "lei paga {amount} in più",
    },
    "variant_get_back": {
        "en": "you get {amount} back",
        "de": "Sie erhalten {amount} zurück",
        "fr": "nous vous remboursons {amount}",
        "es": "le devolvemos {amount}",
        "it": "le rimborsiamo {amount}",
    },
    "variant_same_price": {
        "en": "same price",
        "de": "gleicher Preis",
        "fr": "même prix",
        "es": "mismo precio",
        "it": "stesso prezzo",
    },
    "variant_over_cap": {
        "en": "the difference is above {cap}, more than an exchange can settle",
        "de": "die Differenz liegt über {cap}, mehr als ein Umtausch ausgleichen kann",
        "fr": "la différence dépasse {cap}, plus qu'un échange ne peut régler",
        "es": "la diferencia supera {cap}, más de lo que un cambio puede saldar",
        "it": "la differenza supera {cap}, più di quanto un cambio possa saldare",
    },
    "replacement": {
        "en": "We send you a new unit of the same model: {item}.",
        "de": "Wir senden Ihnen ein neues Exemplar desselben Modells: {item}.",
        "fr": "Nous vous envoyons un exemplaire neuf du même modèle : {item}.",
        "es": "Le enviamos una unidad nueva del mismo modelo: {item}.",
        "it": "Le inviamo un'unità nuova dello stesso modello: {item}.",
    },
    "same_item_again": {
        "en": "We send you the same item again.",
        "de": "Wir senden Ihnen denselben Artikel erneut.",
        "fr": "Nous vous envoyons à nouveau le même article.",
        "es": "Le enviamos de nuevo el mismo artículo.",
        "it": "Le inviamo di nuovo lo stesso articolo.",
    },
    "variants_unavailable": {
        "en": "We cannot list the other variants right now: accepting now sends you the same "
        "item again, or come back in a few minutes to choose.",
        "de": "Wir können die anderen Varianten gerade nicht anzeigen: Wenn Sie jetzt annehmen, "
        "erhalten Sie denselben Artikel erneut; oder wählen Sie in einigen Minuten.",
        "fr": "Nous ne pouvons pas afficher les autres variantes pour le moment : accepter "
        "maintenant vous renvoie le même article, ou revenez dans quelques minutes pour choisir.",
        "es": "No podemos mostrar las otras variantes ahora: si acepta ahora, recibirá el mismo "
        "artículo de nuevo; o vuelva en unos minutos para elegir.",
        "it": "Non possiamo mostrare le altre varianti ora: accettando adesso riceverà di nuovo "
        "lo stesso articolo; oppure torni tra qualche minuto per scegliere.",
    },
    "variant_missing": {
        "en": "Please choose the variant you want before accepting the exchange.",
        "de": "Bitte wählen Sie die gewünschte Variante, bevor Sie den Umtausch annehmen.",
        "fr": "Veuillez choisir la variante souhaitée avant d'accepter l'échange.",
        "es": "Elija la variante que desea antes de aceptar el cambio.",
        "it": "Scelga la variante che desidera prima di accettare il cambio.",
    },
    "variant_unknown": {
        "en": "The variant you sent is not one we offer for this exchange. Please go back and "
        "choose one from the list.",
        "de": "Die gesendete Variante bieten wir für diesen Umtausch nicht an. Bitte gehen Sie "
        "zurück und wählen Sie eine aus der Liste.",
        "fr": "La variante envoyée ne fait pas partie de celles proposées pour cet échange. "
        "Revenez en arrière et choisissez-en une dans la liste.",
        "es": "La variante enviada no es una de las que ofrecemos para este cambio. Vuelva "
        "atrás y elija una de la lista.",
        "it": "La variante inviata non è tra quelle offerte per questo cambio. Torni indietro "
        "e ne scelga una dall'elenco.",
    },
    "variant_too_dear": {
        "en": "The price difference of this variant is above {cap}, more than an exchange can "
        "settle. Please choose another variant, or decline the offer.",
        "de": "Die Preisdifferenz dieser Variante liegt über {cap}, mehr als ein Umtausch "
        "ausgleichen kann. Bitte wählen Sie eine andere Variante oder lehnen Sie das Angebot ab.",
        "fr": "La différence de prix de cette variante dépasse {cap}, plus qu'un échange ne peut "
        "régler. Choisissez une autre variante ou refusez la proposition.",
        "es": "La diferencia de precio de esta variante supera {cap}, más de lo que un cambio "
        "puede saldar. Elija otra variante o rechace la oferta.",
        "it": "La differenza di prezzo di questa variante supera {cap}, più di quanto un cambio "
        "possa saldare. Scelga un'altra variante o rifiuti la proposta.",
    },
    "no_offer": {
        "en": "There is no offer waiting for your answer.",
        "de": "Es wartet kein Angebot auf Ihre Antwort.",
        "fr": "Aucune proposition n'attend votre réponse.",
        "es": "No hay ninguna oferta pendiente de su respuesta.",
        "it": "Nessuna proposta attende la sua risposta.",
    },
    "unavailable": {
        "en": "We cannot show the details of your case right now. Please try again in a few "
        "minutes.",
        "de": "Wir können die Einzelheiten gerade nicht anzeigen. Bitte versuchen Sie es in "
        "einigen Minuten erneut.",
        "fr": "Nous ne pouvons pas afficher le détail de votre demande pour le moment. "
        "Veuillez réessayer dans quelques minutes.",
        "es": "No podemos mostrar los detalles de su caso ahora mismo. Inténtelo de nuevo en "
        "unos minutos.",
        "it": "Al momento non possiamo mostrare i dettagli della pratica. Riprovi tra qualche "
        "minuto.",
    },
    "progress": {
        "en": "Where your case stands",
        "de": "Stand Ihres Anliegens",
        "fr": "Où en est votre demande",
        "es": "Estado de su caso",
        "it": "A che punto è la sua pratica",
    },
    "next": {
        "en": "What happens next",
        "de": "Wie es weitergeht",
        "fr": "La suite",
        "es": "Próximos pasos",
        "it": "Prossimi passi",
    },
    "tracking": {
        "en": "Tracking: {carrier} {number}",
        "de": "Sendungsverfolgung: {carrier} {number}",
        "fr": "Suivi : {carrier} {number}",
        "es": "Seguimiento: {carrier} {number}",
        "it": "Tracciamento: {carrier} {number}",
    },
    "return_parcel": {
        "en": "Your return parcel",
        "de": "Ihre Rücksendung",
        "fr": "Votre colis retour",
        "es": "Su paquete de devolución",
        "it": "Il suo pacco di reso",
    },
    "return_received": {
        "en": "We have received your return.",
        "de": "Ihre Rücksendung ist bei uns eingetroffen.",
        "fr": "Nous avons reçu votre retour.",
        "es": "Hemos recibido su devolución.",
        "it": "Abbiamo ricevuto il suo reso.",
    },
    "parcel_to_you": {
        "en": "Your parcel from us",
        "de": "Ihre Sendung von uns",
        "fr": "Votre colis de notre part",
        "es": "Su paquete de nuestra parte",
        "it": "Il suo pacco da parte nostra",
    },
    "parcel_shipped": {
        "en": "On its way",
        "de": "Unterwegs",
        "fr": "En route",
        "es": "En camino",
        "it": "In viaggio",
    },
    "parcel_preparing": {
        "en": "Being prepared in our warehouse",
        "de": "Wird in unserem Lager vorbereitet",
        "fr": "En préparation dans notre entrepôt",
        "es": "En preparación en nuestro almacén",
        "it": "In preparazione nel nostro magazzino",
    },
    "refund": {
        "en": "Refund of {amount}",
        "de": "Erstattung von {amount}",
        "fr": "Remboursement de {amount}",
        "es": "Reembolso de {amount}",
        "it": "Rimborso di {amount}",
    },
    "refund_pending": {
        "en": "on its way",
        "de": "wird veranlasst",
        "fr": "en cours",
        "es": "en curso",
        "it": "in corso",
    },
    "refund_issued": {
        "en": "paid",
        "de": "ausgezahlt",
        "fr": "versé",
        "es": "pagado",
        "it": "pagato",
    },
    "refund_refused": {
        "en": "being checked by our team",
        "de": "wird von unserem Team geprüft",
        "fr": "en cours de vérification par notre équipe",
        "es": "en revisión por nuestro equipo",
        "it": "in verifica dal nostro team",
    },
    "rate": {
        "en": "Rate how we handled your case",
        "de": "Bewerten Sie, wie wir Ihr Anliegen behandelt haben",
        "fr": "Notez le traitement de votre demande",
        "es": "Valore cómo gestionamos su caso",
        "it": "Valuti come abbiamo gestito la sua pratica",
    },
    "stars": {
        "en": "Your rating (1 = poor, 5 = excellent)",
        "de": "Ihre Bewertung (1 = schlecht, 5 = ausgezeichnet)",
        "fr": "Votre note (1 = mauvais, 5 = excellent)",
        "es": "Su valoración (1 = mala, 5 = excelente)",
        "it": "Il suo voto (1 = scarso, 5 = eccellente)",
    },
    "star": {
        "en": "{n} of 5",
        "de": "{n} von 5",
        "fr": "{n} sur 5",
        "es": "{n} de 5",
        "it": "{n} su 5",
    },
    "comment": {
        "en": "Your comment (optional)",
        "de": "Ihr Kommentar (freiwillig)",
        "fr": "Votre commentaire (facultatif)",
        "es": "Su comentario (opcional)",
        "it": "Il suo commento (facoltativo)",
    },
    "send_rating": {
        "en": "Send my rating",
        "de": "Bewertung senden",
        "fr": "Envoyer ma note",
        "es": "Enviar mi valoración",
        "it": "Inviare il voto",
    },
    "your_rating": {
        "en": "Your rating: {n} of 5. A new rating replaces it.",
        "de": "Ihre Bewertung: {n} von 5. Eine neue Bewertung ersetzt sie.",
        "fr": "Votre note : {n} sur 5. Une nouvelle note la remplace.",
        "es": "Su valoración: {n} de 5. Una nueva la sustituye.",
        "it": "Il suo voto: {n} su 5. Un nuovo voto lo sostituisce.",
    },
    # Answers to what the buyer did
    "done_accept": {
        "en": "Thank you: you accepted the offer.",
        "de": "Vielen Dank: Sie haben das Angebot angenommen.",
        "fr": "Merci : vous avez accepté la proposition.",
        "es": "Gracias: ha aceptado la oferta.",
        "it": "Grazie: ha accettato la proposta.",
    },
    "done_decline": {
        "en": "You declined the offer. We will come back to you shortly.",
        "de": "Sie haben das Angebot abgelehnt. Wir melden uns in Kürze.",
        "fr": "Vous avez refusé la proposition. Nous revenons vers vous rapidement.",
        "es": "Ha rechazado la oferta. Le responderemos en breve.",
        "it": "Ha rifiutato la proposta. La ricontatteremo a breve.",
    },
    "done_rating": {
        "en": "Thank you for your rating.",
        "de": "Vielen Dank für Ihre Bewertung.",
        "fr": "Merci pour votre note.",
        "es": "Gracias por su valoración.",
        "it": "Grazie per il suo voto.",
    },
    "answered_before": {
        "en": "You already answered this offer ({answer}); your first answer stands.",
        "de": "Sie haben dieses Angebot bereits beantwortet ({answer}); es gilt Ihre erste "
        "Antwort.",
        "fr": "Vous avez déjà répondu à cette proposition ({answer}) ; votre première "
        "réponse est retenue.",
        "es": "Ya respondió a esta oferta ({answer}); se mantiene su primera respuesta.",
        "it": "Ha già risposto a questa proposta ({answer}); vale la sua prima risposta.",
    },
    "offer_closed": {
        "en": "This offer is no longer open, so nothing was changed. The page shows where "
        "your case stands now.",
        "de": "Dieses Angebot ist nicht mehr offen; es wurde nichts geändert. Die Seite zeigt "
        "den aktuellen Stand.",
        "fr": "Cette proposition n'est plus ouverte ; rien n'a été modifié. La page montre où "
        "en est votre demande.",
        "es": "Esta oferta ya no está abierta; no se ha cambiado nada. La página muestra el "
        "estado actual de su caso.",
        "it": "Questa proposta non è più aperta; non è stato modificato nulla. La pagina "
        "mostra lo stato attuale.",
    },
    "bad_form": {
        "en": "We could not read what you sent. Please use the buttons on the page.",
        "de": "Wir konnten Ihre Angaben nicht lesen. Bitte nutzen Sie die Schaltflächen der Seite.",
        "fr": "Nous n'avons pas pu lire votre envoi. Veuillez utiliser les boutons de la page.",
        "es": "No pudimos leer lo que envió. Utilice los botones de la página.",
        "it": "Non siamo riusciti a leggere l'invio. Usi i pulsanti della pagina.",
    },
    "bad_rating": {
        "en": "Please choose a rating from 1 to 5.",
        "de": "Bitte wählen Sie eine Bewertung von 1 bis 5.",
        "fr": "Veuillez choisir une note de 1 à 5.",
        "es": "Elija una valoración de 1 a 5.",
        "it": "Scelga un voto da 1 a 5.",
    },
    "comment_too_long": {
        "en": "Your comment is too long (2,000 characters at most).",
        "de": "Ihr Kommentar ist zu lang (höchstens 2.000 Zeichen).",
        "fr": "Votre commentaire est trop long (2 000 caractères au plus).",
        "es": "Su comentario es demasiado largo (2000 caracteres como máximo).",
        "it": "Il commento è troppo lungo (al massimo 2.000 caratteri).",
    },
    "back": {
        "en": "Back to your case",
        "de": "Zurück zu Ihrem Anliegen",
        "fr": "Retour à votre demande",
        "es": "Volver a su caso",
        "it": "Torna alla sua pratica",
    },
    # The return: label, pickup or drop-off
    "your_return": {
        "en": "Sending the item back",
        "de": "Rücksendung des Artikels",
        "fr": "Renvoyer l'article",
        "es": "Devolver el artículo",
        "it": "Restituire l'articolo",
    },
    "download_label": {
        "en": "Download your prepaid return label (PDF)",
        "de": "Ihr vorfrankiertes Rücksendeetikett herunterladen (PDF)",
        "fr": "Télécharger votre étiquette de retour prépayée (PDF)",
        "es": "Descargar su etiqueta de devolución prepagada (PDF)",
        "it": "Scaricare l'etichetta di reso prepagata (PDF)",
    },
    "how_to_send": {
        "en": "How will you hand the parcel over?",
        "de": "Wie möchten Sie das Paket übergeben?",
        "fr": "Comment souhaitez-vous remettre le colis ?",
        "es": "¿Cómo entregará el paquete?",
        "it": "Come consegnerà il pacco?",
    },
    "pickup_window": {
        "en": "Collected on {when}",
        "de": "Abholung am {when}",
        "fr": "Enlèvement le {when}",
        "es": "Recogida el {when}",
        "it": "Ritiro il {when}",
    },
    "drop_off": {
        "en": "I will take it to a {carrier} drop-off point",
        "de": "Ich bringe es zu einer {carrier}-Annahmestelle",
        "fr": "Je le dépose dans un point {carrier}",
        "es": "Lo llevaré a un punto de entrega de {carrier}",
        "it": "Lo porterò a un punto di consegna {carrier}",
    },
    "confirm": {
        "en": "Confirm",
        "de": "Bestätigen",
        "fr": "Confirmer",
        "es": "Confirmar",
        "it": "Confermare",
    },
    "pickup_booked": {
        "en": "Collection booked: {when}",
        "de": "Abholung gebucht: {when}",
        "fr": "Enlèvement réservé : {when}",
        "es": "Recogida reservada: {when}",
        "it": "Ritiro prenotato: {when}",
    },
    "done_pickup": {
        "en": "Your collection is booked.",
        "de": "Ihre Abholung ist gebucht.",
        "fr": "Votre enlèvement est réservé.",
        "es": "Su recogida está reservada.",
        "it": "Il ritiro è prenotato.",
    },
    "done_drop_off": {
        "en": "Fine: print the label and take the parcel to a drop-off point.",
        "de": "Gut: Drucken Sie das Etikett aus und bringen Sie das Paket zu einer Annahmestelle.",
        "fr": "Parfait : imprimez l'étiquette et déposez le colis dans un point relais.",
        "es": "Perfecto: imprima la etiqueta y lleve el paquete a un punto de entrega.",
        "it": "Bene: stampi l'etichetta e porti il pacco a un punto di consegna.",
    },
    "pickup_refused": {
        "en": "The carrier cannot collect then. Please choose another time, or drop it off.",
        "de": "Der Versanddienst kann dann nicht abholen. Bitte wählen Sie eine andere Zeit "
        "oder geben Sie das Paket ab.",
        "fr": "Le transporteur ne peut pas passer à ce moment. Choisissez un autre créneau "
        "ou déposez le colis.",
        "es": "El transportista no puede recogerlo entonces. Elija otro momento o llévelo "
        "a un punto de entrega.",
        "it": "Il corriere non può ritirarlo in quel momento. Scelga un altro orario o lo "
        "consegni a un punto.",
    },
    "no_label": {
        "en": "Your return label is not ready yet. Please come back a little later.",
        "de": "Ihr Rücksendeetikett ist noch nicht fertig. Bitte schauen Sie etwas später "
        "wieder vorbei.",
        "fr": "Votre étiquette de retour n'est pas encore prête. Revenez un peu plus tard.",
        "es": "Su etiqueta de devolución aún no está lista. Vuelva un poco más tarde.",
        "it": "L'etichetta di reso non è ancora pronta. Torni un po' più tardi.",
    },
    # Photos
    "photos": {
        "en": "Photos of the item",
        "de": "Fotos des Artikels",
        "fr": "Photos de l'article",
        "es": "Fotos del artículo",
        "it": "Foto dell'articolo",
    },
    "photos_why": {
        "en": "A photo of the damage helps us settle your case faster.",
        "de": "Ein Foto des Schadens hilft uns, Ihr Anliegen schneller zu klären.",
        "fr": "Une photo du défaut nous aide à régler votre demande plus vite.",
        "es": "Una foto del daño nos ayuda a resolver su caso más rápido.",
        "it": "Una foto del danno ci aiuta a risolvere la pratica più in fretta.",
    },
    "photo": {
        "en": "Photo (JPEG, PNG or WebP, up to 5 MB; at most 6)",
        "de": "Foto (JPEG, PNG oder WebP, bis 5 MB; höchstens 6)",
        "fr": "Photo (JPEG, PNG ou WebP, 5 Mo au plus ; 6 au maximum)",
        "es": "Foto (JPEG, PNG o WebP, hasta 5 MB; 6 como máximo)",
        "it": "Foto (JPEG, PNG o WebP, fino a 5 MB; al massimo 6)",
    },
    "send_photo": {
        "en": "Add the photo",
        "de": "Foto hinzufügen",
        "fr": "Ajouter la photo",
        "es": "Añadir la foto",
        "it": "Aggiungere la foto",
    },
    "photos_added": {
        "en": "Photos added: {n}",
        "de": "Hinzugefügte Fotos: {n}",
        "fr": "Photos ajoutées : {n}",
        "es": "Fotos añadidas: {n}",
        "it": "Foto aggiunte: {n}",
    },
    "done_photo": {
        "en": "Thank you: your photo is with your case.",
        "de": "Vielen Dank: Ihr Foto liegt Ihrem Anliegen bei.",
        "fr": "Merci : votre photo est jointe à votre demande.",
        "es": "Gracias: su foto se ha añadido a su caso.",
        "it": "Grazie: la foto è stata aggiunta alla pratica.",
    },
    "photo_not_needed": {
        "en": "This case needs no photos.",
        "de": "Für dieses Anliegen werden keine Fotos benötigt.",
        "fr": "Cette demande ne nécessite pas de photo.",
        "es": "Este caso no necesita fotos.",
        "it": "Questa pratica non richiede foto.",
    },
    "photo_missing": {
        "en": "Please choose a photo first.",
        "de": "Bitte wählen Sie zuerst ein Foto.",
        "fr": "Veuillez d'abord choisir une photo.",
        "es": "Elija primero una foto.",
        "it": "Scelga prima una foto.",
    },
    "photo_too_large": {
        "en": "This photo is too large: 5 MB at most.",
        "de": "Dieses Foto ist zu groß: höchstens 5 MB.",
        "fr": "Cette photo est trop grande : 5 Mo au plus.",
        "es": "Esta foto es demasiado grande: 5 MB como máximo.",
        "it": "Questa foto è troppo grande: al massimo 5 MB.",
    },
    "photo_not_an_image": {
        "en": "This file is not a JPEG, PNG or WebP photo.",
        "de": "Diese Datei ist kein JPEG-, PNG- oder WebP-Foto.",
        "fr": "Ce fichier n'est pas une photo JPEG, PNG ou WebP.",
        "es": "Este archivo no es una foto JPEG, PNG o WebP.",
        "it": "Questo file non è una foto JPEG, PNG o WebP.",
    },
    "photo_too_many": {
        "en": "Your case has all the photos it can take (6).",
        "de": "Ihr Anliegen hat bereits die höchste Zahl an Fotos (6).",
        "fr": "Votre demande a déjà le nombre maximal de photos (6).",
        "es": "Su caso ya tiene el máximo de fotos (6).",
        "it": "La pratica ha già il numero massimo di foto (6).",
    },
    # Links that open no page
    "link_expired": {
        "en": "This link has expired. Please use the link in our latest message, or reply to "
        "it and we will send you a new one.",
        "de": "Dieser Link ist abgelaufen. Bitte nutzen Sie den Link aus unserer letzten "
        "Nachricht oder antworten Sie darauf, dann senden wir Ihnen einen neuen.",
        "fr": "Ce lien a expiré. Utilisez le lien de notre dernier message, ou répondez-y et "
        "nous vous en enverrons un nouveau.",
        "es": "Este enlace ha caducado. Utilice el enlace de nuestro último mensaje, o "
        "respóndalo y le enviaremos uno nuevo.",
        "it": "Questo link è scaduto. Usi il link del nostro ultimo messaggio, oppure risponda "
        "e gliene invieremo uno nuovo.",
    },
    "link_bad": {
        "en": "This link is not valid. Please copy the whole link from our message.",
        "de": "Dieser Link ist ungültig. Bitte kopieren Sie den vollständigen Link aus unserer "
        "Nachricht.",
        "fr": "Ce lien n'est pas valide. Copiez le lien complet depuis notre message.",
        "es": "Este enlace no es válido. Copie el enlace completo de nuestro mensaje.",
        "it": "Questo link non è valido. Copi il link completo dal nostro messaggio.",
    },
    "link_erased": {
        "en": "This case is no longer available: your personal data was erased at your request.",
        "de": "Dieses Anliegen ist nicht mehr verfügbar: Ihre Daten wurden auf Ihren Wunsch "
        "gelöscht.",
        "fr": "Cette demande n'est plus disponible : vos données ont été effacées à votre demande.",
        "es": "Este caso ya no está disponible: sus datos se borraron a petición suya.",
        "it": "Questa pratica non è più disponibile: i suoi dati sono stati cancellati su "
        "sua richiesta.",
    },
    "link_unknown": {
        "en": "We cannot find this case.",
        "de": "Wir finden dieses Anliegen nicht.",
        "fr": "Nous ne trouvons pas cette demande.",
        "es": "No encontramos este caso.",
        "it": "Non troviamo questa pratica.",
    },
    "link_off": {
        "en": "Case pages are not available right now.",
        "de": "Die Seiten zu Anliegen sind gerade nicht verfügbar.",
        "fr": "Les pages de suivi ne sont pas disponibles pour le moment.",
        "es": "Las páginas de casos no están disponibles en este momento.",
        "it": "Le pagine delle pratiche non sono disponibili al momento.",
    },
}

# What the buyer keeps and gets with each remedy offered.
KEEPS: dict[str, dict[str, str]] = {
    "store_credit": {
        "en": "You keep the item and get a gift card for our shop, worth more than your "
        "refund. You may decline it and get your money back instead.",
        "de": "Sie behalten den Artikel und erhalten einen Geschenkgutschein für unseren Shop, "
        "der mehr wert ist als Ihre Erstattung. Sie können ihn ablehnen und stattdessen Ihr "
        "Geld zurückerhalten.",
        "fr": "Vous gardez l'article et recevez une carte cadeau pour notre boutique, d'une "
        "valeur supérieure à votre remboursement. Vous pouvez la refuser et être remboursé à "
        "la place.",
        "es": "Conserva el artículo y recibe una tarjeta regalo para nuestra tienda, por más "
        "que su reembolso. Puede rechazarla y recuperar su dinero en su lugar.",
        "it": "Conserva l'articolo e riceve una carta regalo per il nostro negozio, di valore "
        "superiore al rimborso. Può rifiutarla e riavere invece il suo denaro.",
    },
    "partial_refund": {
        "en": "You keep the item and get part of the price back.",
        "de": "Sie behalten den Artikel und erhalten einen Teil des Preises zurück.",
        "fr": "Vous gardez l'article et êtes remboursé d'une partie du prix.",
        "es": "Conserva el artículo y recupera parte del precio.",
        "it": "Conserva l'articolo e riceve indietro parte del prezzo.",
    },
    "refund_without_return": {
        "en": "You keep the item (nothing to send back) and get a refund.",
        "de": "Sie behalten den Artikel (keine Rücksendung) und erhalten eine Erstattung.",
        "fr": "Vous gardez l'article (rien à renvoyer) et êtes remboursé.",
        "es": "Conserva el artículo (sin devolverlo) y recibe un reembolso.",
        "it": "Conserva l'articolo (nulla da restituire) e riceve un rimborso.",
    },
    "troubleshooting": {
        "en": "You keep the item; our guide should get it working.",
        "de": "Sie behalten den Artikel; unsere Anleitung sollte helfen.",
        "fr": "Vous gardez l'article ; notre guide devrait le remettre en marche.",
        "es": "Conserva el artículo; nuestra guía debería hacerlo funcionar.",
        "it": "Conserva l'articolo; la nostra guida dovrebbe farlo funzionare.",
    },
    "part_shipment": {
        "en": "You keep the item and we send you the spare part free of charge.",
        "de": "Sie behalten den Artikel und wir senden Ihnen das Ersatzteil kostenlos.",
        "fr": "Vous gardez l'article et nous vous envoyons la pièce gratuitement.",
        "es": "Conserva el artículo y le enviamos la pieza gratis.",
        "it": "Conserva l'articolo e le inviamo il ricambio gratuitamente.",
    },
    "exchange": {
        "en": "You send the item back and we send you the variant you choose, with no second "
        "shipping fee.",
        "de": "Sie senden den Artikel zurück und erhalten die gewählte Variante ohne erneute "
        "Versandkosten.",
        "fr": "Vous renvoyez l'article et recevez la variante choisie, sans nouveaux frais de "
        "port.",
        "es": "Devuelve el artículo y le enviamos la variante que elija, sin un segundo "
        "gasto de envío.",
        "it": "Restituisce l'articolo e riceve la variante scelta, senza nuove spese di "
        "spedizione.",
    },
    "return_full_refund": {
        "en": "You send the item back and get the full price refunded.",
        "de": "Sie senden den Artikel zurück und erhalten den vollen Preis erstattet.",
        "fr": "Vous renvoyez l'article et êtes remboursé du prix total.",
        "es": "Devuelve el artículo y se le reembolsa el precio completo.",
        "it": "Restituisce l'articolo e riceve il rimborso del prezzo intero.",
    },
    "repair": {
        "en": "You send the item to our local repair shop on our prepaid label; we repair it "
        "and send it back to you free of charge.",
        "de": "Sie senden den Artikel mit unserem vorfrankierten Etikett an unsere Werkstatt "
        "vor Ort; wir reparieren ihn und senden ihn Ihnen kostenlos zurück.",
        "fr": "Vous envoyez l'article à notre atelier local avec notre étiquette prépayée ; "
        "nous le réparons et vous le renvoyons gratuitement.",
        "es": "Envía el artículo a nuestro taller local con nuestra etiqueta prepagada; lo "
        "reparamos y se lo devolvemos gratis.",
        "it": "Spedisce l'articolo al nostro centro di riparazione locale con la nostra "
        "etichetta prepagata; lo ripariamo e glielo rispediamo gratuitamente.",
    },
    "reship": {
        "en": "Nothing to send back: we send you the item again.",
        "de": "Keine Rücksendung nötig: Wir senden Ihnen den Artikel erneut.",
        "fr": "Rien à renvoyer : nous vous envoyons à nouveau l'article.",
        "es": "Nada que devolver: le enviamos el artículo de nuevo.",
        "it": "Nulla da restituire: le inviamo di nuovo l'articolo.",
    },
}

# What happens next, by where the case stands (resolution's state) or the remedy decided.
NEXT: dict[str, dict[str, str]] = {
    "received": {
        "en": "We have your case and are preparing our answer.",
        "de": "Ihr Anliegen liegt uns vor; wir bereiten unsere Antwort vor.",
        "fr": "Nous avons bien reçu votre demande et préparons notre réponse.",
        "es": "Hemos recibido su caso y preparamos nuestra respuesta.",
        "it": "Abbiamo ricevuto la pratica e stiamo preparando la risposta.",
    },
    "offered": {
        "en": "We are waiting for your answer to our offer.",
        "de": "Wir warten auf Ihre Antwort zu unserem Angebot.",
        "fr": "Nous attendons votre réponse à notre proposition.",
        "es": "Esperamos su respuesta a nuestra oferta.",
        "it": "Attendiamo la sua risposta alla nostra proposta.",
    },
    "tracing": {
        "en": "We are asking the carrier where your parcel is.",
        "de": "Wir fragen beim Versanddienst nach, wo Ihr Paket ist.",
        "fr": "Nous demandons au transporteur où se trouve votre colis.",
        "es": "Estamos preguntando al transportista dónde está su paquete.",
        "it": "Stiamo chiedendo al corriere dove si trova il pacco.",
    },
    "with_team": {
        "en": "A member of our team is looking at your case personally.",
        "de": "Ein Mitglied unseres Teams kümmert sich persönlich um Ihr Anliegen.",
        "fr": "Un membre de notre équipe examine personnellement votre demande.",
        "es": "Una persona de nuestro equipo revisa su caso personalmente.",
        "it": "Un membro del nostro team sta esaminando personalmente la pratica.",
    },
    "credit_follows": {
        "en": "Your gift card's code is on its way to you in a message.",
        "de": "Der Code Ihres Geschenkgutscheins ist per Nachricht auf dem Weg zu Ihnen.",
        "fr": "Le code de votre carte cadeau vous est envoyé par message.",
        "es": "El código de su tarjeta regalo le llegará en un mensaje.",
        "it": "Il codice della sua carta regalo le arriverà in un messaggio.",
    },
    "refund_follows": {
        "en": "Your refund is on its way to your original payment method.",
        "de": "Ihre Erstattung ist auf dem Weg zu Ihrer ursprünglichen Zahlungsart.",
        "fr": "Votre remboursement est en route vers votre moyen de paiement d'origine.",
        "es": "Su reembolso va de camino a su método de pago original.",
        "it": "Il rimborso è in arrivo sul metodo di pagamento originale.",
    },
    "send_for_repair": {
        "en": "Send the item to our repair shop with the prepaid label; once repaired, it comes "
        "back to you.",
        "de": "Senden Sie den Artikel mit dem vorfrankierten Etikett an unsere Werkstatt; nach "
        "der Reparatur kommt er zu Ihnen zurück.",
        "fr": "Envoyez l'article à notre atelier avec l'étiquette prépayée ; une fois réparé, il "
        "vous est renvoyé.",
        "es": "Envíe el artículo a nuestro taller con la etiqueta prepagada; una vez reparado, "
        "se lo devolvemos.",
        "it": "Spedisca l'articolo al nostro centro con l'etichetta prepagata; una volta "
        "riparato, torna da lei.",
    },
    "send_back": {
        "en": "Send the item back with the prepaid label; your refund follows once it arrives.",
        "de": "Senden Sie den Artikel mit dem vorfrankierten Etikett zurück; die Erstattung "
        "folgt nach Eingang.",
        "fr": "Renvoyez l'article avec l'étiquette prépayée ; le remboursement suit à sa "
        "réception.",
        "es": "Devuelva el artículo con la etiqueta prepagada; el reembolso llega al recibirlo.",
        "it": "Restituisca l'articolo con l'etichetta prepagata; il rimborso segue al ricevimento.",
    },
    "we_ship": {
        "en": "We are sending you a parcel from our local warehouse.",
        "de": "Wir senden Ihnen ein Paket aus unserem Lager in Ihrer Nähe.",
        "fr": "Nous vous envoyons un colis depuis notre entrepôt local.",
        "es": "Le enviamos un paquete desde nuestro almacén local.",
        "it": "Le inviamo un pacco dal nostro magazzino locale.",
    },
    "follow_guide": {
        "en": "Follow the guide in our message; reply to it if the problem remains.",
        "de": "Folgen Sie der Anleitung in unserer Nachricht; antworten Sie, falls das Problem "
        "bleibt.",
        "fr": "Suivez le guide de notre message ; répondez-y si le problème persiste.",
        "es": "Siga la guía de nuestro mensaje; respóndalo si el problema continúa.",
        "it": "Segua la guida nel nostro messaggio; risponda se il problema resta.",
    },
}

NEXT_OF_REMEDY = {
    "partial_refund": "refund_follows",
    "refund_without_return": "refund_follows",
    "return_full_refund": "send_back",
    "exchange": "we_ship",
    "part_shipment": "we_ship",
    "reship": "we_ship",
    "troubleshooting": "follow_guide",
    "store_credit": "credit_follows",
    "repair": "send_for_repair",
}
NEXT_OF_STATE = {
    "waiting": "with_team",
    "held": "with_team",
    "tracing": "tracing",
    "offered": "offered",
}

REMEDY_NAMES: dict[str, dict[str, str]] = {
    "store_credit": {
        "en": "Store credit (gift card)",
        "de": "Guthaben (Geschenkgutschein)",
        "fr": "Avoir (carte cadeau)",
        "es": "Saldo en tienda (tarjeta regalo)",
        "it": "Credito nel negozio (carta regalo)",
    },
    "partial_refund": {
        "en": "Partial refund",
        "de": "Teilerstattung",
        "fr": "Remboursement partiel",
        "es": "Reembolso parcial",
        "it": "Rimborso parziale",
    },
    "refund_without_return": {
        "en": "Refund, nothing to send back",
        "de": "Erstattung ohne Rücksendung",
        "fr": "Remboursement sans retour",
        "es": "Reembolso sin devolución",
        "it": "Rimborso senza reso",
    },
    "troubleshooting": {
        "en": "Help to fix it",
        "de": "Hilfe bei der Fehlerbehebung",
        "fr": "Aide au dépannage",
        "es": "Ayuda para solucionarlo",
        "it": "Aiuto per risolvere il problema",
    },
    "part_shipment": {
        "en": "A spare part",
        "de": "Ein Ersatzteil",
        "fr": "Une pièce de rechange",
        "es": "Una pieza de repuesto",
        "it": "Un pezzo di ricambio",
    },
    "exchange": {
        "en": "Exchange",
        "de": "Umtausch",
        "fr": "Échange",
        "es": "Cambio",
        "it": "Cambio",
    },
    "return_full_refund": {
        "en": "Return for a full refund",
        "de": "Rücksendung mit voller Erstattung",
        "fr": "Retour avec remboursement intégral",
        "es": "Devolución con reembolso completo",
        "it": "Reso con rimborso completo",
    },
    "repair": {
        "en": "Repair at our local repair shop",
        "de": "Reparatur in unserer Werkstatt vor Ort",
        "fr": "Réparation dans notre atelier local",
        "es": "Reparación en nuestro taller local",
        "it": "Riparazione nel nostro centro locale",
    },
    "reship": {
        "en": "The item sent again",
        "de": "Erneuter Versand des Artikels",
        "fr": "Nouvel envoi de l'article",
        "es": "Nuevo envío del artículo",
        "it": "Nuovo invio dell'articolo",
    },
}

ANSWER_NAMES = {
    "accept": {
        "en": "accepted",
        "de": "angenommen",
        "fr": "acceptée",
        "es": "aceptada",
        "it": "accettata",
    },
    "decline": {
        "en": "declined",
        "de": "abgelehnt",
        "fr": "refusée",
        "es": "rechazada",
        "it": "rifiutata",
    },
}


def say(key: str, language: str, **facts: object) -> str:
    """The page's sentence `key` in `language` (English when it has none), facts filled in."""
    words = TEXTS.get(key) or KEEPS.get(key) or NEXT.get(key) or {}
    sentence = words.get(language) or words.get(FALLBACK, key)
    return sentence.format(**facts) if facts else sentence


def keeps(remedy: str, language: str) -> str:
    return KEEPS.get(remedy, {}).get(language, "")


def remedy_name(remedy: str, language: str) -> str:
    return REMEDY_NAMES.get(remedy, {}).get(language, remedy.replace("_", " "))


def next_step(state: str | None, remedy: str | None, language: str) -> str:
    """What happens next: by the remedy decided, else by where resolution has the case."""
    key = NEXT_OF_REMEDY.get(remedy or "") or NEXT_OF_STATE.get(state or "", "received")
    return NEXT[key][language]


def price_difference(difference_minor: int, currency: str, language: str) -> str:
    """What picking a variant costs or gives back, in the buyer's currency and language."""
    if difference_minor == 0:
        return say("variant_same_price", language)
    amount = money(abs(difference_minor), currency, language)
    key = "variant_pay_more" if difference_minor > 0 else "variant_get_back"
    return say(key, language, amount=amount)
