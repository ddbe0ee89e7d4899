package sources

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

var _ Replier = (*googleBusiness)(nil)

// CanReply: every Business Profile listing can reply (the owner's API).
func (s *googleBusiness) CanReply(l Listing) bool { return true }

// Reply publishes the owner's reply with reviews.updateReply: PUT
// {endpoint}v4/{location}/reviews/{reviewId}/reply {"comment": text}. A PUT
// replaces any existing reply, so repeating it never posts twice.
func (s *googleBusiness) Reply(ctx context.Context, l Listing, reviewID, text string) error {
	c, err := gbConfigOf(l)
	if err != nil {
		return fmt.Errorf("google_business: %w", err)
	}
	auth, err := s.authorization(ctx, l, c)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]string{"comment": text})
	u := c.endpoint + "v4/" + c.location + "/reviews/" + url.PathEscape(reviewID) + "/reply"
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("google_business: reply to %s: %w", reviewID, err)
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.env.Do(ctx, req)
	if err != nil {
		return fmt.Errorf("google_business: reply to %s: %w", reviewID, err)
	}
	if err := s.classify(l, c, resp); err != nil {
		return fmt.Errorf("reply to %s: %w", reviewID, err)
	}
	return nil
}
