package templates

import (
	"slices"
	"strings"

	"github.com/revwatch/revwatch/sources"
)

// ReviewTopics are the complaint topics a review names ("wait", "staff",
// ...), found exactly as Draft finds them (the review's language, else
// fallback, else English) but without drafting: the insight rules count
// them across many reviews.
func (s *Set) ReviewTopics(r sources.Review, fallback string) []string {
	lang := s.language(Request{Review: r, Business: Business{Language: fallback}})
	lx := lexicons[lang]
	if lx == nil {
		return nil
	}
	var out []string
	for _, k := range lx.analyse(r.Title, r.Text).topics {
		if t := topicOf(k); !slices.Contains(out, t) {
			out = append(out, strings.TrimSpace(t))
		}
	}
	return out
}

// ReportRoute says where a platform (its label: "Google", "Yelp", ...)
// lets a business report a review that breaks its rules.
func ReportRoute(platform string) string { return reportRoute(platform) }
