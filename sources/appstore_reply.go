package sources

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

var _ Replier = (*appStore)(nil)

// CanReply: only with App Store Connect keys; the public feed is read-only.
func (s *appStore) CanReply(l Listing) bool {
	c, err := appStoreConfigOf(l)
	return err == nil && c.asc != nil
}

// Reply creates a customer review response in App Store Connect: POST
// {endpoint}v1/customerReviewResponses. Apple keeps one response per
// review: a 409 means it is already there, which counts as done, so a
// retry never posts twice.
func (s *appStore) Reply(ctx context.Context, l Listing, reviewID, text string) error {
	c, err := appStoreConfigOf(l)
	if err != nil {
		return fmt.Errorf("appstore: %w", err)
	}
	if c.asc == nil {
		return fmt.Errorf("appstore: replying needs App Store Connect keys (key_id, issuer_id, private_key): %w", ErrConfig)
	}
	tok, err := s.token(c.asc)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]any{"data": map[string]any{
		"type":       "customerReviewResponses",
		"attributes": map[string]string{"responseBody": text},
		"relationships": map[string]any{"review": map[string]any{
			"data": map[string]string{"type": "customerReviews", "id": reviewID}}},
	}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"v1/customerReviewResponses", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("appstore: reply to %s: %w", reviewID, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.env.Do(ctx, req)
	if err != nil {
		return fmt.Errorf("appstore: reply to %s: %w", reviewID, err)
	}
	if resp.Status == http.StatusConflict {
		return nil // a response exists already
	}
	if err := Classify("App Store Connect", c.asc.keyKey, resp, ascErrorMessage, nil); err != nil {
		return fmt.Errorf("appstore: reply to %s: %w", reviewID, err)
	}
	return nil
}
