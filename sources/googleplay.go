package sources

import (
	"context"
	"errors"
)

// stub: replaced by the real implementation.
type stubGooglePlay struct{ env *Env }

func newGooglePlay(env *Env) Source { return &stubGooglePlay{env: env} }

func validateGooglePlay(l Listing) error { return nil }

func (s *stubGooglePlay) Fetch(ctx context.Context, l Listing, o Options) (Observation, error) {
	return Observation{}, errors.New("googleplay: not implemented")
}
