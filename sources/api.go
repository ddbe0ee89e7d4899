package sources

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Response is an API answer, read whole (up to the body cap).
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends an API request with the shared client, the host limiter, the
// User-Agent and the body cap. It returns every HTTP answer as a Response
// (the caller classifies it, usually with APIError); only network failures
// and an oversized body are errors.
func (e *Env) Do(ctx context.Context, req *http.Request) (Response, error) {
	req = req.WithContext(ctx)
	if err := e.wait(ctx, req.URL.Host); err != nil {
		return Response{}, err
	}
	req.Header.Set("User-Agent", e.ua())
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	start := time.Now()
	resp, err := e.client().Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("%s %s: %w", req.Method, Redact(req.URL.String()), redactErr(err))
	}
	defer resp.Body.Close()
	limit := e.maxBody()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return Response{}, fmt.Errorf("%s %s: read body: %w", req.Method, Redact(req.URL.String()), err)
	}
	if int64(len(body)) > limit {
		return Response{}, fmt.Errorf("%s %s: %w (%d bytes)", req.Method, Redact(req.URL.String()), ErrTooLarge, limit)
	}
	e.logger().Debug("api request", "url", Redact(req.URL.String()), "status", resp.StatusCode, "bytes", len(body), "duration", time.Since(start))
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// APIError is a platform API's refusal, classified: it wraps ErrAuth (the
// credential in Key was refused), ErrQuota (rate or quota exhausted; see
// RetryAfter) or a *StatusError (anything else), so callers use errors.Is.
type APIError struct {
	Platform string
	Status   int
	// Message is the platform's own explanation, trimmed.
	Message string
	// Key is the config key holding the credential to fix, for ErrAuth.
	Key string
	// RetryAfter is how long the platform asked to wait (429/503), or 0.
	RetryAfter time.Duration
	kind       error
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: HTTP %d", e.Platform, e.Status)
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	switch {
	case errors.Is(e.kind, ErrAuth) && e.Key != "":
		fmt.Fprintf(&b, " (credential refused: check %s)", e.Key)
	case errors.Is(e.kind, ErrQuota):
		b.WriteString(" (quota or rate limit exhausted")
		if e.RetryAfter > 0 {
			fmt.Fprintf(&b, "; retry after %s", e.RetryAfter)
		}
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap exposes the class (ErrAuth, ErrQuota or a *StatusError).
func (e *APIError) Unwrap() error { return e.kind }

// Classify turns a non-2xx API response into an *APIError: 401 is ErrAuth,
// 429 is ErrQuota, 403 is ErrQuota when quota says the message is about
// quota and ErrAuth otherwise, the rest a *StatusError. message extracts
// the platform's explanation from the body ("" if none). It returns nil
// for 2xx answers.
func Classify(platform, key string, r Response, message func([]byte) string, quota func(msg string) bool) error {
	if r.Status >= 200 && r.Status <= 299 {
		return nil
	}
	e := &APIError{Platform: platform, Status: r.Status, Key: key, RetryAfter: retryAfter(r.Header)}
	if message != nil {
		e.Message = clean(message(r.Body), 300)
	}
	switch {
	case r.Status == http.StatusUnauthorized:
		e.kind = ErrAuth
	case r.Status == http.StatusTooManyRequests:
		e.kind = ErrQuota
	case r.Status == http.StatusForbidden:
		e.kind = ErrAuth
		if quota != nil && quota(e.Message) {
			e.kind = ErrQuota
		}
	default:
		e.kind = &StatusError{URL: platform + " API", Code: r.Status}
	}
	return e
}

// retryAfter reads Retry-After in seconds (dates are rare for APIs).
func retryAfter(h http.Header) time.Duration {
	if h == nil {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}

// clean collapses whitespace and caps a platform message for error text.
func clean(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}

// FailureKind names the class of a fetch failure for logs, metrics and
// alerts: auth, quota, blocked, layout, too_large, http_5xx, http_4xx,
// config, timeout or network.
func FailureKind(err error) string {
	var se *StatusError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrAuth):
		return "auth"
	case errors.Is(err, ErrQuota):
		return "quota"
	case errors.Is(err, ErrBlocked):
		return "blocked"
	case errors.Is(err, ErrLayout):
		return "layout"
	case errors.Is(err, ErrTooLarge):
		return "too_large"
	case errors.Is(err, ErrConfig):
		return "config"
	case errors.As(err, &se) && se.Code >= 500:
		return "http_5xx"
	case errors.As(err, &se):
		return "http_4xx"
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Client.Timeout"):
		return "timeout"
	default:
		return "network"
	}
}
