package sources

import (
	"context"
	"errors"
)

// stub: replaced by the real implementation.
type stubGooglePlaces struct{ env *Env }

func newGooglePlaces(env *Env) Source { return &stubGooglePlaces{env: env} }

func validateGooglePlaces(l Listing) error { return nil }

func (s *stubGooglePlaces) Fetch(ctx context.Context, l Listing, o Options) (Observation, error) {
	return Observation{}, errors.New("google_places: not implemented")
}
