"""The symptoms, and how buyers name each, in the five languages: regular expressions over text that
`symptoms.normalize` has lower-cased, stripped of accents ("lädt" → "ladt", "ß" → "ss")
and given plain apostrophes. Each language lists what its own buyers write; a failure is
either a fault phrase ("keeps restarting", "si riavvia") or a negation near the verb it
negates ("won't pair", "lädt nicht", "ne s'allume pas", "no enciende", "non si accende").
"""

from enum import StrEnum


class Symptom(StrEnum):
    """What a buyer says is wrong, as a guide answers it."""

    WONT_PAIR = "wont_pair"  # won't pair or connect (Bluetooth, Wi-Fi, the app)
    NO_POWER = "no_power"  # won't switch on
    NO_CHARGE = "no_charge"  # won't charge, battery does not hold
    ERROR_CODE = "error_code"  # shows an error (or quotes a fault code)
    STUCK = "stuck"  # stuck, freezes, jammed (a device, a zip)
    RESTARTS = "restarts"  # restarts or switches off by itself
    TRIPS_FUSE = "trips_fuse"  # trips the fuse or the breaker
    LEAKS = "leaks"
    NOISY = "noisy"
    NO_SOUND = "no_sound"
    MISSING_PART = "missing_part"
    ASSEMBLY = "assembly"  # cannot put it together
    FIT = "fit"  # size, fit


S = Symptom


def near(first: str, then: str, words: int = 3) -> str:
    """`first`, up to `words` words, then `then`: "won't even turn on"."""
    return rf"(?:{first})\W+(?:[\w']+\W+){{0,{words}}}?(?:{then})"


# English ------------------------------------------------------------------------------

_EN_NOT = (
    r"won'?t|wont|can'?t|cannot|can not|doesn'?t|does not|didn'?t|did not|isn'?t|is not"
    r"|will not|unable to|fails? to|failed to|not|never|no longer|refuses to|stopped"
)
EN: dict[Symptom, tuple[str, ...]] = {
    S.WONT_PAIR: (
        near(
            _EN_NOT,
            r"pair\w*|connect\w*|sync\w*|link\w*|be found|detect\w*|recogni[sz]\w*"
            r"|show up|appear\w*",
            4,
        ),
        r"(?:pairing|connection|bluetooth|wi-?fi|app)\W+(?:[\w']+\W+){0,2}?"
        r"(?:fails?|failed|problems?|issues?|drops?|times? out|timing out)",
        r"(?:keeps|always) (?:dis)?connecting|disconnects|keeps dropping",
        r"(?:times?|timing) out (?:\w+ ){0,2}?(?:pairing|connect\w*|setup)",
    ),
    S.NO_POWER: (
        near(_EN_NOT, r"(?:turn|switch|power|come|boot)(?:s|ed|ing)? (?:on|up)|start\w*|boot\w*"),
        r"no power|(?:completely |totally )?dead\b|nothing happens|no lights? (?:at all|come)",
        near(_EN_NOT, r"light\w* up"),
    ),
    S.NO_CHARGE: (
        near(_EN_NOT, r"charg\w*|recharg\w*"),
        r"battery (?:\w+ )?(?:dies|drains|is empty|won'?t hold|doesn'?t hold|lasts? only)",
        r"(?:hold|holds|holding) (?:a |its |the )?charge",
    ),
    S.ERROR_CODE: (
        r"error (?:message|code|light|screen)|shows? (?:an |the )?error|error (?:shows|appears)",
        r"(?:red|error|warning) light (?:\w+ )?(?:blinks|flashes|blinking|flashing)",
    ),
    S.STUCK: (
        # not the German "Stück" ("am Stück", "pro Stück")
        r"(?<!am )(?<!pro )(?<!ein )(?<!je )stuck\b|freez\w*|froze|frozen|locks? up",
        r"\bhangs?\b|hanging|\bhung\b|jamm?\w*",
        r"unresponsive|not responding|(?:doesn'?t|does not|won'?t) respond",
    ),
    S.RESTARTS: (
        r"(?:keeps|kept) (?:restarting|rebooting|resetting|turning off|switching off|shutting)",
        r"(?:restarts|reboots|resets) (?:itself|on its own|by itself|randomly|every|constantly"
        r"|all the time|again and again|after)",
        r"(?:turns|switches|shuts) (?:itself )?(?:off|down) (?:by itself|on its own|randomly"
        r"|after|every|without)",
        r"randomly (?:restarts|reboots|turns off|switches off|shuts down)",
        r"cuts? (?:out|off) (?:every|after|randomly|constantly|all the time)",
    ),
    S.TRIPS_FUSE: (
        r"trip\w* (?:the |my |our )?(?:fuse|breaker|circuit|rcd|gfci|power|electric)",
        r"(?:fuse|breaker|rcd|gfci)s? (?:\w+ )?(?:trips|tripped|blows|blew|pops|popped|goes)",
        r"blow\w* (?:a |the |my )?fuse|blew (?:a |the |my )?fuse|short[- ]circuit",
    ),
    S.LEAKS: (
        r"leak\w*|drip\w*|water (?:everywhere|all over|on the (?:counter|floor|table))",
        r"(?:spills?|spilling|seeps?|seeping) (?:water|out)|overflows?",
    ),
    S.NOISY: (
        r"nois\w*|(?:very|too|extremely|really) loud|rattl\w*|squeak\w*|squeal\w*|buzz\w*",
        r"grind\w*|whin(?:e|es|ing)\b|\bhum(?:s|ming)?\b|creak\w*|clicking|crackl\w*",
    ),
    S.NO_SOUND: (
        r"no (?:sound|audio)|\bsilent\b|(?:can'?t|cannot|can not|don'?t) hear|\bmuted?\b",
        r"sound (?:cuts|drops|keeps cutting)|(?:no|without) sound",
    ),
    S.MISSING_PART: (
        r"missing|(?:wasn'?t|was not|weren'?t|were not|not) (?:included|in the (?:box|package))",
        r"incomplete|no (?:screws|cable|charger|remote|instructions|manual|lid|plug)\b",
        r"(?:forgot|forgotten|left out)|(?:came|arrived|shipped|delivered) without",
        r"only (?:\w+ ){0,3}(?:were|was) in the (?:box|package|parcel)",
    ),
    S.ASSEMBLY: (
        r"assembl\w*|put (?:it |them )?together|instructions? (?:are |is )?(?:unclear|confusing"
        r"|wrong)|(?:holes?|screws?|parts?|pieces?) (?:\w+ )?(?:don'?t|do not|won'?t) "
        r"(?:line up|align|match|fit together)",
    ),
    S.FIT: (
        r"too (?:small|big|large|tight|loose|short|long|narrow|wide|baggy)",
        r"(?:doesn'?t|does not|don'?t|do not|didn'?t|did not) fit|runs? (?:small|large|big)",
        r"wrong size|size (?:is )?(?:wrong|off)|fits? (?:badly|poorly|too)",
        r"\b(?:tight|baggy)\b|swimming on (?:me|him|her)",
    ),
}

# German -------------------------------------------------------------------------------

_DE_NOT = r"nicht|kein\w*|nie|niemals|nimmer"
DE: dict[Symptom, tuple[str, ...]] = {
    S.WONT_PAIR: (
        near(
            _DE_NOT,
            r"(?:ge)?koppel\w*|verbind\w*|verbunden|pair\w*|gefunden|erkannt"
            r"|verknupf\w*|synchronisier\w*",
        ),
        near(r"koppelt|verbindet|findet|erkennt|paart", _DE_NOT, 2),
        r"(?:verbindung|kopplung|pairing)\w* (?:\w+ ){0,2}?(?:bricht|fehlgeschlagen|klappt nicht"
        r"|schlagt fehl|funktioniert nicht|abbruch)",
        r"trennt sich|verbindungsabbruch\w*",
    ),
    S.NO_POWER: (
        r"geht (?:\w+ ){0,2}?(?:nicht|nie) (?:mehr )?an\b|(?:lasst|liess) sich (?:\w+ )?"
        r"(?:nicht|nie) (?:mehr )?(?:ein|an)schalten",
        near(r"schaltet|startet|springt", _DE_NOT, 2),
        near(_DE_NOT, r"einschalten|anschalten|einschaltet|starten|hochfahren"),
        r"kein(?:en)? strom|bleibt (?:\w+ )?(?:dunkel|schwarz|aus)\b|(?:ist |vollig |komplett )tot"
        r"|keine reaktion|reagiert (?:gar |uberhaupt )?nicht",
    ),
    S.NO_CHARGE: (
        near(r"ladt|laden|ladet", _DE_NOT, 2),
        near(_DE_NOT, r"(?:auf)?(?:ge)?lad(?:en|t)\w*|ladung|ladestrom"),
        r"akku (?:\w+ ){0,2}?(?:halt nicht|ist (?:\w+ )?leer|entladt sich|leer)",
    ),
    S.ERROR_CODE: (
        r"fehler(?:meldung|code|anzeige|nummer)|zeigt (?:\w+ )?(?:fehler|storung)",
        r"(?:storungs|fehler)(?:anzeige|leuchte|led)|blinkt rot|rote? (?:lampe|led|leuchte) blinkt",
    ),
    S.STUCK: (
        r"\bhang(?:t|en|enbleibt|engeblieben)\b|bleibt (?:\w+ )?(?:hangen|stecken)|steckt fest",
        r"friert (?:\w+ )?ein|eingefroren|klemmt|blockiert|stockt|fahrt sich fest|festgefahren",
    ),
    S.RESTARTS: (
        r"startet (?:\w+ ){0,2}?neu\b|bootet (?:standig|dauernd|immer wieder|neu)",
        r"schaltet sich (?:\w+ ){0,2}?(?:ab|aus)\b|geht (?:\w+ ){0,2}?(?:von selbst|einfach"
        r"|standig|immer wieder|dauernd) aus\b",
        r"(?:standig|dauernd|immer wieder) (?:neu ?start\w*|aus)",
    ),
    S.TRIPS_FUSE: (
        r"sicherung (?:\w+ ){0,2}?(?:fliegt|springt|raus|rausgeflogen|durch|lost aus|ausgelost)",
        r"(?:fi|fi-schalter|fehlerstromschutzschalter|sicherungsautomat) (?:\w+ )?"
        r"(?:fliegt|springt|lost|raus)",
        r"(?:lost|haut|wirft) (?:\w+ )?(?:sicherung|fi\b|fi-schalter)\w*|kurzschluss\w*",
    ),
    S.LEAKS: (
        r"undicht|\bleck\w*|lauft (?:\w+ )?aus\b|ausgelaufen|tropf\w*|verliert (?:\w+ )?wasser",
        r"wasser (?:\w+ ){0,2}?(?:lauft|tritt|kommt) (?:\w+ )?(?:aus|raus)",
    ),
    S.NOISY: (
        r"(?:zu|sehr|extrem|total|viel zu) laut\b|gerausch\w*|brumm\w*|summt|summen|surrt",
        r"rausch\w*|ratter\w*|klapper\w*|quietsch\w*|knarz\w*|knarr\w*|pfeift|fiept|knackt|knistert|\blarm\b",
    ),
    S.NO_SOUND: (
        r"kein(?:en)? (?:ton|sound|klang|audio)\b|\bstumm\b|hore (?:\w+ )?nichts"
        r"|hort (?:\w+ ){0,2}?nichts|ton (?:\w+ )?(?:fallt aus|setzt aus)",
    ),
    S.MISSING_PART: (
        r"\bfehl(?:t|en|te|ten|end\w*)\b|unvollstandig|(?:kam|kamen|geliefert|ankam) ohne",
        r"nicht (?:\w+ )?(?:dabei|enthalten|im (?:karton|paket|lieferumfang)|mitgeliefert"
        r"|beigelegt)",
    ),
    S.ASSEMBLY: (
        r"montage\w*|montier\w*|aufbau\w*|zusammenbau\w*|zusammenzubauen|aufzubauen"
        r"|aufbauanleitung|anleitung (?:\w+ )?(?:unverstandlich|falsch|unklar)",
        r"(?:bohrungen|locher|teile) (?:\w+ )?passen (?:\w+ )?nicht",
    ),
    S.FIT: (
        r"zu (?:klein|gross|eng|weit|kurz|lang|schmal|breit)\b|passt (?:\w+ ){0,2}?nicht"
        r"|passen (?:\w+ ){0,2}?nicht",
        r"falsche grosse|grosse (?:\w+ )?(?:stimmt|passt) nicht|fallt (?:\w+ )?(?:klein|gross)"
        r"|sitzt (?:\w+ )?nicht|\bdruck(?:en|t)\b",
    ),
}

# French -------------------------------------------------------------------------------

_FR_NOT = r"ne|n'|impossible de|impossible d'|refuse de|n'arrive pas a|pas moyen de"
FR: dict[Symptom, tuple[str, ...]] = {
    S.WONT_PAIR: (
        near(
            _FR_NOT,
            r"connect\w*|jumel\w*|appair\w*|apparie\w*|associ\w*|synchronis\w*"
            r"|coupl\w*|detect\w*|reconn\w*|trouv\w*",
        ),
        r"(?:connexion|jumelage|appairage|couplage|bluetooth|wi-?fi) (?:\w+ ){0,2}?"
        r"(?:echou\w*|impossible|coup\w*|saute|ne marche pas|ne fonctionne pas)",
        r"se deconnecte|deconnexions?|introuvable",
    ),
    S.NO_POWER: (
        near(_FR_NOT, r"allum\w*|demarr\w*|mettre en marche|met en marche|s'active|fonctionn\w*"),
        r"aucune (?:reaction|lumiere|alimentation)|(?:completement |totalement |est )mort"
        r"|ecran noir|rien ne se passe|reste eteint\w*",
    ),
    S.NO_CHARGE: (
        near(_FR_NOT, r"(?:re)?charg\w*"),
        r"batterie (?:\w+ ){0,2}?(?:vide|ne tient|se decharge|tient pas)|ne tient pas la charge",
    ),
    S.ERROR_CODE: (
        r"(?:message|code|voyant) d'erreur|affiche (?:\w+ )?(?:erreur|code)|erreur s'affiche",
        r"voyant rouge (?:\w+ )?(?:clignote|allume)",
    ),
    S.STUCK: (
        r"bloqu\w*|coinc\w*|\bfig(?:e|ee|es|ent)\b|\bgel(?:e|ee|es|ent)\b",
        r"(?:se |a |s'est )plant\w*",
        r"ne repond (?:plus|pas)|reste (?:\w+ )?bloqu\w*|accroch\w*",
    ),
    S.RESTARTS: (
        r"redemarr\w* (?:\w+ ){0,2}?(?:tout seul|toute seule|sans cesse|en boucle|constamment"
        r"|tout le temps|sans arret|regulierement|sans raison)",
        r"(?:sans cesse|en boucle|constamment|tout seul|toute seule) (?:\w+ )?redemarr\w*",
        r"s'eteint (?:\w+ ){0,2}?(?:tout seul|toute seule|sans raison|sans cesse|apres|au bout"
        r"|d'un coup|subitement)",
    ),
    S.TRIPS_FUSE: (
        r"(?:fait|font|a fait) (?:\w+ ){0,2}?(?:sauter|disjoncter)|disjonct\w*",
        r"plombs? (?:\w+ )?saut\w*|fusible (?:\w+ )?(?:saute|grille|a saute)|court-circuit",
    ),
    S.LEAKS: (
        r"\bfui(?:t|te|tes|ent)\b|\bcoul(?:e|ent)\b|goutt\w*|perd (?:\w+ )?(?:de l'eau|eau)",
        r"de l'eau (?:partout|sur)|deborde\w*",
    ),
    S.NOISY: (
        r"bruit\w*|bruyant\w*|grinc\w*|vibr\w*|cliquet\w*|claqu\w*|siffl\w*|bourdonn\w*",
        r"gresill\w*|craqu\w*|vrombi\w*",
    ),
    S.NO_SOUND: (
        r"(?:aucun|pas de|plus de|sans) son\b|\bmuet\w*|n'entend\w* (?:rien|pas)|on n'entend"
        r"|son (?:se )?coupe|pas d'audio|aucun audio",
    ),
    S.MISSING_PART: (
        r"manqu\w*|incomplet\w*|il manque|oubli\w*|absent\w*|(?:livree?s?|arrivee?s?) sans",
        r"pas (?:\w+ )?(?:inclus\w*|fourni\w*|dans (?:le |la )?(?:carton|colis|boite|paquet))",
    ),
    S.ASSEMBLY: (
        r"montage|\bmonter\b|assembl\w*|notice (?:\w+ ){0,2}?(?:incomprehensible|illisible"
        r"|fausse|pas claire)",
        r"trous? (?:\w+ ){0,2}?(?:correspond|align)\w* pas",
    ),
    S.FIT: (
        r"trop (?:petit|grand|serre|large|court|long|etroit|ample)\w*",
        r"taille (?:\w+ ){0,2}?(?:petit|grand)\w*|mauvaise taille|ne (?:me |lui )?va pas"
        r"|ne (?:\w+ )?(?:taille|chausse) pas|taille mal",
    ),
}

# Spanish ------------------------------------------------------------------------------

_ES_NOT = r"no|nunca|imposible|ya no|no consigo|no logro|no puedo"
ES: dict[Symptom, tuple[str, ...]] = {
    S.WONT_PAIR: (
        near(
            _ES_NOT,
            r"empareja\w*|emparej\w*|conect\w*|vincul\w*|sincroniz\w*|enlaz\w*"
            r"|detect\w*|reconoc\w*|encuentr\w*",
        ),
        r"(?:conexion|emparejamiento|vinculacion|bluetooth|wi-?fi) (?:\w+ ){0,2}?"
        r"(?:falla|fallo|se corta|se pierde|no funciona)",
        r"se desconecta",
    ),
    S.NO_POWER: (
        near(_ES_NOT, r"enciend\w*|encend\w*|prend\w*|arranc\w*", 2),
        r"no da (?:\w+ )?senales? de vida|(?:esta )?muerto|no hace nada|pantalla negra"
        r"|sin corriente",
    ),
    S.NO_CHARGE: (
        near(_ES_NOT, r"(?:re)?carg\w*", 2),
        r"bateria (?:\w+ ){0,2}?(?:no dura|se agota|se descarga|vacia)|no mantiene la carga",
    ),
    S.ERROR_CODE: (
        r"(?:mensaje|codigo|luz|piloto) de error|(?:muestra|aparece|sale|da) (?:\w+ )?"
        r"(?:error|codigo)",
        r"luz roja (?:\w+ )?(?:parpadea|encendida)",
    ),
    S.STUCK: (
        r"atasc\w*|bloque\w*|congel\w*|se cuelga|colgad\w*|se traba\w*|trabad[oa]s?\b",
        r"no responde|se queda (?:\w+ )?(?:pillad|atasc|bloque|colgad|congelad)\w*",
    ),
    S.RESTARTS: (
        r"se reinicia\w*|reinici\w* (?:\w+ ){0,2}?(?:solo|sola|constantemente|continuamente"
        r"|cada|sin parar|todo el rato)",
        r"se apaga (?:\w+ ){0,2}?(?:solo|sola|sin motivo|cada|de repente|constantemente"
        r"|continuamente|al rato|a los)",
    ),
    S.TRIPS_FUSE: (
        r"(?:salta|saltan|hace saltar|hizo saltar|salto) (?:\w+ ){0,2}?(?:diferencial|fusible"
        r"|plomos|automatico|luz|termico)",
        r"(?:diferencial|fusible|plomos|automatico) (?:\w+ ){0,2}?salt\w*|cortocircuito",
        r"se va la luz|(?:fundio|funde|quema|quemo) (?:\w+ ){0,2}?fusible",
    ),
    S.LEAKS: (
        r"gote\w*|fuga\w*|pierde agua|sale (?:el )?agua|se sale|derram\w*|chorrea\w*",
        r"agua (?:por todas partes|en la encimera|en el suelo)",
    ),
    S.NOISY: (
        r"ruid\w*|chirri\w*|vibr\w*|zumb\w*|traquete\w*|cruj\w*|pitido\w*",
        r"suena (?:muy |demasiado )fuerte|hace (?:un )?(?:sonido|ruido)",
    ),
    S.NO_SOUND: (
        r"(?:no|sin) (?:tiene |hay )?(?:sonido|audio)|no (?:se )?oye|no suena|no se escucha"
        r"|\bmudo\b|se corta el sonido",
    ),
    S.MISSING_PART: (
        r"falt\w*|incomplet\w*|no (?:venia|viene|vino|venian|vinieron|incluye|incluia|trae|traia)",
        r"(?:llego|llegaron|vino|vinieron) sin",
        r"no (?:estaba|estaban) (?:en la caja|incluid\w*)|sin (?:tornillos|cable|cargador|mando"
        r"|instrucciones)",
    ),
    S.ASSEMBLY: (
        r"montaje|\bmontar\b|ensambl\w*|\barmar\b|instrucciones (?:\w+ )?(?:confusas|incorrectas"
        r"|no se entienden)",
        r"agujeros (?:\w+ )?no (?:coinciden|encajan)|piezas (?:\w+ )?no encajan",
    ),
    S.FIT: (
        r"(?:demasiado|muy) (?:pequen|grand|estrech|ajustad|apretad|holgad|cort|larg|anch)\w*",
        r"(?:queda|quedan|va|van) (?:\w+ )?(?:pequen|grand|estrech|ajustad|apretad|holgad|cort"
        r"|larg|anch)\w*",
        r"talla (?:\w+ ){0,2}?(?:pequen|grand|equivocad|incorrect)\w*|no me (?:queda|quedan"
        r"|entra|entran|va|van) bien",
    ),
}

# Italian ------------------------------------------------------------------------------

_IT_NOT = r"non|impossibile|mai|non riesco a|non riesce a"
IT: dict[Symptom, tuple[str, ...]] = {
    S.WONT_PAIR: (
        near(
            _IT_NOT,
            r"associ\w*|accoppi\w*|conness\w*|connett\w*|collega\w*|abbin\w*"
            r"|sincronizz\w*|rilev\w*|riconosc\w*|trov\w*",
        ),
        r"(?:connessione|associazione|accoppiamento|abbinamento|bluetooth|wi-?fi) (?:\w+ ){0,2}?"
        r"(?:fallit|non riuscit|cade|salta|non funziona)\w*",
        r"si disconnette|si scollega",
    ),
    S.NO_POWER: (
        near(_IT_NOT, r"accend\w*|avvi\w*", 2),
        r"non parte|non da (?:\w+ )?segni di vita|(?:e |completamente |totalmente )morto"
        r"|schermo nero|nessuna reazione|resta spent\w*",
    ),
    S.NO_CHARGE: (
        near(_IT_NOT + r"|piu", r"(?:ri)?caric\w*", 2),
        r"batteria (?:\w+ ){0,2}?(?:non dura|si scarica|scarica)|non tiene la carica",
    ),
    S.ERROR_CODE: (
        r"(?:messaggio|codice|spia) (?:di )?errore|(?:mostra|compare|appare|segnala|da) (?:\w+ )?"
        r"(?:errore|codice)",
        r"spia rossa (?:\w+ )?(?:lampeggia|accesa)",
    ),
    S.STUCK: (
        r"bloccat\w*|si blocca|incastr\w*|incepp\w*|si pianta|piantat\w*|congel\w*|si impalla",
        r"non risponde|resta (?:\w+ )?bloccat\w*",
    ),
    S.RESTARTS: (
        r"si riavvia\w*|riavvi\w* (?:\w+ ){0,2}?(?:da sol|continuamente|di continuo"
        r"|in continuazione|ogni)\w*",
        r"si spegne (?:\w+ ){0,2}?(?:da sol\w*|all'improvviso|di continuo|continuamente|ogni"
        r"|dopo)",
    ),
    S.TRIPS_FUSE: (
        r"(?:fa|fanno|ha fatto|hanno fatto) (?:\w+ ){0,2}?saltare|cortocircuito",
        r"salta (?:\w+ ){0,2}?(?:salvavita|corrente|luce|fusibile|differenziale|contatore)",
        r"(?:salvavita|differenziale|fusibile|contatore) (?:\w+ ){0,2}?salt\w*"
        r"|va via la (?:luce|corrente)",
    ),
    S.LEAKS: (
        r"perd[ea] (?:\w+ )?acqua|perdit\w*|gocciol\w*|\bcola\b|esce (?:l')?acqua|fuoriesce",
        r"acqua (?:dappertutto|ovunque|sul (?:piano|pavimento|tavolo))|trabocc\w*",
    ),
    S.NOISY: (
        r"rumor\w*|cigol\w*|vibr\w*|ronz\w*|sferragli\w*|scricchiol\w*|fischi\w*|gracchi\w*",
        r"fa (?:un )?(?:rumore|baccano)",
    ),
    S.NO_SOUND: (
        r"(?:nessun|niente|senza) (?:suono|audio)|non (?:si )?sente|\bmuto\b|non emette (?:\w+ )?"
        r"suono|audio (?:assente|non funziona)",
    ),
    S.MISSING_PART: (
        r"manc\w*|incomplet\w*|(?:arrivat[oaie]|consegnat[oaie]) senza",
        r"non (?:\w+ ){0,2}?(?:incluso|inclusa|inclusi|presente|presenti|nella scatola"
        r"|nella confezione)",
    ),
    S.ASSEMBLY: (
        r"montaggio|\bmontare\b|assembl\w*|istruzioni (?:\w+ )?(?:incomprensibili|sbagliate"
        r"|poco chiare)",
        r"fori (?:\w+ )?non (?:coincidono|combaciano|corrispondono)",
    ),
    S.FIT: (
        r"troppo (?:piccol|grand|strett|larg|cort|lung|abbondant)\w*",
        r"(?:sta|stanno|va|vanno|calza|calzano) (?:\w+ )?(?:piccol|grand|strett|larg|cort|lung)\w*",
        r"taglia (?:\w+ ){0,2}?(?:piccol|grand|sbagliat)\w*|veste (?:piccol|grand)\w*"
        r"|non mi (?:sta|va|calza|entra)",
    ),
}

PHRASES: dict[str, dict[Symptom, tuple[str, ...]]] = {
    "en": EN,
    "de": DE,
    "fr": FR,
    "es": ES,
    "it": IT,
}
