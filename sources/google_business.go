package sources

import (
	"context"
	"errors"
)

// stub: replaced by the real implementation.
type stubGoogleBusiness struct{ env *Env }

func newGoogleBusiness(env *Env) Source { return &stubGoogleBusiness{env: env} }

func validateGoogleBusiness(l Listing) error { return nil }

func (s *stubGoogleBusiness) Fetch(ctx context.Context, l Listing, o Options) (Observation, error) {
	return Observation{}, errors.New("google_business: not implemented")
}
