package sources

import (
	"context"
	"errors"
)

// stub: replaced by the real implementation.
type stubSchemaOrg struct{ env *Env }

func newSchemaOrg(env *Env) Source { return &stubSchemaOrg{env: env} }

func validateSchemaOrg(l Listing) error { return nil }

func (s *stubSchemaOrg) Fetch(ctx context.Context, l Listing, o Options) (Observation, error) {
	return Observation{}, errors.New("schemaorg: not implemented")
}
