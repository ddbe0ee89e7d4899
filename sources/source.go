package sources

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Listing is one page or place on one platform, as configured. Every source
// reads the keys it needs and ignores the rest; its Platform.Validate says
// which are required.
type Listing struct {
	// ID names the listing in the store, the CLI and alerts. Unique per config.
	ID string `yaml:"id" json:"id"`
	// Source is the platform's name in the registry (schemaorg, trustpilot, appstore).
	Source string `yaml:"source" json:"source"`
	// Name is an optional display name; sources fill it from the page when empty.
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// URL is the public page of a scraped listing.
	URL string `yaml:"url,omitempty" json:"url,omitempty"`
	// Endpoint overrides an API's base URL (tests, proxies).
	Endpoint string `yaml:"endpoint,omitempty" json:"endpoint,omitempty"`
	// Schedule is a robfig/cron spec ("@every 30m", "*/15 * * * *").
	Schedule string `yaml:"schedule,omitempty" json:"schedule,omitempty"`
	// AppID and Country identify an app in the App Store.
	AppID   string `yaml:"app_id,omitempty" json:"app_id,omitempty"`
	Country string `yaml:"country,omitempty" json:"country,omitempty"`

	// Business is the id of the business owning the listing (set by the config loader).
	Business string `yaml:"-" json:"business,omitempty"`
}

// Review is one review, normalised: stars on a 1-5 scale, a stable ID, UTC times.
type Review struct {
	// ID is the platform's id, or "h-" plus a hash of the content when the
	// platform gives none (see ContentID), so re-polls never duplicate it.
	ID     string `json:"id"`
	Author string `json:"author"`
	// Rating is the review's stars on 1-5, or nil when the platform shows none.
	Rating    *float64  `json:"rating"`
	Title     string    `json:"title,omitempty"`
	Text      string    `json:"text"`
	Language  string    `json:"language,omitempty"`
	Published time.Time `json:"published,omitzero"`
	URL       string    `json:"url,omitempty"`
	// Reply is the business's public answer, when the page shows one.
	Reply *Reply `json:"reply,omitempty"`
}

// Reply is a business's public reply to a review.
type Reply struct {
	Text      string    `json:"text"`
	Published time.Time `json:"published,omitzero"`
}

// Rating is a listing's aggregate rating on 1-5 and its number of reviews.
// Count is 0 when the platform does not say.
type Rating struct {
	Value float64 `json:"value"`
	Count int     `json:"count"`
}

// Observation is what a listing shows at one moment.
type Observation struct {
	Listing  string    `json:"listing"`
	Platform string    `json:"platform"`
	At       time.Time `json:"at"`
	// Name is the listing's display name as the page shows it ("" if none).
	Name string `json:"name,omitempty"`
	// URL is the public page of the listing, for links in alerts.
	URL string `json:"url,omitempty"`
	// Rating is nil when the source gives no aggregate (the App Store feed).
	Rating *Rating `json:"rating,omitempty"`
	// Reviews are deduplicated by ID, newest first where the platform orders them.
	Reviews []Review `json:"reviews"`
}

// Stars returns a pointer to v, for building reviews.
func Stars(v float64) *float64 { return &v }

// Options tunes one fetch.
type Options struct {
	// Backfill asks for as much history as the platform gives (every page
	// up to its limit), for `revwatch backfill`.
	Backfill bool
	// Known reports whether a review is already stored. Paged sources stop
	// at the first page holding a known review; nil means "first page only".
	Known func(id string) bool
}

// NextPage reports whether a paged source should fetch the page after one
// holding reviews: always in a backfill; in a regular poll only while the
// page holds nothing already stored (everything after it is older and
// stored too); never without Known.
func (o Options) NextPage(page []Review) bool {
	if o.Backfill {
		return true
	}
	if o.Known == nil || len(page) == 0 {
		return false
	}
	for _, r := range page {
		if o.Known(r.ID) {
			return false
		}
	}
	return true
}

// Source fetches a listing.
type Source interface {
	// Fetch returns what the listing shows now. A page that isn't the
	// listing (challenge, consent, login, changed layout) is an error
	// wrapping ErrBlocked or ErrLayout, never an empty Observation: callers
	// rely on this to tell a platform failure from news about the business.
	Fetch(ctx context.Context, l Listing, o Options) (Observation, error)
}

// Errors a Source returns, wrapped with context. Callers use errors.Is.
var (
	// ErrBlocked: the platform answered with a challenge, consent, login or
	// robots.txt refusal instead of the listing.
	ErrBlocked = errors.New("blocked by the platform")
	// ErrLayout: the page carries neither a rating nor reviews where it
	// should; the layout probably changed.
	ErrLayout = errors.New("no rating or reviews found (layout changed?)")
	// ErrTooLarge: the body exceeded the size cap.
	ErrTooLarge = errors.New("response body over the size cap")
	// ErrConfig: the listing's configuration is unusable.
	ErrConfig = errors.New("bad listing config")
)

// StatusError is an HTTP status the platform answered with.
type StatusError struct {
	URL  string
	Code int
}

func (e *StatusError) Error() string { return fmt.Sprintf("GET %s: HTTP %d", e.URL, e.Code) }

// Temporary reports whether retrying later may help (5xx, 429).
func (e *StatusError) Temporary() bool { return e.Code >= 500 || e.Code == 429 }
