package sources

import (
	"context"
	"errors"
)

// stub: replaced by the real implementation.
type stubYelp struct{ env *Env }

func newYelp(env *Env) Source { return &stubYelp{env: env} }

func validateYelp(l Listing) error { return nil }

func (s *stubYelp) Fetch(ctx context.Context, l Listing, o Options) (Observation, error) {
	return Observation{}, errors.New("yelp: not implemented")
}
