package templates

// english is the English keyword table. Topic keys must have a
// "en/topic/<topic>" template (a "en/topic/<topic>/<detail>" one is used
// when present), aspects a "en/praise/<aspect>" one; Load checks both.
var english = compile(lexiconSpec{
	strong: map[string][]string{
		"wait": {
			"slow", "slowly", "slowest", "waited", "waiting", "long wait", "wait was",
			"took forever", "took ages", "waited forever", "forever to", "ages to",
			"queue", "queued", "queuing", "queueing", "took an hour", "slow service",
			"service was slow", "service is slow",
		},
		"staff": {
			"unhelpful", "no help", "of no help", "no use at all",
		},
		"staff/rude": {
			"rude", "rudely", "rudest", "rudeness", "impolite", "unfriendly", "unprofessional",
			"arrogant", "dismissive", "condescending", "disrespectful", "hostile", "bad attitude",
			"rude attitude", "poor attitude", "attitude problem",
			"shouted", "yelled", "snapped at", "ignored us", "ignored me", "rolled her eyes",
			"rolled his eyes", "eye roll",
		},
		"quality/cold": {
			"cold", "lukewarm", "not hot", "wasn't hot", "wasnt hot", "barely warm",
		},
		"quality/stale": {
			"stale", "not fresh", "wasn't fresh", "wasnt fresh", "mouldy", "moldy", "gone off",
			"rancid", "expired",
		},
		"quality/broken": {
			"broken", "broke", "faulty", "defective", "damaged", "stopped working", "doesn't work",
			"doesnt work", "does not work", "didn't work", "didnt work", "did not work",
			"not working", "crash*", "keeps crashing", "bug", "bugs", "buggy", "glitch*",
			"fell apart", "cracked", "ripped", "torn",
		},
		"quality": {
			"bland", "tasteless", "undercooked", "overcooked", "burnt", "burned", "raw", "soggy",
			"greasy", "inedible", "poor quality", "low quality", "cheap quality", "flimsy",
		},
		"cleanliness": {
			"dirty", "filthy", "unclean", "grubby", "grimy", "sticky", "smelly", "stank", "stinks",
			"stinking", "smelled", "smelt", "cockroach*", "roach*", "mice", "rats", "mould", "mold",
			"hair in", "not clean", "wasn't clean", "wasnt clean", "unhygienic", "poor hygiene",
			"bad hygiene",
		},
		"price": {
			"overpriced", "overcharg*", "too expensive", "expensive", "pricey", "rip off", "ripoff",
			"charged twice", "double charged", "hidden fee*", "hidden charge*", "extra charge*",
			"not worth", "waste of money", "daylight robbery",
		},
		"delivery/late": {
			"late delivery", "delivered late", "delivery was late", "arrived late", "came late",
			"day late", "days late", "week late", "weeks late", "month late", "months late", "slow delivery", "slow shipping", "shipping took",
			"delivery took", "order is late", "order was late",
		},
		"delivery/missing": {
			"never arrived", "never came", "never received", "never got my order", "didn't arrive",
			"didnt arrive", "did not arrive", "hasn't arrived", "hasnt arrived", "has not arrived",
			"not arrived", "not received", "didn't receive", "didnt receive", "did not receive",
			"haven't received", "havent received", "have not received", "lost in the post",
			"lost in transit", "lost my parcel", "lost my package", "missing item*",
		},
		"delivery": {
			"wrong item*", "wrong order", "wrong address",
		},
		"booking": {
			"lost our booking", "lost my booking", "lost our reservation", "lost my reservation",
			"no record of", "double booked", "overbooked", "cancelled our", "cancelled my",
			"canceled our", "canceled my", "booking system",
		},
		"noise": {
			"noisy", "noise", "loud", "deafening", "couldn't hear", "couldnt hear",
			"could not hear", "can't hear", "hard to hear", "racket", "blaring",
		},
		"refund": {
			"refund*", "money back", "return request", "returned it", "returned the", "returned my",
			"return label", "store credit", "chargeback",
			"waiting for my refund", "waiting for a refund", "waiting for the refund",
			"waiting for my money", "waiting on my refund",
			// Negated on purpose: "no refund" is the complaint.
			"no refund", "not refunded", "never refunded", "haven't been refunded",
			"have not been refunded",
		},
		"no_response": {
			"no response", "no reply", "no answer", "no callback", "no call back", "never replied",
			"never responded", "never answered", "never got back", "never heard back",
			"never called back", "never received a reply", "never received a response",
			"didn't respond", "didnt respond", "did not respond", "didn't reply", "didnt reply",
			"did not reply", "didn't answer", "didnt answer", "did not answer", "didn't get back",
			"did not get back", "haven't heard", "have not heard", "not heard back",
			"no one answered", "nobody answered", "no one replied", "nobody replied",
			"no one got back", "nobody got back", "nobody has replied", "no one has replied",
			"nobody has answered", "no one has answered", "nobody has responded",
			"no one has responded", "nobody has got back", "no one has got back", "ignored my", "ignoring my", "ignored our",
			"unanswered", "waiting for a reply", "waiting for a response", "waiting for an answer",
			"still no word", "still no reply", "still no response",
		},
		"broken_promise": {
			"advertised", "not as described", "not as advertised", "misleading", "false advertising",
			"promised", "said it would", "supposed to", "claimed", "bait and switch",
			"not what was shown", "looked nothing like",
		},
	},
	weak: map[string][]string{
		"staff": {
			"staff", "waiter*", "waitress*", "server", "servers", "manager*", "employee*",
			"cashier*", "receptionist*", "host", "hostess", "team", "service", "customer service",
			"support", "front desk", "bartender*", "driver*", "personnel", "crew",
		},
		"quality": {
			"food", "meal*", "dish", "dishes", "pizza*", "burger*", "coffee", "breakfast", "lunch",
			"dinner", "dessert*", "steak", "product*", "item*", "quality", "taste", "portion*",
		},
		"cleanliness": {
			"toilet*", "bathroom*", "restroom*", "table", "tables", "floor*", "kitchen", "sheets",
		},
		"price": {
			"price*", "bill", "billing", "billed", "charge", "charged", "charges", "invoice*",
			"fee", "fees", "cost", "costs", "receipt",
			"paid", "a night", "per night",
		},
		"delivery": {
			"delivery", "deliveries", "deliver*", "shipping", "shipment", "shipped", "parcel*",
			"package*", "courier*", "postage", "tracking",
		},
		"booking": {
			"booking*", "reservation*", "reserved", "appointment*", "table for",
		},
	},
	negative: []string{
		"bad", "terrible", "terribly", "awful", "horrible", "horrendous", "poor", "poorly",
		"worst", "dreadful", "disappointing", "disappointed", "unacceptable", "appalling",
		"atrocious", "mediocre", "disgusting", "disgrace", "disgraceful", "useless", "shocking",
		"lousy", "abysmal", "pathetic", "rubbish", "meh", "subpar", "sub par", "below average",
		"avoid", "never again", "late", "delay", "delayed", "delays", "sucks", "sucked", "crap",
		"nasty", "gross", "wrong", "mess", "messed", "problem*", "issue*", "complain*",
	},
	praise: []string{
		"great", "good", "lovely", "nice", "friendly", "amazing", "excellent", "love", "loved",
		"loves", "delicious", "tasty", "yummy", "fantastic", "perfect", "perfectly", "best",
		"wonderful", "helpful", "awesome", "superb", "brilliant", "outstanding", "beautiful",
		"gorgeous", "fabulous", "enjoyed", "enjoy", "pleasant", "kind", "attentive", "welcoming",
		"quick", "efficient", "fresh", "cozy", "cosy", "clean", "spotless", "recommend*",
		"well done", "impressive", "exceptional", "incredible", "terrific", "stellar", "polite",
		"courteous", "on time",
		// Said of a promise kept; longer than "promised", so it wins the match.
		"as promised", "as advertised", "as described",
	},
	aspects: map[string][]string{
		"food": {
			"food", "meal*", "dish*", "pizza*", "burger*", "coffee", "breakfast", "lunch", "dinner",
			"dessert*", "cake*", "drinks", "cocktail*", "wine", "menu", "steak", "pasta", "sushi",
			"brunch",
		},
		"staff": {
			"staff", "waiter*", "waitress*", "server*", "team", "service", "host*", "barista*",
			"people", "bartender*", "owner*", "manager*", "crew",
		},
		"place": {
			"place", "atmosphere", "ambience", "ambiance", "decor", "view*", "location", "interior",
			"vibe*", "room*", "terrace", "garden", "music",
		},
		"product":  {"product*", "app", "quality", "item*", "design", "feature*", "fit"},
		"value":    {"price*", "value"},
		"delivery": {"delivery", "shipping", "packaging", "courier"},
	},
	negators: []string{
		"not", "no", "never", "nothing", "hardly", "without", "isn't", "wasn't", "weren't",
		"aren't", "don't", "doesn't", "didn't", "won't", "wouldn't", "couldn't", "can't",
		"cannot", "haven't", "hasn't", "hadn't", "isnt", "wasnt", "werent", "arent", "dont",
		"doesnt", "didnt", "wont", "wouldnt", "couldnt", "cant", "havent", "hasnt", "hadnt",
	},
	breaks: []string{"but", "however", "although", "though", "yet", "except", "whereas"},
})
