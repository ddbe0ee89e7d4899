package templates

// german is the German keyword table, with the same topic keys and aspects
// as english: Load checks that reply/de.tmpl has a "de/topic/<topic>" and a
// "de/praise/<aspect>" phrase for each. German builds compounds, so many
// entries match by prefix ("wartezeit*" for "Wartezeiten"). Some everyday
// words are left out on purpose: "Gericht" is a dish far more often than a
// court, "laut" also means "according to", and "guten" opens "Guten Tag".
var german = compile(lexiconSpec{
	strong: map[string][]string{
		"wait": {
			"wartezeit*", "warteten", "wartete", "gewartet", "lange gewartet", "lange warten",
			"mussten warten", "musste warten", "warten mussten", "warten lassen", "ließ uns warten",
			"ließen uns warten", "warten", "minuten warten", "stunde warten",
			"minuten auf das essen", "minuten auf die", "minuten auf den", "minuten auf unser",
			"stunde auf das", "stunde auf die", "stunde auf den", "stunde auf unser", "ewig", "ewigkeit",
			"eine ewigkeit", "langsam", "langsame", "langsamer", "langsamen", "langsames",
			"schleppend*", "dauerte ewig", "dauerte lange", "hat ewig gedauert", "zu lange",
			"viel zu lange", "schlange", "anstehen", "angestanden", "über eine stunde",
			"stunde gewartet", "langsamer service",
		},
		"staff/rude": {
			"unfreundlich*", "unhöflich*", "unhoeflich*", "frech*", "respektlos*", "arrogant*",
			"herablassend*", "pampig*", "patzig*", "schnippisch*", "unverschämt*", "rotzig*",
			"grob", "barsch", "genervt", "angeschrien", "angeschnauzt", "angemotzt", "angepampt",
			"uns ignoriert", "mich ignoriert", "ignorierte uns", "ignorierte mich",
			"augen verdreht", "schlechte laune", "miese laune", "unprofessionell*",
			"nicht freundlich", "wenig freundlich", "alles andere als freundlich",
			"von oben herab", "mürrisch*", "muerrisch*", "muffelig*", "kein lächeln",
			"kein guten tag", "kein hallo",
		},
		"quality/cold": {
			"kalt", "kalte", "kalter", "kaltes", "kalten", "eiskalt*", "lauwarm*", "nicht warm",
			"nicht heiß", "nicht heiss", "kaum warm",
		},
		"quality/stale": {
			"nicht frisch", "nicht mehr frisch", "altbacken*", "abgelaufen*", "verschimmelt*",
			"schimmelig*", "ranzig*", "verdorben*", "vergammelt*", "altes brot", "alte brötchen",
			"von gestern",
		},
		"quality/broken": {
			"kaputt*", "defekt*", "beschädigt*", "beschaedigt*", "funktioniert nicht",
			"funktionierte nicht", "funktioniert nicht mehr", "funktioniert gar nicht",
			"hat nicht funktioniert", "stürzt ab", "stürzt ständig ab", "stürzt jedes mal ab", "stürzt immer ab",
			"stürzt dauernd ab", "stürzt andauernd ab", "stürzt immer wieder ab",
			"stuerzt ab", "abstürz*", "absturz*", "bug", "bugs", "fehlerhaft*", "zerbrochen*",
			"gerissen", "zerrissen", "hängt sich auf", "friert ein", "lädt nicht", "laedt nicht",
		},
		"quality": {
			"fad", "fade", "geschmacklos*", "ohne geschmack", "kein geschmack", "keinen geschmack",
			"nach nichts", "roh", "halbroh", "nicht durch", "zerkocht*", "verkocht*", "verbrannt*",
			"angebrannt*", "matschig*", "labberig*", "pappig*", "fettig*", "ungenießbar*",
			"ungeniessbar*", "zäh", "zähe", "zähes", "zäher", "versalzen*", "schlechte qualität",
			"minderwertig*", "billig verarbeitet", "mangelhaft*", "schmeckte nicht",
			"schmeckt nicht", "nicht geschmeckt", "hat nicht geschmeckt", "zu trocken", "viel zu trocken",
			"sehr trocken", "staubtrocken",
		},
		"cleanliness": {
			"schmutzig*", "dreckig*", "verdreckt*", "dreck", "unsauber*", "schmierig*", "klebrig*",
			"verschmutzt*", "versifft*", "stinkt", "stank", "gestunken", "müffelt", "gestank",
			"unangenehmer geruch", "schlechter geruch", "übler geruch", "muffig*", "schimmel",
			"kakerlake*", "schabe", "schaben", "mäuse", "ratte", "ratten", "haar im", "haare im",
			"ein haar", "nicht sauber", "nicht richtig sauber", "nicht wirklich sauber",
			"unhygienisch*", "mangelnde hygiene", "keine hygiene", "flecken", "fleckig*",
		},
		"price": {
			"teuer", "teure", "teuren", "teurer", "teures", "zu teuer", "viel zu teuer", "rechnung falsch", "rechnung war falsch", "falsche rechnung", "falsch berechnet", "falsch abgerechnet",
			"überteuert*", "ueberteuert*", "wucher*", "abzocke*", "abgezockt", "nepp",
			"halsabschneider*", "unverschämte preise", "preise sind unverschämt",
			"unverschämt teuer", "zu viel berechnet", "zu viel verlangt", "doppelt berechnet",
			"doppelt abgebucht", "zweimal abgebucht", "zweimal berechnet", "versteckte kosten",
			"versteckte gebühren", "zusätzliche gebühren", "nicht wert", "nicht sein geld wert",
			"geldverschwendung", "schlechtes preis leistungs verhältnis",
			"preis leistung stimmt nicht", "preis leistungs verhältnis stimmt nicht",
		},
		"delivery/late": {
			"lieferung verspätet", "verspätete lieferung", "zu spät geliefert",
			"zu spät angekommen", "kam zu spät", "kam verspätet", "tage zu spät", "tage verspätet",
			"woche zu spät", "wochen zu spät", "lange lieferzeit", "lieferzeit war lang",
			"lieferzeit zu lang", "lieferung dauerte", "versand dauerte", "langsamer versand",
			"langsame lieferung", "lieferverzögerung*", "paket kam zu spät",
			"bestellung kam zu spät", "lieferung kam zu spät", "warten auf die lieferung",
			"warte auf die lieferung", "warten auf das paket", "warte auf mein paket",
			"warte auf meine bestellung", "warten auf unsere bestellung",
		},
		"delivery/missing": {
			"nie angekommen", "nicht angekommen", "nie geliefert", "nicht geliefert",
			"nie erhalten", "nicht erhalten", "nichts erhalten", "noch nicht erhalten",
			"nie bekommen", "nicht bekommen", "kam nie an", "kam nicht an", "paket verloren",
			"sendung verloren", "verloren gegangen", "verlorengegangen", "fehlende artikel",
			"fehlender artikel", "artikel fehlt", "artikel fehlte", "artikel fehlten",
			"fehlte ein", "fehlte eine",
		},
		"delivery": {
			"falscher artikel", "falsche artikel", "falsche bestellung", "falsche lieferung",
			"falsche adresse", "falsches produkt", "falsche größe", "falsch geliefert",
		},
		"booking": {
			"reservierung verloren", "reservierung nicht gefunden", "keine reservierung gefunden",
			"reservierung war weg", "reservierung storniert", "reservierung gelöscht",
			"reservierung vergessen", "doppelt vergeben", "doppelt gebucht", "überbucht",
			"buchungssystem", "reservierungssystem", "trotz reservierung",
			"nichts von unserer reservierung", "tisch war nicht reserviert",
			"von unserer reservierung nichts", "von der reservierung nichts",
			"reservierung nichts bekannt", "keine reservierung vorhanden", "reservierung nicht auffindbar",
		},
		"noise": {
			"zu laut", "sehr laut", "so laut", "ziemlich laut", "extrem laut", "echt laut",
			"war laut", "ist laut", "laute musik", "laute", "lauten", "lautes", "lärm", "laerm",
			"lärmpegel", "lautstärke", "ohrenbetäubend*", "krach", "nicht unterhalten",
			"kaum unterhalten", "eigenes wort",
		},
		"refund": {
			"rückerstattung*", "rueckerstattung*", "erstattung*", "geld zurück",
			"geld zurückbekommen", "geld wiederbekommen", "mein geld", "zurückgeschickt",
			"zurückgesendet", "retoure*", "rücksendung*", "ruecksendung*", "retourniert",
			"gutschrift", "rückbuchung",
			// Negated on purpose: "keine Erstattung" is the complaint.
			"keine erstattung", "keine rückerstattung", "nicht erstattet", "nie erstattet",
			"noch nicht erstattet",
		},
		"no_response": {
			"keine antwort", "keine rückmeldung", "keine reaktion", "keinerlei reaktion",
			"keine antwort bekommen", "keine antwort erhalten", "nie geantwortet",
			"nicht geantwortet", "nicht reagiert", "nie reagiert", "keiner antwortet",
			"niemand antwortet", "niemand hat geantwortet", "niemand reagiert",
			"niemand meldet sich", "keiner meldet sich", "nie zurückgerufen",
			"nicht zurückgerufen", "kein rückruf", "keinen rückruf", "unbeantwortet",
			"warte auf eine antwort", "warte noch auf eine antwort", "warte immer noch auf eine antwort",
			"warten immer noch auf eine antwort", "warte immer noch auf antwort", "nie eine antwort",
			"nie eine rückmeldung", "nie antwort", "ignoriert meine", "ignorieren meine", "ignoriert unsere",
		},
		"broken_promise": {
			"beworben", "angepriesen", "irreführend*", "irrefuehrend*", "falsche werbung",
			"nicht wie beschrieben", "nicht wie angegeben", "nicht wie abgebildet",
			"nicht wie versprochen", "entspricht nicht", "entsprach nicht", "versprochen",
			"zugesagt", "angeblich", "sollte eigentlich", "hieß es", "sieht ganz anders aus",
			"hatte nichts mit", "hat nichts mit", "nicht wie auf den fotos",
			"nicht wie auf dem foto", "mogelpackung", "auf der website stand",
			"auf der webseite stand", "laut website", "laut webseite", "laut beschreibung",
			"laut speisekarte",
		},
	},
	weak: map[string][]string{
		"staff": {
			"personal", "kellner*", "bedienung*", "service", "mitarbeiter*", "angestellte*",
			"chef", "chefin", "geschäftsführ*", "manager*", "kassierer*", "rezeption*", "empfang",
			"team", "kundenservice", "kundendienst", "support", "hotline", "verkäufer*", "fahrer*",
			"servicekraft", "servicekräfte",
		},
		"quality": {
			"essen", "gericht", "gerichte", "speise*", "mahlzeit*", "pizza*", "burger*", "kaffee",
			"frühstück", "mittagessen", "abendessen", "dessert*", "nachtisch", "fleisch", "fisch",
			"schnitzel", "produkt*", "artikel", "ware", "qualität", "geschmack", "portion*",
			"suppe", "salat", "steak",
		},
		"cleanliness": {
			"toilette*", "wc", "klo", "sanitär*", "tisch", "tische", "boden", "küche",
			"bettwäsche", "zimmer", "bad", "badezimmer",
		},
		"price": {
			"preis*", "rechnung*", "kosten", "gebühr*", "abbuchung", "abgebucht", "berechnet",
			"quittung", "betrag",
		},
		"delivery": {
			"lieferung*", "liefer*", "versand*", "paket*", "sendung*", "zusteller*", "kurier*",
			"bestellung*", "sendungsverfolgung", "tracking",
		},
		"booking": {
			"reservierung*", "reserviert", "buchung*", "gebucht", "termin*", "tisch für",
		},
	},
	negative: []string{
		"schlecht*", "schrecklich*", "furchtbar*", "fürchterlich*", "katastrophal*",
		"katastrophe", "miserabel*", "mies*", "grottig*", "grauenhaft*", "grausam*",
		"enttäuschend*", "enttäuscht*", "enttäuschung", "inakzeptabel*", "unmöglich*",
		"unzumutbar*", "ekelhaft*", "eklig*", "widerlich*", "mittelmäßig*", "schade", "nie wieder",
		"nicht empfehlenswert", "nicht zu empfehlen", "finger weg", "meiden", "spät", "zu spät",
		"verspätet*", "verspätung*", "verzögerung*", "problem", "probleme", "problemen",
		"ärger", "ärgerlich*", "fehler", "unzufrieden", "geht gar nicht",
		"beschwerde*", "reklamation*", "frechheit", "zumutung", "armselig*", "peinlich*",
		"schlimm*", "nervig*", "unterirdisch*", "naja", "geht so", "mäßig", "maessig",
		"chaos", "chaotisch*", "keine hilfe", "keinerlei hilfe", "nicht geholfen",
	},
	praise: []string{
		// Not "guten" alone: "Guten Tag" opens many reviews.
		"gut", "gute", "guter", "gutes", "sehr guten", "guten service", "lecker*", "super",
		"toll*", "prima", "klasse", "spitze", "hervorragend*", "ausgezeichnet*", "exzellent*",
		"perfekt*", "wunderbar*", "wundervoll*", "fantastisch*", "phantastisch*", "großartig*",
		"grossartig*", "genial*", "freundlich*", "nett", "nette", "netter", "netten", "nettes",
		"aufmerksam*", "zuvorkommend*", "hilfsbereit*", "kompetent*", "sauber*", "schnell*",
		"pünktlich*", "puenktlich*", "frisch*", "gemütlich*", "schön", "schöne", "schönes",
		"schöner", "empfehlenswert", "empfehle*", "zu empfehlen", "weiterempfehlen",
		"gerne wieder", "immer wieder gerne", "top", "einwandfrei*", "köstlich*", "angenehm*",
		"liebevoll*", "professionell*", "zufrieden", "begeistert", "traumhaft*", "kaltes bier",
		"schön kalt", "kalte getränke", "herzlich",
		// Said of a promise kept; longer than "versprochen", so it wins the match.
		"wie beschrieben", "wie versprochen", "wie angegeben", "wie abgebildet",
		"wie angekündigt",
	},
	aspects: map[string][]string{
		"food": {
			"essen", "gericht*", "speise*", "küche", "pizza*", "burger*", "kaffee", "kuchen",
			"frühstück*", "mittagessen", "abendessen", "dessert*", "nachtisch", "getränk*",
			"cocktail*", "wein", "weine", "speisekarte", "schnitzel", "steak", "pasta", "sushi",
			"brunch", "bier",
		},
		"staff": {
			"personal", "kellner*", "bedienung*", "service", "team", "mitarbeiter*", "inhaber*",
			"chef", "chefin", "gastgeber*", "barkeeper*", "servicekr*",
		},
		"place": {
			"ort", "lokal", "restaurant", "laden", "ambiente", "atmosphäre", "einrichtung",
			"deko*", "aussicht", "lage", "zimmer", "terrasse", "garten", "musik", "räumlichkeit*",
			"location", "geschäft",
		},
		"product":  {"produkt*", "app", "qualität", "artikel", "ware", "design", "funktion*", "passform"},
		"value":    {"preis*", "preis leistung*"},
		"delivery": {"lieferung", "versand", "verpackung", "zustellung", "kurier", "lieferzeit"},
	},
	negators: []string{
		"nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals",
		"nichts", "ohne", "kaum", "weder",
	},
	// "nur" and "leider" often turn a German sentence: "Essen gut, nur der
	// Service war langsam".
	breaks: []string{"aber", "jedoch", "allerdings", "obwohl", "trotzdem", "dennoch", "außer", "sondern", "nur", "leider"},
})
