package sources

import (
	"context"
	"errors"
)

// stub: replaced by the real implementation.
type stubTrustpilot struct{ env *Env }

func newTrustpilot(env *Env) Source { return &stubTrustpilot{env: env} }

func validateTrustpilot(l Listing) error { return nil }

func (s *stubTrustpilot) Fetch(ctx context.Context, l Listing, o Options) (Observation, error) {
	return Observation{}, errors.New("trustpilot: not implemented")
}
