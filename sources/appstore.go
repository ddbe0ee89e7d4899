package sources

import (
	"context"
	"errors"
)

// stub: replaced by the real implementation.
type stubAppStore struct{ env *Env }

func newAppStore(env *Env) Source { return &stubAppStore{env: env} }

func validateAppStore(l Listing) error { return nil }

func (s *stubAppStore) Fetch(ctx context.Context, l Listing, o Options) (Observation, error) {
	return Observation{}, errors.New("appstore: not implemented")
}
