package sources

import (
	"context"
	"errors"
)

// stub: replaced by the real implementation.
type stubTripadvisor struct{ env *Env }

func newTripadvisor(env *Env) Source { return &stubTripadvisor{env: env} }

func validateTripadvisor(l Listing) error { return nil }

func (s *stubTripadvisor) Fetch(ctx context.Context, l Listing, o Options) (Observation, error) {
	return Observation{}, errors.New("tripadvisor: not implemented")
}
