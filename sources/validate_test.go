package sources

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckKeys(t *testing.T) {
	cases := []struct {
		name    string
		l       Listing
		allowed []string
		bad     string // key named in the error, "" for none
	}{
		{"own keys only", Listing{ID: "a", Source: "yelp", BusinessID: "x", APIKey: "k"}, []string{"business_id", "api_key"}, ""},
		{"another platform's key", Listing{ID: "a", Source: "yelp", BusinessID: "x", PlaceID: "p"}, []string{"business_id", "api_key"}, "place_id"},
		{"nested oauth", Listing{ID: "a", Source: "yelp", OAuth: &OAuth{ClientID: "c"}}, []string{"api_key"}, "oauth"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckKeys(c.l, c.allowed...)
			if c.bad == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.bad+":") {
				t.Fatalf("err = %v, want ErrConfig naming %s", err, c.bad)
			}
		})
	}
}
