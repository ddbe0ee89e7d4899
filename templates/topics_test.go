package templates

import (
	"slices"
	"testing"
)

func TestTopics(t *testing.T) {
	got := Topics()
	for _, want := range []string{"wait", "staff", "quality", "cleanliness", "price", "delivery", "booking", "noise", "refund", "no_response", "broken_promise"} {
		if !slices.Contains(got, want) {
			t.Errorf("Topics() = %v, lacks %q", got, want)
		}
	}
}
