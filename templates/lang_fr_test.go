package templates

import (
	"regexp"
	"testing"
)

// The helpers (checkEurDrafts and the others) are in lang_es_test.go.

var petitZinc = Business{Name: "Le Petit Zinc", Signature: "Claire, Le Petit Zinc", Contact: "contact@petitzinc.example"}

func TestLangFrDrafts(t *testing.T) {
	checkEurDrafts(t, "fr", petitZinc, []eurCase{
		{name: "cold food", rating: 2,
			text:   "Les plats sont arrivés complètement froids et nous avons dû les renvoyer en cuisine.",
			topics: []string{"quality"}, restated: regexp.MustCompile(`froids?`)},
		{name: "rude staff", rating: 1,
			text:   "La serveuse a été très désagréable avec nous et nous a ignorés toute la soirée.",
			topics: []string{"staff"}, restated: regexp.MustCompile(`désagréable|amabilité|courtoise`)},
		{name: "late delivery", rating: 1,
			text:   "Ma commande a été livrée avec une semaine de retard, sans la moindre explication.",
			topics: []string{"delivery"}, restated: regexp.MustCompile(`retard|délai`)},
		{name: "dirty room", rating: 1,
			text:   "La chambre était sale et la salle de bain n'était pas propre du tout.",
			topics: []string{"cleanliness"}, restated: regexp.MustCompile(`propreté|saleté`)},
		{name: "overcharged", rating: 2,
			text:   "On nous a facturé deux fois le même menu et il a fallu insister pour corriger l'addition.",
			topics: []string{"price"}, restated: regexp.MustCompile(`factur|addition|cher`)},
		{name: "vague", rating: 1, text: "Très déçu par cette soirée, je ne reviendrai pas."},
		{name: "mixed: good food, slow service", rating: 3,
			text:   "La cuisine était bonne mais le service était très lent.",
			topics: []string{"wait"}, restated: regexp.MustCompile(`attente|lenteur`), praise: "notre cuisine"},
		{name: "par contre splits the praise from the complaint", rating: 3,
			text:   "Le cadre est très joli, par contre il y avait beaucoup trop de bruit pour discuter.",
			topics: []string{"noise"}, restated: regexp.MustCompile(`bruit|sonore|bruyante`), praise: "notre établissement"},
		{name: "app crash, no help", rating: 1,
			text:   "L'application plante à chaque fois que j'essaie de payer, et le service client ne m'a été d'aucune aide.",
			topics: []string{"quality", "staff"}, restated: regexp.MustCompile(`défectueux|dysfonctionnements|fonctionnait`)},
		{name: "health claim gets the holding reply", rating: 1,
			text: "Toute la famille a eu une intoxication alimentaire après le dîner chez vous.", form: FormHolding},
		{name: "abuse gets a boundary", rating: 1,
			text:   "Bande de connards, le plat est arrivé froid et personne ne s'en est soucié.",
			topics: []string{"quality"}, restated: regexp.MustCompile(`froids?`), form: FormBoundary},
	})
}

func TestLangFrStrict(t *testing.T) {
	clinic := Business{Name: "Cabinet dentaire du Parc", Signature: "L'équipe du Cabinet dentaire du Parc",
		Contact: "accueil@cabinetduparc.example", Privacy: "strict"}
	checkEurDrafts(t, "fr", clinic, []eurCase{
		{name: "strict privacy repeats nothing", rating: 1,
			text:   "La secrétaire était désagréable et j'ai attendu une heure pour un détartrage.",
			topics: []string{"staff", "wait"}, form: FormStrict},
	})
}

func TestLangFrAnalysis(t *testing.T) {
	checkEurAnalysis(t, french, []eurAnalysis{
		{text: "La cuisine était bonne mais le service était très lent.", topics: []string{"wait"}, praise: true, aspect: "food"},
		{text: "Le plat n'était pas bon.", topics: []string{"quality"}},
		{text: "Le café était froid et le serveur impoli.", topics: []string{"quality/cold", "staff/rude"}},
		{text: "Pas de bruit, pas d'attente, rien à redire.", topics: nil},
		{text: "Pas mal du tout.", topics: nil},
		{text: "Bonne continuation.", topics: nil},
		{text: "Mon colis n'est jamais arrivé et personne ne répond à mes mails.",
			topics: []string{"delivery/missing", "no_response"}},
		{text: "Beaucoup trop cher pour ce que c'est.", topics: []string{"price"}},
		{text: "Ils ont perdu notre réservation.", topics: []string{"booking"}},
		{text: "Toujours pas remboursé après un mois.", topics: []string{"refund"}},
		{text: "Rien à voir avec les photos du site.", topics: []string{"broken_promise"}},
		{text: "Arrivé comme promis, produit excellent.", praise: true, aspect: "product"},
		{text: "Le service était nul.", topics: []string{"staff"}},
		{text: "L'accueil froid du patron nous a refroidis.", topics: []string{"staff/rude"}},
		{text: "Service pas terrible.", topics: []string{"staff"}},
	})
}

func TestLangFrVariety(t *testing.T) {
	checkEurVariety(t, "fr", petitZinc, []string{
		"La soupe était froide.", "Le serveur était très impoli.", "Plus d'une heure d'attente.",
		"Les toilettes étaient sales.", "Beaucoup trop cher.", "Mon colis n'est jamais arrivé.", "Trop de bruit.",
		"Vraiment décevant.", "Ils ont perdu notre réservation.",
	})
}

func TestLangFrExtras(t *testing.T) {
	checkEurExtras(t, "fr", petitZinc,
		"Le produit est arrivé cassé et ne fonctionne pas.",
		"Superbe cadre, cuisine délicieuse !",
		"un café gratuit lors de votre prochaine visite", "nous avons changé de transporteur",
		regexp.MustCompile(`^(Bonjour|Madame, Monsieur|Chère cliente, cher client)`))
}
