"""The words that point to a scenario: marketplace reason codes and buyer phrases.

Plain data read by `classification.py`. Phrases are regular expressions over
*normalised* text: lower case, accents stripped ("größe" → "grosse", "reçu" →
"recu"), "n't" glued ("doesn't" → "doesnt", as buyers also type it), "," where a
clause ends, and one space between words ("l'écran" → "l ecran"). Each phrase
matches whole words; `.{0,40}` means "within a few words". A phrase in `PHRASES`
counts 1, one in `DECISIVE_PHRASES` counts 2. Add a phrase to the language it is
written in; the classifier reads only the lexicons of the languages a text may be in.
Functioning verbs (`FUNCTIONS`, `POWER`) count only negated, in each language's word
order (`NEGATED`): "doesn't turn on", "ne s'allume pas", "geht nicht an".
"""

from shared.events import Reason, Scenario

LANGUAGES = ("en", "de", "fr", "es", "it")

# How much a reason code alone counts, against 1.0 for one phrase of the buyer's.
SPECIFIC_CODE = 1.0  # the code names the scenario: size, wrong item, not received...
VAGUE_CODE = 0.6  # "defective", "damaged", "not as described": often wrong or too broad

# Marketplace codes, normalised: upper case, apostrophes dropped, other separators "_",
# and the Amazon prefixes "CR-" and "AMZ-PG-" removed.
CODE_SCENARIO: dict[str, tuple[Scenario, float]] = {
    **dict.fromkeys(
        ("DAMAGED_PACKAGING", "COSMETIC_DAMAGE", "MINOR_SCRATCH"),
        (Scenario.MINOR_DEFECT, SPECIFIC_CODE),
    ),
    **dict.fromkeys(
        ("DAMAGED", "ARRIVED_DAMAGED", "DAMAGED_BY_CARRIER", "DAMAGED_BY_FC"),
        (Scenario.MINOR_DEFECT, VAGUE_CODE),
    ),
    **dict.fromkeys(
        (
            "MISSING_PARTS",
            "MISSING_PART",
            "ACCESSORY_MISSING",
            "MISSING_PARTS_OR_ACCESSORIES",
            "SETUP_DIFFICULTY",
        ),
        (Scenario.FUNCTIONAL_FAULT, SPECIFIC_CODE),
    ),
    **dict.fromkeys(
        (
            "SIZE_TOO_SMALL",
            "SIZE_TOO_LARGE",
            "APP_TOO_SMALL",
            "APP_TOO_LARGE",
            "APP_STYLE",
            "STYLE",
            "COLOR",
            "COLOUR",
            "WRONG_SIZE",
            "DOES_NOT_FIT",
            "DOESNT_FIT",
        ),
        (Scenario.SIZE_STYLE_MISMATCH, SPECIFIC_CODE),
    ),
    **dict.fromkeys(
        (
            "DEFECTIVE",
            "DEFECTIVE_ITEM",
            "ITEM_DEFECTIVE",
            "QUALITY_UNACCEPTABLE",
            "QUALITY_NOT_AS_EXPECTED",
            "NOT_AS_DESCRIBED",
            "SNAD",
            "DIFFERENT_FROM_LISTING",
            "BAD_DESC",
            "FAKE_OR_COUNTERFEIT",
        ),
        (Scenario.QUALITY_DEFECT, VAGUE_CODE),
    ),
    **dict.fromkeys(
        (
            "UNWANTED",
            "UNWANTED_ITEM",
            "NO_LONGER_NEED_ITEM",
            "ORDERED_WRONG_ITEM",
            "MISORDERED",
            "ORDERED_ACCIDENTALLY",
            "FOUND_BETTER_PRICE",
            "BETTER_PRICE_AVAILABLE",
            "CHANGED_MIND",
        ),
        (Scenario.CHANGED_MIND, SPECIFIC_CODE),
    ),
    **dict.fromkeys(
        (
            "INR",
            "ITEM_NOT_RECEIVED",
            "NOT_RECEIVED",
            "ARRIVED_LATE",
            "MISSED_ESTIMATED_DELIVERY",
        ),
        (Scenario.NOT_RECEIVED, SPECIFIC_CODE),
    ),
    **dict.fromkeys(
        ("WRONG_ITEM", "WRONG_ITEM_RECEIVED", "SWITCHEROO", "BUYER_RECEIVED_WRONG_ITEM"),
        (Scenario.WRONG_ITEM, SPECIFIC_CODE),
    ),
}

# Codes that say nothing: no prior at all, the buyer's words decide.
SILENT_CODES = frozenset({"", "OTHER", "UNKNOWN", "NO_REASON", "NO_REASON_GIVEN", "REASON_NA"})

# When the marketplace code is not in the table: the canonical reason intake mapped it to.
REASON_SCENARIO: dict[Reason, tuple[Scenario, float]] = {
    Reason.DEFECTIVE: (Scenario.QUALITY_DEFECT, VAGUE_CODE),
    Reason.DAMAGED: (Scenario.MINOR_DEFECT, VAGUE_CODE),
    Reason.MISSING_PARTS: (Scenario.FUNCTIONAL_FAULT, SPECIFIC_CODE),
    Reason.NOT_AS_DESCRIBED: (Scenario.QUALITY_DEFECT, VAGUE_CODE),
    Reason.QUALITY: (Scenario.QUALITY_DEFECT, VAGUE_CODE),
    Reason.SIZE_TOO_SMALL: (Scenario.SIZE_STYLE_MISMATCH, SPECIFIC_CODE),
    Reason.SIZE_TOO_LARGE: (Scenario.SIZE_STYLE_MISMATCH, SPECIFIC_CODE),
    Reason.SIZE_FIT: (Scenario.SIZE_STYLE_MISMATCH, SPECIFIC_CODE),  # Walmart's WRONG_SIZE/POOR_FIT
    Reason.STYLE: (Scenario.SIZE_STYLE_MISMATCH, SPECIFIC_CODE),
    Reason.WRONG_ITEM: (Scenario.WRONG_ITEM, SPECIFIC_CODE),
    Reason.CHANGED_MIND: (Scenario.CHANGED_MIND, SPECIFIC_CODE),
    Reason.NOT_RECEIVED: (Scenario.NOT_RECEIVED, SPECIFIC_CODE),
}

# Per language, the words that cancel a damage, fault or set-up phrase right after them
# ("not damaged", "nicht kaputt", "pas cassé", "no está roto", "non è rotto", "not a setup
# issue"), and that, before a functioning verb, make it the fault (see `FUNCTIONS`).
NEGATIONS: dict[str, frozenset[str]] = {
    "en": frozenset({
        "not", "no", "never", "nothing", "without", "isnt", "wasnt", "arent", "werent", "dont",
        "doesnt", "didnt", "wont", "cant", "cannot", "couldnt", "wouldnt", "nor",
    }),
    "de": frozenset({
        "nicht", "kein", "keine", "keinen", "keiner", "keinem", "nichts", "ohne", "nie",
        "niemals",
    }),
    "fr": frozenset({"ne", "n", "pas", "rien", "aucun", "aucune", "sans", "jamais", "ni"}),
    "es": frozenset({"no", "nunca", "jamas", "nada", "ningun", "ninguna", "sin", "ni"}),
    "it": frozenset({"non", "mai", "niente", "nulla", "nessun", "nessuna", "senza"}),
}  # fmt: skip

# A phrase counts 1. Phrases of these scenarios are cancelled by a negation before them.
NEGATABLE = frozenset({Scenario.MINOR_DEFECT, Scenario.QUALITY_DEFECT, Scenario.FUNCTIONAL_FAULT})

# fmt: off
PHRASES: dict[Scenario, dict[str, list[str]]] = {
    Scenario.MINOR_DEFECT: {
        "en": [
            r"hairline", r"smudge",
            r"scratch(es|ed)?", r"scuff(s|ed)?", r"dent(s|ed)?", r"dinged", r"chip(ped)?",
            r"stain(s|ed)?", r"cosmetic", r"snag", r"threads? loose", r"loose threads?",
            r"crack(ed)?", r"(box|packaging|package|parcel) (was |is )?(\w+ )?"
            r"(crushed|damaged|dented|squashed|torn|wet|ripped|soaked|broken|open|opened)",
            r"(box|boxes|packaging|package|parcel) (\w+ ){0,3}(torn|soaked|ripped)",
            r"seal (was |is )?(already )?(broken|opened|open|missing)",
            r"(crushed|squashed|dented|damaged|torn|wet) (box|packaging|package)",
            r"(arrived|came|was delivered|showed up) damaged",  # Walmart's "Item arrived damaged"
            r"(small|tiny|light|minor) (mark|stain|scratch|dent|chip|flaw|defect)",
            r"bent", r"scraped?", r"marks", r"blemish(es)?", r"discolou?r(ed|ation)",
            r"small (tear|hole|crack|scuff|dent)",
            r"(slight|slightly|minor|little|tiny) (\w+ )?(scuff|scratch|mark|dent|chip|flaw"
            r"|blemish|imperfection|damage)", r"(only|purely|just) cosmetic", r"superficial",
        ],
        "de": [
            r"(haar)?riss", r"unschon",
            r"kratzer", r"macke", r"delle", r"abplatzer", r"abgeplatzt", r"angeschlagen",
            r"fleck", r"verbeult", r"eingedruckt", r"zerdruckt", r"sprung",
            r"(karton|verpackung|paket|schachtel) (war |ist )?(\w+ )?"
            r"(beschadigt|zerdruckt|eingedruckt|nass|eingerissen|verbeult)",
            r"verbogen", r"eingedellt", r"schramm(e|en)", r"schonheitsfehler", r"optisch",
            r"leichte[rn]? (\w+ )?(kratzer|schramme|delle|macke|fleck|beschadigung)",
            r"durchnasst", r"aufgeweicht", r"eingerissen",
        ],
        "fr": [
            r"fil qui depasse", r"accroc",
            r"rayures?", r"rayee?", r"eraflures?", r"bosses?", r"cabossee?", r"ecaillee?",
            r"taches?", r"petit eclat", r"felee?", r"fissuree?",
            r"defaut esthetique", r"(carton|colis|emballage|boite) (est |a ete )?(\w+ )?"
            r"(ecrase|abime|dechire|mouille|cabosse|endommage)e?",
            r"tordue?", r"enfoncee?", r"(petites|quelques) marques", r"defaut d aspect",
            r"legere?s? (\w+ )?(marque|rayure|bosse|trace|tache)", r"(purement |juste )?esthetique",
            r"eventree?",
        ],
        "es": [
            r"rasguno", r"rozadura",
            r"rayon(es)?", r"aranazos?", r"aranad[oa]", r"golpe(ad[oa])?", r"abollad[oa]",
            r"desconchad[oa]", r"desconchon", r"manch(a|ita)", r"marca en", r"rajad[oa]",
            r"(caja|embalaje|paquete) (llego |venia |un poco )?"
            r"(aplastad[oa]|chafad[oa]|abollad[oa]|rot[oa]|mojad[oa]|danad[oa])",
            r"doblad[oa]", r"hundid[oa]", r"marquitas?", r"defecto estetico",
            r"ligera (\w+ )?(marca|raya|abolladura|mancha)", r"(solo |puramente )?estetic[oa]",
        ],
        "it": [
            r"sbeccatur\w+", r"strappo", r"macchiolin\w+",
            r"graffi[oa]?", r"graffiat[oa]", r"ammaccat(ura|o|a)", r"scheggia(t[oa])?",
            r"macchi(a|etta)", r"segno", r"crepat[oa]", r"scrostat[oa]", r"filo tirato",
            r"difettino", r"difetto estetico",
            r"(scatola|imballo|confezione|pacco) (e |tutta |un po )?"
            r"(schiacciat[oa]|danneggiat[oa]|rovinat[oa]|bagnat[oa]|strappat[oa])",
            r"piegat[oa]", r"segnett[oi]", r"(qualche|piccoli) segni",
            r"(leggero|leggera|piccolo|piccola) (\w+ )?(segno|graffio|ammaccatura|macchia|difetto)",
            r"(solo |puramente )?estetic[oa]",
        ],
    },
    Scenario.FUNCTIONAL_FAULT: {
        "en": [
            r"is (this|that|it) normal", r"(im|i am) doing wrong",
            r"(cant|cannot|couldnt|unable to|dont know how to|not sure how to|how (do|can) i"
            r"|how to) (figure|pair|connect|set|get (it|them|the \w+) to|install|reset|use"
            r"|find how)",
            r"(?<!wrong )(?<!a )pair(ing)?(?! of)", r"set ?up", r"setup guide",
            r"install(ation)?", r"configur\w*",
            r"calibrat\w*", r"wifi", r"app", r"instructions", r"manual", r"error( code)?",
            r"[efp]\d{1,2}", r"reset", r"is there a (trick|video)", r"need help",
            r"did something wrong", r"what does (that|it|this|error)? ?(\w+ )?mean",
            r"missing", r"not included", r"(came|comes) without",
            r"no (screws|charger|remote|cable|hdmi cable|manual|instructions|filter|bracket)",
            r"spare (filter|part)", r"(isnt|wasnt|not) in the box", r"clogged",
            r"child lock", r"lock mode", r"turn (it )?off",
            r"is there a (setting|mode|lock|button)",
            r"what am i doing wrong", r"troubleshoot\w*", r"firmware", r"update",
            r"only \w+ of (the )?\w+ (legs|screws|parts|pieces)",
            r"no signal", r"plugged in", r"(does|do) (it|the \w+) need", r"(doesnt|does not) say",
            r"(washer|gasket|seal) (is )?missing",
            r"(keeps|kept) (on )?(getting |being )?(stuck|freezing|crashing|restarting"
            r"|rebooting|resetting|disconnecting|dropping)",
            r"freez(es|ing)", r"froze", r"crash(es|ing)?", r"(gets|got|is) stuck (on|at|in a)",
            r"(restarts|reboots|resets) (itself|by itself|on its own|randomly)",
            r"hangs", r"unresponsive", r"disconnects",
            r"(doing|did|do) (something|anything) wrong",
            r"(set|installed|put|plugged|connected|assembled|used) (it |them )?(up )?"
            r"(wrong|incorrectly)", r"user error",
            r"(werent|wasnt|were not|was not) included", r"(didnt|did not) come with",
            r"(charger|cable|adapter|batteries|remote|screws|power supply|plug|lid|strap|hose"
            r"|brush|nozzle|attachment|part)s? (is |are |was |were )?missing",
            r"[efp]\d{3}", r"(code|error|err) [a-z]? ?\d{1,3}", r"(blink|flash)(s|es|ing)",
            r"what does (the |this |that )?(code|error|light|symbol|message) mean",
            r"(battery|it) (was |is )?(flat|empty)",
            r"(charge|charged|charging) (it )?(first|fully)",
            r"adapt(er|or)", r"(uk|eu|us|european|american) (plug|socket|outlet)s?", r"voltage",
            r"wrong way (round|around)", r"upside down", r"backwards", r"diagram",
            r"no (\w+ )?batteries", r"batteries (were |are )?not included",
            r"(says|said|listed|listing) (that )?it comes with", r"(there was|there were) only",
            r"only (\w+ ){1,2}(were|was) in the box", r"(slot|compartment) (\w+ ){0,4}(was )?empty",
        ],
        "de": [
            r"ist (das|es) normal",
            r"verbinden", r"verbindet sich", r"koppeln", r"gekoppelt", r"einrichten",
            r"einrichtung", r"eingerichtet", r"wlan", r"app", r"bluetooth",
            r"(bedienungs)?anleitung", r"fehler ?(code|meldung)?", r"[efp]\d{1,2}",
            r"zurucksetzen", r"resett?e?n?", r"einstell(en|ung|ungen)", r"kalibriert",
            r"was (mache|habe) ich falsch", r"gibt es (da |dazu )?(einen trick|ein video)",
            r"brauche hilfe", r"fehl(t|en|te)", r"gefehlt",
            r"(war|waren) nicht (dabei|im paket|im karton|enthalten)", r"ersatzfilter",
            r"was (bedeutet|heisst) das", r"nicht im (karton|paket)", r"verstopft",
            r"kindersicherung", r"sperre", r"wie (\w+ ){0,2}(aus|ein)schalten",
            r"(de)?aktivieren",
            r"wie (geht|funktioniert|bedient|benutzt)", r"firmware", r"update",
            r"nur \w+ von \w+", r"bedienung",
            r"kein signal", r"muss (die|der|das) \w+ (immer|standig)", r"steht nirgends",
            r"dichtung fehlt",
            r"(geht|ging) (\w+ ){0,3}(nicht|nie) (mehr )?an",
            r"hangt sich (\w+ ){0,2}auf", r"aufgehangt", r"startet (\w+ ){0,3}neu", r"neustart",
            r"friert (\w+ ){0,2}ein", r"eingefroren", r"sturzt (\w+ ){0,2}ab",
            r"bleibt (\w+ ){0,3}hangen", r"reagiert (\w+ ){0,2}nicht", r"trennt (sich|die)",
            r"falsch (eingestellt|angeschlossen|eingerichtet|montiert|bedient|eingebaut)",
            r"(mache|mach) ich (\w+ )?(etwas |was )?falsch", r"bedienfehler",
            r"ohne (netzteil|ladegerat|ladekabel|kabel|fernbedienung|schrauben|anleitung|akku"
            r"|batterien)", r"nicht mitgeliefert", r"lag nicht bei",
            r"(code|fehler) [a-z]? ?\d{1,3}", r"blinkt", r"was bedeutet", r"akku (war |ist )?leer",
            r"adapter", r"stecker", r"steckdose", r"spannung", r"(falsch|verkehrt) herum",
            r"schema", r"zeichnung", r"\w+sperre",
            r"keine (batterien|akkus|fernbedienung|schrauben|anleitung|kabel|netzteil|ladegerat)",
        ],
        "fr": [
            r"c est normal", r"est ce normal",
            r"appairer", r"jumeler", r"(se )?connecter?", r"configurer", r"configuration",
            r"parametre", r"reglages?", r"wifi", r"appli(cation)?", r"bluetooth",
            r"notice", r"mode d emploi", r"tuto(riel)?", r"video", r"(code )?erreur",
            r"[efp]\d{1,2}", r"reinitialis\w+", r"calibr\w+",
            r"comment (on |je )?(fait|faire|reinitialise|configure|connecte|utilise)",
            r"je n arrive pas", r"besoin d aide", r"ca veut dire quoi", r"que veut dire",
            r"il manque", r"manquante?", r"n etait pas dans",
            r"pas de (chargeur|support|telecommande|vis|cable|filtre)",
            r"filtre de rechange", r"piece de rechange", r"pas dans (la boite|le carton)",
            r"bouchee?",
            r"verrouillage", r"securite enfant", r"(des)?activer", r"mise a jour",
            r"comment (ca marche|ca fonctionne|l utiliser)", r"il y a un (mode|reglage|bouton)",
            r"seulement \w+ \w+ sur \w+",
            r"pas de signal", r"doit rester", r"ecrit nulle part", r"joint .{0,20}manque",
            r"redemarre", r"redemarrage", r"se bloque", r"plante", r"(se )?fige", r"figee?",
            r"reste (coincee?|bloquee?)", r"ne repond plus", r"se deconnecte",
            r"mal (configure|regle|installe|branche|monte|parametre|utilise)e?",
            r"je (m y prends|fais quelque chose|fais qqch) (de travers|mal)",
            r"sans (chargeur|cable|adaptateur|telecommande|vis|notice|piles|batterie)",
            r"(pas|non) (fourni|inclus)e?s?",
            r"(code|erreur) [a-z]? ?\d{1,3}", r"clignot\w+", r"signifie",
            r"batterie (etait |est )?(vide|a plat)", r"adaptateur",
            r"prises? (murales?|electriques?)",
            r"tension", r"a l envers", r"schema", r"pas de (piles|batteries?)",
        ],
        "es": [
            r"es normal",
            r"emparejar(lo)?", r"conectar(lo)?", r"conecta", r"configurar(lo)?",
            r"configuracion", r"wifi", r"app", r"aplicacion", r"bluetooth",
            r"instrucciones", r"manual", r"(codigo de )?error", r"[efp]\d{1,2}",
            r"resetea(r)?", r"reiniciar", r"calibr\w+", r"como se", r"no consigo",
            r"no se como", r"necesito ayuda", r"que significa", r"algun truco",
            r"(algun )?video", r"faltan?", r"no (venia|viene|venian|vienen)",
            r"(filtro|pieza) de repuesto", r"no esta en la caja", r"atascad[oa]",
            r"bloqueo", r"(quitar|desactivar|activar)", r"actualizacion",
            r"como (funciona|se usa)", r"hay (algun|un) (bloqueo|modo|ajuste|boton)",
            r"solo (venian|venia|habia|hay) \w+ de",
            r"sin senal", r"tiene que estar", r"no lo pone", r"falta la arandela",
            r"se reinicia", r"se bloquea", r"se (queda )?(colgad[oa]|congelad[oa]|trabad[oa])",
            r"se cuelga", r"se congela", r"no responde", r"se desconecta",
            r"(configure|instale|conecte|monte|use|puse) mal",
            r"(hago|estoy haciendo|hice) algo mal",
            r"sin (cargador|cable|adaptador|mando|tornillos|manual|pilas|bateria)",
            r"no (trae|traia|incluye|incluia)",
            r"(codigo|error) [a-z]? ?\d{1,3}", r"luz (\w+ )?(parpadea|intermitente)",
            r"bateria (estaba |esta )?(descargada|vacia)", r"adaptador", r"enchufe", r"voltaje",
            r"al reves", r"esquema", r"sin pilas",
        ],
        "it": [
            r"e normale",
            r"associar(lo|e)", r"collegar(e|lo)", r"si collega", r"configurar(e|lo)",
            r"impostat[oa] male", r"impostazioni", r"wifi", r"app", r"bluetooth",
            r"istruzioni", r"manuale", r"(codice )?(di )?errore", r"[efp]\d{1,2}",
            r"resettare", r"si resetta", r"calibr\w+", r"come si", r"non riesco",
            r"mi serve aiuto", r"cosa (vuol dire|significa)", r"c e un trucco", r"video",
            r"manca(no)?", r"mancant[ei]", r"non (c )?era nella",
            r"(filtro|pezzo) di ricambio", r"non c e nella scatola", r"intasat[oa]",
            r"blocco", r"(dis)?attivare", r"aggiornamento", r"come (funziona|si usa)",
            r"c e un (blocco|modo|tasto|impostazione)", r"solo \w+ \w+ su \w+",
            r"nessun segnale", r"deve stare", r"non c e scritto", r"manchi",
            r"si riavvia", r"si blocca", r"continua a (bloccarsi|riavviarsi|disconnettersi)",
            r"si (e )?bloccat[oa]", r"si pianta", r"si impalla", r"non risponde",
            r"si disconnette",
            r"(impostat|installat|collegat|montat|configurat)[oaie] male",
            r"(sbaglio|sbagliando) qualcosa", r"(faccio|sto facendo|ho fatto) qualcosa"
            r" (di sbagliato|male)",
            r"senza (caricatore|cavo|alimentatore|telecomando|viti|manuale|istruzioni|batterie"
            r"|pile)", r"non (inclus|fornit)[oaie]",
            r"(codice|errore) [a-z]? ?\d{1,3}", r"lampeggi\w*", r"batteria (era |e )?scarica",
            r"adattatore", r"spina", r"tensione", r"al contrario", r"al rovescio", r"schema",
            r"non c (era|erano) (\w+ )?(pile|batterie|viti|caricatore|cavo|telecomando"
            r"|istruzioni|manuale)",
        ],
    },
    Scenario.SIZE_STYLE_MISMATCH: {
        "en": [
            r"colou?r (is )?(way |totally |completely |a bit |a little )?(off|different)",
            r"from the (pictures|photos|picture|photo)", r"(doesnt|does not) go with",
            r"too (small|big|large|tight|short|long|narrow|wide|loose|baggy)",
            r"runs (small|large|big)", r"size (up|down|bigger|smaller)",
            r"(half |one |a )?size (bigger|smaller)", r"(bigger|smaller|next) size",
            r"fit (is )?(weird|off|wrong|strange)", r"(doesnt|does not|didnt) fit",
            r"tight", r"pinch(es)?", r"swimming in it", r"toes hit",
            r"colou?r (is )?(off|different|wrong|darker|lighter)",
            r"(colou?r|tone) shade", r"(different|wrong|darker|lighter|brighter|duller|odd"
            r"|weird|strange|ugly) shade", r"shade (of (\w+ ){0,2})?(is |looks |seems )?"
            r"(much |a lot |way |a bit )?(off|different|wrong|darker|lighter|brighter|duller)",
            r"wrong colou?r",
            r"(darker|lighter) (\w+ )?than", r"dont like the (colou?r|shade|style|look)",
            r"swimming on", r"(wont|doesnt|does not) stay on", r"pop(s)? off",
            r"space at the (toe|heel)", r"listed as (black|white|grey|gray|blue|red|green|navy"
            r"|beige|brown|pink)",
            r"style (just )?isnt me", r"not my style", r"looks cheap on",
            r"exchange for (a |an )?(size|xl|xs|xxl|s|m|l)",
            r"than (in |on )?the (picture|photo|image)s?", r"slides? (right )?off", r"too loose",
            r"size chart", r"fits? (small|large|big)",
            r"(smaller|bigger|larger) than (i )?expected", r"(doesnt|does not) (go|fit) in",
            r"in (person|real life)",
            r"(not|isnt) flattering", r"unflattering", r"(doesnt|does not|didnt) suit",
            r"(smaller|bigger|larger|shorter|longer|darker|lighter) than (it )?(looked|appeared"
            r"|shown|pictured|advertised)",
        ],
        "de": [
           
            r"(total |ganz |vollig )?anders als (im|auf|in) (dem |der )?"
            r"(shop|bild|foto|bildern|fotos)",
            r"zu (klein|gross|eng|weit|kurz|lang|schmal|breit)",
            r"(fallt|fallen) (sehr |etwas |wohl )?(klein|gross) aus", r"passt nicht",
            r"passform", r"schnitt", r"sitzt (uberhaupt )?nicht", r"spannt",
            r"drucken (\w+ )?(an|am|vorne|hinten|an der|an den)",
            r"(nummer|grosse) (grosser|kleiner)", r"umtausch",
            r"farbe gefallt mir nicht", r"farbton", r"anders als auf dem (foto|bild)",
            r"(dunkler|heller) (\w+ )?als", r"(xs|s|m|l|xl) statt (xs|s|m|l|xl)",
            r"(viel |deutlich )(dunkler|heller|matter)", r"farblich",
            r"stossen (\w+ )?an",
            r"im vergleich zum (bild|foto)", r"als auf (dem|den) (bild|foto|bildern|fotos)",
            r"rutscht", r"zu locker", r"grossentabelle",
            r"(kleiner|grosser) als erwartet", r"passt nicht rein", r"in echt",
            r"steht mir (\w+ )?nicht", r"(farbe|grosse) (passt|stimmt) nicht",
            r"(kleiner|grosser|dunkler|heller) als (gedacht|abgebildet)",
        ],
        "fr": [
            r"rien a voir avec (la|les) photos?", r"jure avec",
            r"trop (petite?s?|grande?s?|serree?s?|large|courte?s?|longue?s?|etroite?s?)",
            r"taille (petit|grand)", r"pointure", r"taille (au dessus|en dessous|de plus)",
            r"serre", r"ne me va pas", r"la coupe",
            r"couleur (est )?(bien )?(plus )?(foncee|claire|differente)",
            r"plus (foncee?|claire?) que", r"ne me plait pas", r"style de la photo",
            r"tirent? (nettement )?sur (le|la|l)", r"meme (gris|bleu|blanc|noir|beige|couleur)",
            r"(teinte|nuance) (est |parait |semble )?(bien |beaucoup |trop |un peu )?(plus )?"
            r"(foncee|claire|differente|terne|vive)",
            r"echanger contre une taille",
            r"que sur (la|les) photos?", r"glisse", r"trop lache", r"guide des tailles",
            r"plus (petite?|grande?) que prevu", r"ne rentre pas", r"en vrai",
            r"met pas en valeur", r"(couleur|taille) ne (me )?(va|convient|correspond) pas",
            r"taille (mal|petit|grand)",
        ],
        "es": [
            r"no se parece (en )?nada", r"(me equivoque con|de) las medidas",
            r"queda (rar\w+|cort[oa]|larg[oa])",
            r"demasiado (pequen[oa]s?|grandes?|cort[oa]s?|larg[oa]s?|anch[oa]s?"
            r"|estrech[oa]s?|apretad[oa]s?)",
            r"(me|le) (queda|quedan|aprieta|aprietan)", r"talla (mas )?(grande|pequen[oa])",
            r"tallan? (pequen[oa]|grande)", r"(medio )?numero mas", r"el corte",
            r"no me queda bien", r"colou?r (es )?(mucho )?(mas )?(oscuro|claro|distinto)",
            r"mas (oscuro|claro) que", r"no me gusta el (color|tono)", r"no me convence",
            r"(tono|tonalidad) (es |parece )?(mucho |muy |demasiado |un poco )?(mas )?"
            r"(oscur[oa]|clar[oa]|distint[oa]|diferente|apagad[oa])",
            r"cambiarlo por una talla",
            r"que en (la|las) fotos?", r"se me (sale|cae)", r"guia de tallas",
            r"mas (pequen[oa]|grande) de lo que", r"no (me )?(entra|cabe)", r"en persona",
            r"no me favorece", r"no me sienta", r"(color|talla) no (me )?(sienta|queda|coincide)",
        ],
        "it": [
            r"troppo (piccol[oaie]|grand[ei]|strett[oaie]|larg[oaie]|cort[oaie]|lung[oaie])",
            r"vest[ei] (piccol[oa]|grande|strett[oa]|larg[oa])", r"calzano (piccole|grandi)",
            r"taglia (piu )?(grande|piccola)", r"numero in piu", r"vestibilita",
            r"stringono", r"tira sulle", r"(stretto|largo) in vita", r"corto di",
            r"colore (e )?(molto )?(piu )?(scuro|chiaro|divers[oa])", r"piu (scuro|chiaro)",
            r"(tonalita|tinta|sfumatura) (e |sembra )?(molto |troppo |un po )?(piu )?"
            r"(scura|chiara|diversa|spenta)",
            r"non mi piace", r"non mi convince", r"cambiarlo con una taglia",
            r"che in foto", r"che nelle? foto", r"mi scivola", r"guida alle taglie",
            r"piu (piccol[oa]|grande) di quanto", r"non (ci )?entra", r"dal vivo",
            r"non mi dona", r"non mi sta (bene|bene addosso)",
            r"mi sta (grande|piccol[oa]|strett[oa]|larg[oa]|male)",
        ],
    },
    Scenario.QUALITY_DEFECT: {
        "en": [
            r"disappointing", r"sheds",
            r"(stopped|quit) working", r"no (sound|power)", r"dead( on arrival)?", r"doa",
            r"broken?", r"broke", r"snapped", r"shattered", r"unusable",
            r"(falling|coming) apart", r"faulty", r"defective",
            r"(poor|bad|cheap|terrible|low) quality", r"junk", r"garbage", r"knock ?off",
            r"fake", r"counterfeit", r"false advertising", r"advertised as",
            r"listing says", r"not what i paid for", r"rip ?off", r"particle board",
            r"smel(ls?|t|led) (\w+ )?(like|of|awful|bad|terrible|horrible)", r"burning",
            r"overheat\w*",
            r"not safe", r"unsafe", r"dangerous",
            r"leak(s|ing)?", r"flicker(s|ing)?", r"goes black", r"pill(s|ing)",
            r"bled", r"seams", r"stitching", r"tried everything",
            r"died", r"came loose", r"wobbl\w+", r"rattl\w+", r"flimsy", r"(cheaply|poorly) made",
            r"supposed to be", r"claims", r"not waterproof", r"lasted (\w+ )?(day|days|week|weeks)",
            r"fell off", r"peeling", r"rust(ed|y)?", r"melted",
            r"came off",
            r"crackl(es|ing)", r"cuts? out", r"(gets|getting|runs|is) (really |very |too )?hot",
            r"(half|part|parts|some|one section|sections) (of )?(the )?(\w+ )?(wont|doesnt|dont"
            r"|does not|do not) (light|work)", r"(the )?(left|right) (one|earbud|side|ear|speaker)"
            r" (still )?works",
            r"hiss(es|ing)", r"buzz(es|ing)",
            r"(trips?|tripped|tripping|blows?|blew) (the |a |our |my )?(\w+ )?"
            r"(fuse|breaker|circuit breaker|rcd|gfci|electrics)",
            r"(wont|doesnt|does not|will not|no longer) hold (a )?charge", r"sparks?",
            r"smok(e|es|ing)", r"battery drains",
        ],
        "de": [
            r"enttausch\w+", r"fusselt",
            r"tot",
            r"(geht|ging) (\w+ ){0,3}nicht mehr\b(?! an\b)",
            r"defekt(es)?", r"kaputt", r"zerbrochen", r"gebrochen", r"abgebrochen",
            r"gerissen", r"zersprungen", r"scherben", r"unbrauchbar",
            r"(schlechte|miese|minderwertige|billige|billigste) (qualitat|verarbeitung)",
            r"minderwertig", r"schrott", r"falschung", r"nicht wie beschrieben",
            r"tauschung", r"abzocke", r"spanplatte", r"kunstleder", r"lauft aus",
            r"stinkt", r"verbrannt", r"brummt nur", r"flackert", r"knotchen",
            r"nahte (losen sich|gehen)", r"halt nur", r"statt der angegebenen",
            r"alles probiert",
            r"gestorben", r"kaputt gegangen", r"hat sich (\w+ )?gelost", r"wackelt", r"klappert",
            r"mist", r"angeblich", r"nicht wasserdicht", r"hielt nur", r"abgefallen",
            r"blattert", r"rostet", r"geschmolzen",
            r"geist aufgegeben", r"rauscht", r"knistert", r"brummt", r"wird (sehr |zu )?heiss",
            r"laut (beschreibung|angebot|artikelbeschreibung|produktbeschreibung|anzeige)",
            r"setzt (\w+ )?aus",
            r"(lost|loste) (\w+ ){0,3}(sicherung|fi|fi schalter) (\w+ )?aus",
            r"sicherung (fliegt|springt|ist) (\w+ )?raus",
            r"funken", r"raucht", r"qualmt",
        ],
        "fr": [
            r"decevante?", r"pas la qualite annoncee", r"s est aplatie?",
            r"en panne", r"hs", r"defectueu(x|se)",
            r"cassee?", r"a lache", r"brisee?", r"eclats partout", r"inutilisable",
            r"mauvaise qualite", r"qualite (nulle|mediocre|deplorable)", r"camelote",
            r"contrefacon", r"arnaque", r"(non|pas) conforme", r"agglomere", r"fuit",
            r"fuite", r"sent le (brule|plastique brule)", r"pue", r"dangereu(x|se)",
            r"scintille", r"devient noir", r"coutures", r"se defont",
            r"aucun son", r"j ai tout essaye",
            r"mort", r"s est desserree?", r"vibre", r"claque", r"soi disant", r"censee? etre",
            r"pas etanche", r"a tenu", r"se decolle", r"rouille", r"fondu", r"nul",
            r"(fait|font|a fait) sauter (les plombs|le disjoncteur|le differentiel)",
            r"disjoncte", r"etincelles?", r"(il )?fume",
            r"(s est |se )detachee?",
            r"gresille", r"chauffe (beaucoup|trop|enormement)", r"coupe (sans arret|tout le temps)",
            r"(selon|d apres) (la description|l annonce)", r"l annonce (dit|indique|parle)",
        ],
        "es": [
            r"decepcionante", r"suelta (pelusa|pelos?)",
            r"calidad (penosa|pesima|horrible|malisima)",
            r"dejo de funcionar",
            r"defectuos[oa]", r"rot[oa]", r"se rompio", r"anicos", r"inservible",
            r"mala calidad", r"porqueria", r"basura", r"imitacion", r"falso",
            r"falsificacion", r"timo", r"estafa", r"no es lo que pague", r"aglomerado",
            r"pierde agua", r"huele (a|fatal|mal)", r"quemado", r"peligros[oa]", r"parpadea",
            r"se queda en negro", r"costuras", r"se deshacen", r"probe otro",
            r"murio", r"se aflojo", r"vibra", r"hace ruido", r"supuestamente", r"se supone",
            r"dura (solo )?\w+ (dias|semanas)", r"se despega", r"oxidad[oa]", r"derretid[oa]",
            r"salta (el|los) (diferencial|automatico|plomos)", r"(hace|hizo) saltar",
            r"chispas?", r"echa humo",
            r"se (solto|suelta|salio)",
            r"chisporrotea", r"se corta", r"se calienta (mucho|demasiado)",
            r"segun (la descripcion|el anuncio)", r"el anuncio (dice|pone|habla)",
        ],
        "it": [
            r"scadent\w+", r"deludente",
            r"smesso di funzionare",
            r"guast[oa]", r"difettos[oa]", r"rott[oa]", r"si e rott[oa]", r"in frantumi",
            r"schegge", r"inutilizzabile", r"(pessima|scarsa|bassa) qualita",
            r"schifezza", r"falso", r"contraffatt[oa]", r"truffa", r"non conforme",
            r"truciolato", r"perde", r"puzza", r"bruciat[oa]", r"pericolos[oa]",
            r"sfarfalla", r"diventa nero", r"cuciture", r"si scuciono",
            r"non ha audio",
            r"e mort[oa]", r"si e allentat[oa]", r"vibra", r"fa rumore", r"dovrebbe essere",
            r"non e impermeabile", r"e durat[oa]", r"si stacca", r"arrugginit[oa]", r"sciolt[oa]",
            r"salta (il|la) (salvavita|corrente|differenziale)", r"fa saltare", r"scintill\w+",
            r"fa fumo",
            r"si e staccat[oa]",
            r"gracchia", r"fruscia", r"si scalda (molto|troppo)", r"si interrompe",
            r"secondo (la descrizione|l annuncio)", r"l annuncio (dice|parla)",
        ],
    },
    Scenario.CHANGED_MIND: {
        "en": [
           
            r"(i )?(picked|chose|selected|ticked|clicked) (\w+ )?(defective|damaged|quality"
            r"|not as described) but",
            r"lost interest", r"on impulse", r"shrink ?wrap",
            r"(dont|do not) have (the )?(room|space)", r"(havent|have not|never) (even )?opened",
            r"we have two",
            r"no longer (need|needed|want|wanted|required)",
            r"(dont|do not) (need|want) (it|this)( anymore)?", r"not needed",
            r"(found|is) (it )?(\$?\d+ )?cheaper", r"better price", r"already (has|have) one",
            r"bought (the same|two|2|twice)", r"by (mistake|accident)", r"accidentally",
            r"unopened", r"still sealed", r"not as useful",
            r"(not|no longer) needing", r"didnt need", r"no need for", r"decided (not|to)",
            r"cancel(l?ed)? (the |my |our )?(trip|event|plans|project)", r"bought (one )?elsewhere",
            r"already got one", r"on sale", r"half (the )?price",
            r"never used", r"unused", r"still (in|inside) (the |its )?(original )?(box|packaging)",
            r"(keep|keeping) my old one", r"no longer want", r"(dont|do not) want (it|this|them)",
            r"within (the )?(14|30) days", r"(right of|right to) (withdrawal|cancel\w*)",
            r"nothing (is )?wrong with (it|them|the \w+)", r"(bought|got) the same (one|thing|\w+)",
            r"impulse (buy|purchase)", r"regret", r"second thoughts",
            r"(no|not enough) (room|space) for",
        ],
        "de": [
            r"(nie|noch nicht|nicht) geoffnet", r"(noch )?in (der )?folie", r"keine lust mehr",
            r"(brauche|benotige) (ich )?(es |das |ihn |sie )?nicht mehr",
            r"nicht mehr (benotigt|gebraucht)", r"(billiger|gunstiger)",
            r"(hat|habe) schon (eins|einen|eine)", r"(doppelt|zweimal) bestellt",
            r"zu viel bestellt", r"widerruf", r"zurucktreten", r"originalverpackt",
            r"ungeoffnet", r"doch nicht so", r"will es nicht mehr",
            r"brauch(e)? ich doch nicht", r"doch nicht (gebraucht|benotigt|notig)", r"nicht notig",
            r"woanders gekauft",
            r"schon (einen|eine|eins) .{0,20}bekommen", r"halben preis",
            r"(jetzt|gerade|woanders|dort) im angebot",
            r"unbenutzt", r"nie benutzt", r"noch (original)?verpackt",
            r"(brauche|benotige) (\w+ ){0,2}nicht", r"will (es|ihn|sie|das) nicht",
            r"innerhalb von (14|30) tagen",
            r"nichts (dran|kaputt)",
            r"spontankauf", r"bereue", r"(keinen|kein|zu wenig) platz", r"kein bedarf",
            r"(dasselbe|das gleiche|den gleichen|die gleiche) (\w+ )?gekauft",
        ],
        "fr": [
            r"j ai coche", r"(offert|achete|eu) le meme",
            r"sous blister", r"(deja )?eu le meme", r"(avant de|sans) (le |les )?deballer",
            r"(jamais|pas) ouvert",
            r"plus besoin", r"plus l utilite", r"moins cher", r"meilleur prix",
            r"en a deja (un|une)", r"deux fois", r"retractation", r"toujours emballee?",
            r"pas aussi pratique",
            r"pas eu besoin", r"plus necessaire", r"pas besoin", r"achete ailleurs",
            r"deja (recu|eu) (un|une)", r"moitie prix", r"en promo",
            r"jamais (utilisee?|servie?)", r"(pas|non) utilisee?", r"encore (dans son|emballee?)",
            r"n en veux plus", r"(dans les|sous) (14|30) jours",
            r"rien a redire", r"achete (le|la) meme",
            r"achat (impulsif|compulsif|d impulsion)", r"regrette", r"pas de place",
        ],
        "es": [
            r"he (puesto|marcado|elegido) (\w+ ){0,2}pero",
            r"no (lo|la) he (abierto|usado)", r"(sin|ni) abrir", r"al final no",
            r"no (lo|la|los|las) he abierto",
            r"ya no (lo |la )?necesito", r"no me hace falta", r"mas barato",
            r"mejor precio", r"ya tiene (uno|una)", r"dos veces", r"sin querer",
            r"desistimiento", r"sin abrir", r"precintad[oa]", r"no es tan practico",
            r"no lo necesite", r"no me hizo falta", r"ya no hace falta", r"compre otro",
            r"ya (nos|me) regalaron", r"mitad de precio", r"rebajad[oa]",
            r"sin usar", r"nunca (usad[oa]|lo use)", r"(todavia|aun) en su caja",
            r"ya no (lo|la) quiero", r"(en|dentro de) (los )?(14|30) dias",
            r"no le pasa nada", r"compro (el|la|lo) mism[oa]",
            r"compra (impulsiva|compulsiva)", r"arrepient\w*|arrepenti\w*",
            r"no tengo (sitio|espacio)", r"ya no me interesa",
        ],
        "it": [
            r"ho (messo|scelto|selezionato) (\w+ ){0,2}ma non e vero",
            r"mai apert[oaie]", r"non (mi|ci) servono piu", r"annullat[oa]",
            r"preferisco il mio vecchio",
            r"non mi serve piu", r"non serve piu", r"(trovato|visto) a meno", r"piu economico",
            r"prezzo migliore", r"ce l ha gia", r"due volte", r"recesso",
            r"ancora sigillat[oa]", r"non e pratico",
            r"non mi e servit[oa]", r"non (mi )?serve", r"comprat[oa] altrove",
            r"gia regalat[oa]", r"(ce ne|me ne) hanno gia", r"meta prezzo", r"in offerta",
            r"mai usat[oa]", r"inutilizzat[oa]", r"ancora (nella|nel) (sua )?(scatola|confezione)",
            r"non (lo|la) voglio piu", r"ripensamento", r"ci ho ripensato",
            r"entro (i )?(14|30) giorni",
            r"niente da dire", r"comprato (lo|la) stess[oa]",
            r"acquisto (d impulso|impulsivo)", r"(mi sono|sono) pentit[oa]",
            r"non ho (spazio|posto)", r"non mi interessa piu",
        ],
    },
    Scenario.NOT_RECEIVED: {
        "en": [
           
            r"(tracking|status) (\w+ ){0,3}(stuck|frozen|not moving|hasnt (moved|updated|changed))",
            r"(signed|signature) (for )?by (someone|somebody|a name)", r"not my signature",
            r"where is (my|the) (order|package|parcel)", r"no package",
            r"lost", r"customs", r"returned to sender", r"late", r"where is my",
            r"tracking (says|hasnt|stuck)", r"still (waiting|dont have|havent)",
            r"mailroom",
            r"no sign of", r"(been|its been|it s been) \w+ (days|weeks)", r"stuck in transit",
            r"(hasnt|has not|didnt) (arrived|come|shown up|turned up)", r"misplaced",
            r"waiting for",
            r"(arrived|came|delivered) .{0,30}after (the|my|our)",
            r"out for delivery", r"nothing (has )?(came|come|arrived)",
        ],
        "de": [
            r"wo ist (mein|meine) (paket|packchen|bestellung|sendung|lieferung)",
            r"(nicht meine|keine) unterschrift", r"zustellung bestatigt", r"als zugestellt",
            r"(sendungsverfolgung|sendungsstatus|tracking) (\w+ ){0,3}"
            r"(hangt|steht|bewegt sich nicht)",
            r"verloren", r"zoll", r"zuruck an den absender", r"spat", r"verspatet",
            r"wo bleibt", r"warte (seit|immer noch)", r"immer noch (nicht da|auf)",
            r"sendungsverfolgung (hangt|seit)", r"kein paket",
            r"keine spur", r"seit \w+ (tagen|wochen)", r"verschlampt", r"verschollen",
            r"noch nicht (da|angekommen|geliefert)",
            r"(kam|geliefert|angekommen) .{0,30}nach (der|dem|den)",
            r"in zustellung", r"kam nichts", r"noch nichts",
        ],
        "fr": [
            r"(suivi|statut) (\w+ ){0,2}(bloque|fige|n a pas bouge)", r"j attends",
            r"(statut|indique|marque|affiche) livre", r"j ai (jamais )?rien (recu|eu)",
            r"personne (n )?a signe", r"remis en main propre",
            r"ou (est|il est|elle est) (ma commande|mon colis|passe)",
            r"perdu", r"douane", r"retourne a l expediteur", r"en retard",
            r"ou est ma commande", r"toujours pas", r"le suivi (indique|n a pas)",
            r"aucune trace", r"ca fait \w+ (jours|semaines)", r"egare", r"toujours rien",
            r"pas (encore )?(arrive|livre)",
            r"(arrivee?|livree?) .{0,30}apres (l|la|le|les|mon|ma)",
            r"en cours de livraison", r"rien n est arrive",
        ],
        "es": [
            r"(seguimiento|estado) (\w+ ){0,2}(sigue igual|parado|no se mueve|no avanza)",
            r"en transito", r"hace \w+ (dias|semanas) que", r"sobre vacio",
            r"nunca (las|los|lo|la) recibi", r"nadie (ha )?firmado",
            r"perdido", r"aduanas?", r"al remitente", r"tarde", r"donde esta mi",
            r"todavia no", r"sigo sin", r"seguimiento (dice|no se mueve)",
            r"ni rastro", r"\w+ semanas (y|sin)", r"sin noticias", r"extraviad[oa]",
            r"no (ha )?llegado", r"todavia nada",
            r"(llego|entregado) .{0,30}despues (de|del)",
            r"en reparto", r"no ha venido", r"nada aun",
        ],
        "it": [
            r"(tracciamento|tracking) (\w+ ){0,2}fermo", r"sono passat[ei] \w+ (giorni|settimane)",
            r"dov e finito", r"sparit[oa]", r"non l ho (mai )?vist[oa]", r"consegnato con firma",
            r"nessuno (ha )?firmato",
            r"pers[oa]", r"dogana", r"al mittente", r"in ritardo", r"dov e il mio",
            r"ancora non", r"tracking (dice|e fermo)",
            r"nessuna traccia", r"sono \w+ (giorni|settimane)", r"smarrit[oa]",
            r"non (e )?(ancora )?arrivat[oa]", r"ancora niente",
            r"(arrivat[oa]|consegnat[oa]) .{0,30}dopo (la|il|l|le|i)",
            r"in consegna", r"ancora nulla",
        ],
    },
    Scenario.WRONG_ITEM: {
        "en": [
            r"wrong (item|product|model|article|version)",
            r"different (product|brand|item|model)", r"someone else s order",
            r"(two|2) left",
            r"(totally|completely|entirely) different",
            r"not the (product|item|one) (in|from|on) the",
            r"(my|the) order was", r"you (shipped|sent) me",
            r"mix(ed)? ?up", r"packed the wrong", r"(wrong|different) (one|thing|unit) (was )?"
            r"(sent|shipped|packed|delivered)",
        ],
        "de": [
            r"falsch (verpackt|eingepackt)",
            r"falsche[rs]? (artikel|modell|produkt)", r"falsch (verschickt|geliefert)",
            r"anderes modell", r"andere[nr]? marke", r"etwas (vollig |ganz )?anderes",
            r"fremde bestellung", r"no name",
            r"(ein|eine|einen) andere[ns]? (modell|artikel|produkt)",
            r"(ganz|vollig|komplett) andere", r"nicht das produkt", r"bestellt war",
            r"verwechs\w+", r"vertauscht",
            r"(das|den|die) falsche[n]? (\w+ )?(geschickt|geliefert|eingepackt|verschickt)",
        ],
        "fr": [
            r"mauvais (article|modele|produit)", r"autre marque", r"pas le bon",
            r"quelqu un d autre",
            r"(toute|tout|completement) autre", r"pas (du tout )?le (produit|modele)",
            r"j avais (pris|choisi)", r"(un|une) autre (modele|article|produit)",
            r"(erreur|inversion) de (colis|commande|produit|article|preparation)",
            r"(on m a|vous m avez|ils m ont) envoye (un|une) autre",
            r"(se sont|vous vous etes) trompee?s?",
        ],
        "es": [
            r"(modelo|producto|articulo) distinto",
            r"(articulo|modelo|producto) equivocad[oa]", r"otra marca",
            r"otra persona", r"(totalmente|completamente) distinto",
            r"completamente diferente", r"no es (para nada )?el producto",
            r"otro (modelo|articulo|producto)",
            r"(me han|me habeis|me enviaron|me mandaron) (enviado |mandado )?otr[oa]",
            r"(se han|os habeis) (confundido|equivocado)", r"confusion",
        ],
        "it": [
            r"(articolo|modello|prodotto) sbagliat[oa]", r"altra marca",
            r"qualcun altro", r"(completamente|totalmente) divers[oa]",
            r"non e quello giusto",
            r"non e (per niente )?il prodotto", r"avevo ordinato",
            r"altro (modello|articolo|prodotto)",
            r"(mi avete|mi hanno) (mandato|inviato|spedito) (un|una) altr[oa]",
            r"(avete|hanno) sbagliato", r"scambiat[oa]",
        ],
    },
}

# fmt: on

# Phrases that settle the case on their own: they count 2, and nothing cancels them.
# fmt: off
DECISIVE_PHRASES: dict[Scenario, dict[str, list[str]]] = {
    Scenario.MINOR_DEFECT: {
        "en": [
            r"everything else (is )?(ok|okay|fine|perfect|great)",
            r"(nobody|no one) (sees|will see|notices)",
            r"still (works|usable|functional|working)", r"(but|otherwise|still) (it )?works",
            r"works (fine|perfectly|ok|well)", r"undamaged", r"intact",
            r"(item|product|contents?|it) (inside |itself )?(is |are |seems )?"
            r"(fine|ok|okay|intact|undamaged)",
            r"not worth (sending|returning|the hassle)", r"partial refund", r"compensation",
            r"keep it if", r"fine to (hang|use)", r"seems ok", r"not a big deal",
            r"otherwise (perfect|fine|good|great|ok)", r"all good otherwise",
            r"apart from (that|this) (it s )?(fine|ok|perfect|great)",
            r"(doesnt|does not) affect (use|the use|how it works)", r"barely noticeable",
            r"(hardly|barely) (visible|noticeable)", r"discount", r"keep(ing)? it (but|if|anyway)",
            r"a little (money|bit) back",
        ],
        "de": [
            r"(steht|halt|sitzt|lauft) (aber )?(stabil|gut|fest)",
            r"alles andere (ist )?(gut|ok|perfekt|top|in ordnung)",
            r"(funktioniert|geht|lauft) (es |sie |er )?(aber|trotzdem|einwandfrei)",
            r"(sonst|ansonsten) (ok|in ordnung|einwandfrei|lauft|funktioniert)",
            r"noch (benutzbar|nutzbar|brauchbar)",
            r"kann man (aber )?(noch|trotzdem) (benutzen|aufhangen|verwenden)",
            r"unbeschadigt", r"heil", r"zum gluck ok", r"nachlass", r"gutschrift",
            r"teilerstattung", r"lohnt sich nicht", r"schicke ich (das |es )?nicht zuruck",
            r"nix wildes", r"nicht schlimm",
            r"(ansonsten|sonst) alles (gut|ok|top|in ordnung|prima)",
            r"stort (aber )?(nicht|kaum)", r"beeintrachtigt (die funktion )?nicht",
            r"funktion ist (\w+ )?(einwandfrei|tadellos|in ordnung)",
            r"kaum (sichtbar|zu sehen)", r"rabatt", r"behalte (es|ihn|sie)",
        ],
        "fr": [
            r"(tout )?le reste (est )?(parfait|nickel|ok|impeccable|bien)",
            r"(marche|fonctionne) (quand meme|tres bien|bien|parfaitement)",
            r"sinon (elle |il )?(marche|fonctionne)", r"reste utilisable", r"intacte?",
            r"en bon etat", r"geste commercial", r"remboursement partiel",
            r"(ne vaut pas|ca ne vaut pas) le coup", r"je ne vais pas (le |la )?renvoyer",
            r"rien de grave", r"ne gene pas",
            r"a part ca tout (va bien|est bien|est ok|est parfait)",
            r"sinon (tout est|c est) (parfait|bien|ok|nickel)",
            r"a peine visible", r"reduction", r"je (le|la) garde",
        ],
        "es": [
            r"(todo )?lo demas (esta )?(perfecto|bien|ok)", r"(va|queda) bien pero",
            r"(funciona|funcionan) (bien|perfectamente|igual)", r"pero funciona",
            r"por lo demas funciona", r"se puede (usar|colgar)", r"intact[oa]",
            r"(producto|articulo|aparato) (en si )?esta bien", r"enter[oa]", r"descuento",
            r"reembolso parcial",
            r"no merece la pena", r"no (lo|la) voy a devolver", r"nada grave",
            r"no pasa nada",
            r"por lo demas (todo )?(perfecto|bien|ok)", r"no molesta",
            r"casi no se ve", r"rebaja", r"me (lo|la) quedo",
        ],
        "it": [
            r"tutto il resto (e )?(ok|perfetto|a posto|bene)",
            r"ma funziona", r"funziona (benissimo|bene|lo stesso|perfettamente)",
            r"per il resto funziona", r"comunque utilizzabile", r"si puo (usare|appendere)",
            r"integr[oa]", r"a posto", r"rimborso parziale", r"sconto", r"piccolo rimborso",
            r"non (la |lo )?rimando", r"non vale la pena", r"niente di grave",
            r"per il resto (tutto )?(ok|bene|perfetto|a posto)", r"non da fastidio",
            r"si vede appena", r"sconticino", r"(lo|la) tengo",
        ],
    },
    # Set-up help; and what the buyer did to it, or the one part they ask for: the fault
    # is real, but a part or a guide answers it, not a refund for a defective product.
    Scenario.FUNCTIONAL_FAULT: {
        "en": [
            r"(dont|do not) know how", r"not sure how", r"(cant|couldnt) figure",
            r"(needed|needs|had) to be charged",
            r"(my|our) (own )?(fault|bad)", r"(i|we|kids?|son|daughter) (accidentally )?"
            r"(dropped|knocked|spilled|overloaded|overfilled|overtightened|forced)",
            r"(used|using|plugged into|put in) (the |a )?wrong (charger|setting|program|programme"
            r"|mode|voltage|cable|adapter|detergent|temperature|socket|outlet)",
            r"(replacement|spare|new) (part|lid|knob|handle|cable|charger|remote|filter|blade"
            r"|battery|hinge|strap|screw|bracket|leg|wheel|button|cap|seal|nozzle|hose)s?",
            r"send (me |us )?(just )?(a |the |another )?(new|replacement|spare) \w+",
        ],
        "de": [
            r"weiss nicht wie", r"was mache ich falsch", r"musste erst",
            r"(meine|mein|unsere|unser) (eigene[rs]? )?(schuld|fehler)",
            r"(mir|uns) (\w+ ){0,2}(runter|herunter|hin)gefallen",
            r"(habe|hab|haben) (\w+ ){0,2}fallen lassen",
            r"falsche[ns]? (ladegerat|ladekabel|netzteil|einstellung|programm|modus|kabel"
            r"|spannung|steckdose|waschmittel) (\w+ ){0,2}(benutzt|verwendet|genommen|gewahlt)",
            r"ersatzteil\w*", r"(einen |eine |ein )?neue[nrs]? (deckel|griff|knopf|kabel|akku"
            r"|filter|fuss|rad|teil|scharnier|fernbedienung|ladegerat|dichtung) (\w+ )?"
            r"(schicken|senden|zuschicken|bekommen|nachschicken)",
        ],
        "fr": [
            r"ne sais pas comment", r"je n arrive pas a",
            r"(de )?ma (propre )?faute", r"(je l ai|j ai|je l|je) (fait|fais) tomber",
            r"(utilise|branche|mis) (le |la |un |une )?(mauvais|mauvaise) (chargeur|reglage"
            r"|programme|mode|cable|tension|prise|adaptateur)",
            r"(couvercle|poignee|bouton|piece|filtre|cable|chargeur|charniere|joint|pied|roue)"
            r" de rechange", r"pieces? detachees?",
        ],
        "es": [
            r"no se como", r"no consigo",
            r"(fue )?culpa mia", r"se me (cayo|callo|rompio)", r"(dejado|deje) caer",
            r"(use|puse|enchufe|conecte) (un |el |una |la )?(cargador|ajuste|programa|modo"
            r"|cable|enchufe|adaptador) equivocad[oa]",
            r"(tapa|asa|boton|pieza|cable|cargador|filtro|bisagra|junta|pata|rueda|mando)"
            r" de (repuesto|recambio)", r"(recambio|repuesto) de",
        ],
        "it": [
            r"non so come", r"non riesco a",
            r"(e )?colpa mia", r"mi e (caduto|caduta|scivolato|scivolata)",
            r"(l ho|ho|l abbiamo|abbiamo) fatto cadere",
            r"(usato|messo|collegato) (il |la |un |una )?(caricatore|programma|modalita|cavo"
            r"|adattatore|presa) sbagliat[oa]",
            r"(coperchio|manico|tasto|pezzo|filtro|cavo|caricatore|cerniera|guarnizione|piedino"
            r"|ruota|telecomando) di ricambio", r"ricambio",
        ],
    },
    Scenario.SIZE_STYLE_MISMATCH: {},
    # Not set-up: the buyer says so, or already did what a guide would ask.
    Scenario.QUALITY_DEFECT: {
        "en": [
            r"not a setup issue", r"not user error",
            r"even (after|when|with) (\w+ )?(charging|charged|resetting|a reset|restarting"
            r"|updating|a new|another|trying)",
            r"tried (\w+ )?(another|a different|other|a new) (cable|charger|outlet|socket|plug"
            r"|battery|batteries|adapter)",
        ],
        "de": [
            r"kein bedienfehler",
            r"(auch|selbst) nach (dem )?(laden|aufladen|reset|zurucksetzen|neustart)",
            r"(andere[ns]?|neue[ns]?) (kabel|ladegerat|steckdose|akku|batterien) (\w+ )?"
            r"(probiert|versucht|getestet)",
        ],
        "fr": [
            r"pas un probleme de reglage",
            r"meme apres (l avoir |avoir )?(charge|recharge|reinitialise|redemarre)",
            r"(essaye|teste) (un autre|une autre|d autres|avec un autre) (cable|chargeur|prise)",
        ],
        "es": [
            r"no es (un )?problema de configuracion",
            r"(incluso|aun) despues de (cargarlo|cargarla|resetearlo|reiniciarlo|cargar)",
            r"probe (con )?otro (cable|cargador|enchufe)",
        ],
        "it": [
            r"non e un problema di impostazioni",
            r"anche dopo (averlo |averla )?(caricato|caricata|resettato|riavviato|carica)",
            r"provato (con )?(un altro|un altra|altra|altro) (cavo|caricatore|presa)",
        ],
    },
    Scenario.CHANGED_MIND: {
        "en": [
            r"changed my mind", r"change of mind", r"ordered (this |it )?(by mistake"
            r"|accidentally)", r"ordered (the )?wrong", r"(dont|do not) need it anymore",
            r"dont want it",
        ],
        "de": [
            r"anders uberlegt", r"aus versehen", r"versehentlich",
            r"falsche \w+ bestellt",
        ],
        "fr": [
            r"change d avis", r"par erreur", r"n en ai (juste )?plus (besoin|l utilite)",
            r"trompee? de",
        ],
        "es": [r"cambiado de opinion", r"cambie de opinion", r"por error", r"me equivoque de"],
        "it": [r"cambiato idea", r"per errore", r"per sbaglio", r"ho sbagliato"],
    },
    Scenario.NOT_RECEIVED: {
        "en": [
            r"never (arrived|received|got|came|showed up|delivered|turned up)",
            r"(not|havent|hasnt|didnt|have not) (yet )?(received|arrived|been delivered"
            r"|got)", r"too late", r"empty box", r"nothing (was )?inside",
            r"still dont have", r"says delivered",
        ],
        "de": [
            r"nie (\w+ )?(angekommen|erhalten|bekommen|geliefert)",
            r"nicht (bei mir )?(angekommen|erhalten|zugestellt)",
            r"nichts (angekommen|bekommen|erhalten)", r"(viel )?zu spat",
            r"leere[nr]? karton", r"nichts drin",
        ],
        "fr": [
            r"jamais (rien )?(recu|arrive|livre)", r"(rien|pas) recu", r"trop tard",
            r"carton vide", r"rien dedans", r"jamais arrive",
        ],
        "es": [
            r"nunca (me )?(llego|recibi|ha llegado)", r"no (he recibido|me ha llegado|recibi)",
            r"no (lo |la )?recibi", r"caja vacia", r"nada dentro", r"llego tarde",
            r"recibi nada",
        ],
        "it": [
            r"mai (arrivat[oa]|ricevut[oa]|consegnat[oa])",
            r"non (ho )?(ancora )?ricevuto", r"troppo tardi", r"scatola vuota",
            r"non c era niente",
        ],
    },
    Scenario.WRONG_ITEM: {
        "en": [
            r"(sent|shipped|gave) (me )?.{0,40}(i|we) (ordered|bought|paid for|selected)",
            r"not what i ordered", r"(sent|received|got|shipped) (me )?(the |a )?wrong",
            r"wrong item", r"i ordered .{0,40}(received|got|sent|tag says)",
            r"(sent|received|got|shipped|delivered|came|arrived|contained|gave me|box had)"
            r" .{0,40}instead of",
            r"instead of (the |a |an |my )?.{0,30}(i|we) (ordered|bought|paid for|purchased)",
            r"(isnt|is not|wasnt|was not) the (\w+ ){0,2}(i|we) (ordered|bought|purchased"
            r"|paid for|selected|chose)",
            r"different \w+ (than|from) (what |the one )?(i|we) (ordered|bought|selected)",
            r"(isnt|wasnt|is not|was not|not even) what (i|we) (ordered|bought|paid for|chose)",
            r"(doesnt|does not|didnt|did not) match (my|the|our) order",
            r"(box|package|parcel) (had|contained|held) (a |an )?(different|another|other)",
            r"but (i|we) (had )?(ordered|bought|paid for|selected|chose)",
            r"(received|got) .{0,60}i ordered", r"(you|they) sent .{0,40}i paid for",
            r"contained .{0,40}i (bought|ordered)",
        ],
        "de": [
            r"ich hatte (\w+ ){0,3}(bestellt|gekauft)",
            r"falscher artikel", r"nicht (der|das|die) (artikel|was|produkt)",
            r"(geliefert|geschickt|bekommen|erhalten|kam|verschickt|im paket) .{0,40}"
            r"(statt|anstatt)",
            r"(statt|anstatt) .{0,40}(bestellt|gekauft|bestellten)",
            r"nicht (das|der|die|den) (\w+ ){0,2}(das|den|die|der|was) ich (bestellt|gekauft)",
            r"nicht meine bestellung", r"(statt|anstatt) (der|des|dem|den) bestellten",
            r"bestellt .{0,40}(bekommen|erhalten|geliefert|war aber)",
            r"geliefert wurde", r"geschickt wurde",
            r"(im paket|im karton|in der schachtel) (war|lag) .{0,60}(gekauft|bestellt)",
            r"bestellt hatte ich",
            r"(aber|obwohl) ich (\w+ ){0,4}(bestellt|gekauft) (habe|hatte)",
            r"entspricht nicht (meiner|der) bestellung",
            r"falsche[nrs]? (\w+ )?(geliefert|geschickt|bekommen|erhalten)",
            r"hatte (die|den|das) .{0,20}(gekauft|bestellt)",
        ],
        "fr": [
            r"j avais commande", r"commandee?s? en .{0,40}(livree?s?|recue?s?) en",
            r"au lieu d.{0,40}(j ai )?recu",
            r"pas ce que j ai commande",
            r"(envoye|recu|livre|arrive|expedie|eu|contenait|colis) .{0,40}au lieu d",
            r"au lieu d.{0,40}(commande|achete|choisi)",
            r"(n est|c est) pas (le|la|l|celui|celle) (\w+ ){0,2}(que )?(j ai|j avais) "
            r"(commande|achete|choisi)",
            r"command(e|ee) .{0,40}recu", r"recu .{0,40}commande", r"envoye la version",
            r"contenait .{0,60}(achete|commande)", r"j avais achete",
            r"(correspond|conforme) pas a (ma|la) commande",
            r"(alors que|mais) j (ai|avais) commande",
        ],
        "es": [
            r"yo pedi",
            r"no es lo que pedi",
            r"(enviaron|enviado|mandaron|mandado|recibi|llego|llegado|entregaron|vino|venia)"
            r" .{0,40}en (lugar|vez) de", r"en (lugar|vez) de.{0,40}(pedi|compre|pedido)",
            r"no es (el|la|lo) (\w+ ){0,2}que (pedi|compre|habia pedido|encargue)",
            r"pedi .{0,40}(llego|llegado|recibi"
            r"|mandaron|enviaron)", r"(llego|recibi) .{0,60}pedi", r"no es el que pedi",
            r"enviaron la version",
            r"venia .{0,60}(compre|pedi|pedido)", r"compre la version",
            r"no (corresponde|coincide) con (mi|el) pedido",
            r"(pero|cuando) (yo )?(pedi|habia pedido|compre)",
        ],
        "it": [
            r"io (ho|avevo) (comprato|ordinato)",
            r"non e quello che ho ordinato",
            r"(mandato|inviato|spedito|ricevuto|arrivat[oa]|consegnat[oa]|c era) .{0,40}"
            r"al posto d", r"al posto d.{0,40}(ordinat[oa]|comprat[oa]|scelt[oa])",
            r"non e (il|la|l|quello|quella) (\w+ ){0,2}che (ho|avevo) (ordinato|comprato"
            r"|scelto)",
            r"ordinat[oa] .{0,40}(arrivat[oaie]|ricevut[oaie]|mandat[oaie])",
            r"(arrivat[oa]|ricevut[oa]) .{0,60}(avevo|ho) ordinato",
            r"mandato la versione",
            r"c era .{0,60}(comprato|ordinato)", r"avevo comprato",
            r"non corrisponde (al mio|all) ordine",
            r"(ma|mentre) (io )?(ho|avevo) (ordinato|comprato)",
        ],
    },
}
# fmt: on

# Functioning verbs: after a negation ("doesn't work", "won't pair", "ne s'allume pas",
# "non si accende", "no enciende", "geht nicht an") they are the fault itself, so they
# count 1 when negated and nothing otherwise: a product that does not work at all is a
# quality defect; one that does not connect or pair is a functional fault (set-up first).
# fmt: off
FUNCTIONS: dict[Scenario, dict[str, list[str]]] = {
    Scenario.QUALITY_DEFECT: {
        "en": [r"work(s|ed|ing)?", r"function(s|ed|ing)?"],
        "de": [r"funktionier\w*", r"lauft", r"laufen", r"lief"],
        "fr": [r"fonctionne", r"marche"],
        "es": [r"funciona"],
        "it": [r"funziona"],
    },
    Scenario.FUNCTIONAL_FAULT: {
        "en": [
            r"respond(s|ed|ing)?", r"connect(s|ed|ing)?", r"pair(s|ed|ing)?",
            r"sync(s|ed|ing|hroni[sz]e)?",
            r"recogni[sz](e|es|ed|ing)", r"detect(s|ed|ing)?", r"link(s|ed|ing)?",
        ],
        "de": [
            r"verbindet", r"verbinden", r"verbunden", r"koppelt", r"koppeln", r"gekoppelt",
            r"erkennt", r"erkannt", r"synchronisiert\w*",
        ],
        "fr": [
            r"(se )?connecte", r"appaire", r"jumel\w*", r"reconnait", r"detecte",
            r"synchronise",
        ],
        "es": [
            r"(se )?conecta\w*", r"empareja\w*", r"vincula\w*", r"reconoce", r"detecta",
            r"sincroniza\w*",
        ],
        "it": [
            r"(si )?collega\w*", r"(si )?connette", r"associa\w*", r"abbina\w*",
            r"riconosce", r"rileva", r"sincronizza\w*",
        ],
    },
}

# Verbs of powering up, negated: a product that does not (or no longer) switches on,
# charges, starts or heats is a functional fault first: charging it, a switch, a plug or
# a reset often answers it, and a part or a return follows if not. ("Stopped charging"
# alone is read as nothing: a failure in use or a flat battery, the code decides.)
POWER: dict[str, list[str]] = {
    "en": [
        r"(turn|switch|power)(s|ed|ing)? (it )?(on|up)", r"boot(s|ed|ing)?",
        r"start(s|ed|ing)?( up)?", r"(re)?charg(e|es|ed|ing)", r"heat(s|ed|ing)?( up)?",
        r"spin(s|ning)?", r"light(s|ed|ing)? up", r"run(s|ning)?", r"cool(s|ed|ing)?",
    ],
    "de": [
        r"ladt", r"laden", r"aufladen", r"aufzuladen", r"geladen", r"startet", r"starten",
        r"schaltet", r"(ein|an)(zu)?schalten", r"heizt", r"heizen", r"springt", r"leuchtet",
        r"dreht",
    ],
    "fr": [
        r"s allume(r)?", r"allume(r)?", r"demarre(r)?", r"(re)?charge(r)?", r"chauffe(r)?",
        r"tourne(r)?",
    ],
    "es": [
        r"(se )?enciende", r"encender(se)?", r"prende(r)?", r"arranca(r)?", r"carga(r)?",
        r"calienta", r"calentar", r"gira(r)?", r"suena", r"sonar",
    ],
    "it": [
        r"(si )?accende", r"accender(e|si)", r"avvia(re|rsi)?", r"(ri)?carica(re|rsi)?",
        r"scalda(re)?", r"gira(re)?", r"suona(re)?", r"(si )?illumina",
    ],
}

# A product that switches itself off or stops mid-use: set-up help (a setting, a charge, a
# compatible pot) as much as a defect, so it counts 1 for each and the rest decides; beside
# a breakage the buyer names it is that defect's symptom.
SWITCHES_OFF: dict[str, list[str]] = {
    "en": [
        r"shuts? (itself )?off", r"(switch(es)?|turns?) (itself )?off (by itself|on its own"
        r"|randomly)", r"(just )?stops after",
    ],
    "de": [r"geht (\w+ ){0,2}(von selbst )?aus", r"schaltet sich (\w+ ){0,2}ab"],
    "fr": [r"s arrete", r"s eteint"],
    "es": [r"se apaga", r"se para"],
    "it": [r"si spegne", r"si ferma"],
}

# Where a negation sits around a functioning verb: {neg} the language's `NEGATIONS`, {verb}
# the functioning verbs; a few words between, none that starts another clause.
NEGATED: dict[str, list[str]] = {
    "en": [r"(?:{neg}|no longer|fails? to|failed to|unable to) (?:\w+ ){{0,2}}?(?:{verb})"],
    # "lädt nicht mehr", "schaltet sich nicht ein"; "lässt sich nicht einschalten"
    "de": [
        r"(?:{verb}) (?:(?!und |aber |oder |sondern |ist |war )\w+ ){{0,4}}?"
        r"(?:nicht|nie|niemals|nichts)\b",
        r"(?:nicht|nie|niemals) (?:mehr )?(?:\w+ ){{0,2}}?(?:{verb})",
    ],
    # "ne s'allume pas", and spoken French without "ne": "s'allume pas", "charge plus"
    "fr": [
        r"(?:ne|n) (?:\w+ ){{0,2}}?(?:{verb})",
        r"(?:{verb}) (?:\w+ )?(?:pas|plus|jamais)",
    ],
    "es": [r"(?:{neg}|ya no) (?:\w+ ){{0,2}}?(?:{verb})"],
    "it": [r"(?:{neg}) (?:\w+ ){{0,2}}?(?:{verb})"],
}
# fmt: on
