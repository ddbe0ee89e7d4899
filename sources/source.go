package sources

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Listing is one page or place on one platform, as configured. Every source
// reads the keys it needs and ignores the rest; its Platform.Validate says
// which are required and rejects keys of other platforms.
type Listing struct {
	// ID names the listing in the store, the CLI and alerts. Unique per config.
	ID string `yaml:"id" json:"id"`
	// Source is the platform's name in the registry (schemaorg, trustpilot, ...).
	Source string `yaml:"source" json:"source"`
	// Name is an optional display name; sources fill it from the page when empty.
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// URL is the public page of a scraped listing.
	URL string `yaml:"url,omitempty" json:"url,omitempty"`
	// Endpoint overrides an API's base URL (tests, proxies).
	Endpoint string `yaml:"endpoint,omitempty" json:"endpoint,omitempty"`
	// Schedule is a robfig/cron spec ("@every 30m", "*/15 * * * *"); empty
	// means the platform's default, which fits its quota.
	Schedule string `yaml:"schedule,omitempty" json:"schedule,omitempty"`
	// FullSync is a second, slower schedule for sources whose regular poll
	// reads only the newest page (google_business: "pages 2+ miss reviews").
	FullSync string `yaml:"full_sync,omitempty" json:"full_sync,omitempty"`
	// Language asks the platform for reviews in this language where it can.
	Language string `yaml:"language,omitempty" json:"language,omitempty"`
	// Competitor marks another business's listing: polled on a slower
	// default schedule, never alerted on, shown beside the business in the
	// digest, report and charts.
	Competitor bool `yaml:"competitor,omitempty" json:"competitor,omitempty"`

	// APIKey is the key of an API-backed source (google_places, yelp,
	// tripadvisor, trustpilot's Business API).
	APIKey Secret `yaml:"api_key,omitempty" json:"api_key,omitempty"`
	// AccessToken is a static OAuth bearer token (google_business).
	AccessToken Secret `yaml:"access_token,omitempty" json:"access_token,omitempty"`
	// OAuth refreshes access tokens (google_business).
	OAuth *OAuth `yaml:"oauth,omitempty" json:"oauth,omitempty"`

	// Location is a Business Profile location: accounts/{account}/locations/{location}.
	Location string `yaml:"location,omitempty" json:"location,omitempty"`
	// PlaceID is a Google Maps place id (google_places).
	PlaceID string `yaml:"place_id,omitempty" json:"place_id,omitempty"`
	// Retention bounds how long review text from google_places is kept
	// (Google's terms); default 30 days.
	Retention Duration `yaml:"retention,omitempty" json:"retention,omitempty"`
	// BusinessID is a Yelp business id or alias (yelp).
	BusinessID string `yaml:"business_id,omitempty" json:"business_id,omitempty"`
	// LocationID is a Tripadvisor location id (tripadvisor).
	LocationID string `yaml:"location_id,omitempty" json:"location_id,omitempty"`
	// BusinessUnitID is a Trustpilot business unit id (Business API).
	BusinessUnitID string `yaml:"business_unit_id,omitempty" json:"business_unit_id,omitempty"`

	// AppID and Country identify an app in the App Store; Countries lists
	// several storefronts (Country is the single-storefront shorthand).
	AppID     string   `yaml:"app_id,omitempty" json:"app_id,omitempty"`
	Country   string   `yaml:"country,omitempty" json:"country,omitempty"`
	Countries []string `yaml:"countries,omitempty" json:"countries,omitempty"`
	// KeyID, IssuerID and PrivateKey (the .p8 file's PEM text, usually via
	// ${ENV}) or PrivateKeyFile sign App Store Connect API tokens.
	KeyID          string `yaml:"key_id,omitempty" json:"key_id,omitempty"`
	IssuerID       string `yaml:"issuer_id,omitempty" json:"issuer_id,omitempty"`
	PrivateKey     Secret `yaml:"private_key,omitempty" json:"private_key,omitempty"`
	PrivateKeyFile string `yaml:"private_key_file,omitempty" json:"private_key_file,omitempty"`

	// PackageName is an Android app's package (googleplay).
	PackageName string `yaml:"package_name,omitempty" json:"package_name,omitempty"`
	// ServiceAccountFile is a Google service-account JSON key (googleplay).
	ServiceAccountFile string `yaml:"service_account_file,omitempty" json:"service_account_file,omitempty"`

	// Business is the id of the business owning the listing (set by the config loader).
	Business string `yaml:"-" json:"business,omitempty"`
}

// OAuth holds what refreshes an OAuth 2 access token.
type OAuth struct {
	ClientID     string `yaml:"client_id" json:"client_id"`
	ClientSecret Secret `yaml:"client_secret" json:"client_secret"`
	RefreshToken Secret `yaml:"refresh_token" json:"refresh_token"`
	// TokenURL defaults to Google's (https://oauth2.googleapis.com/token).
	TokenURL string `yaml:"token_url,omitempty" json:"token_url,omitempty"`
}

// Review is one review, normalised: stars on a 1-5 scale, a stable ID, UTC times.
type Review struct {
	// ID is the platform's id, or "h-" plus a hash of the content when the
	// platform gives none (see ContentID), so re-polls never duplicate it.
	ID     string `json:"id"`
	Author string `json:"author"`
	// Rating is the review's stars on 1-5, or nil when the platform shows none.
	Rating *float64 `json:"rating"`
	Title  string   `json:"title,omitempty"`
	// Text is the review as its author wrote it; a platform's machine
	// translation goes to Translation, never in here.
	Text     string `json:"text"`
	Language string `json:"language,omitempty"`
	// Translation is the platform's machine translation, when it shows one.
	Translation *Translation `json:"translation,omitempty"`
	// Published is when the review was written; Updated when its author
	// last edited it (zero when the platform doesn't say).
	Published time.Time `json:"published,omitzero"`
	Updated   time.Time `json:"updated,omitzero"`
	URL       string    `json:"url,omitempty"`
	// Reply is the business's public answer, when the page shows one.
	Reply *Reply `json:"reply,omitempty"`
}

// Translation is a platform's machine translation of a review.
type Translation struct {
	Text     string `json:"text"`
	Language string `json:"language,omitempty"`
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
	// Complete is set when Reviews is every review the platform has for the
	// listing since Since (zero: ever): only then may a stored review
	// missing from Reviews be recorded as removed.
	Complete bool      `json:"complete,omitempty"`
	Since    time.Time `json:"since,omitzero"`
	// Details are the listing's public details where the source exposes
	// them (nil: not exposed); a change alerts.
	Details *Details `json:"details,omitempty"`
	// Stored, when set, is for the caller to call once the observation is
	// durably stored: it arms the next poll's "changed since?" check (see
	// Env.ReadPage). Before that, an unchanged page must be read again: a
	// commit that failed would otherwise lose what the page held.
	Stored func() `json:"-"`
}

// Details are a listing's public facts. Empty fields are "not shown".
type Details struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Website string `json:"website,omitempty"`
	// Hours is the opening hours as one normalised line per day.
	Hours []string `json:"hours,omitempty"`
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

// Backfiller is a Source that can page through a listing's history. It
// lets revwatch commit page by page and resume where it stopped.
type Backfiller interface {
	// Backfill reads history newest first, from cursor ("" = the start),
	// calling page for each page of reviews with the cursor of the next
	// page ("" after the last one). It stops early when page returns an
	// error (returned as is) or when reviews get older than since (zero:
	// no limit).
	Backfill(ctx context.Context, l Listing, since time.Time, cursor string, page func(obs Observation, next string) error) error
}

// Replier is a Source that can publish the business's reply to a review
// through the platform's API. Platforms without one (public pages, Yelp)
// don't implement it: staff post approved replies by hand.
type Replier interface {
	// CanReply reports whether this listing's configuration allows
	// replying (the App Store only with App Store Connect keys).
	CanReply(l Listing) bool
	// Reply publishes text as the business's reply to the review. It is
	// idempotent: replying again replaces the reply or reports success for
	// a reply already there, so a retry after a crash never posts twice.
	Reply(ctx context.Context, l Listing, reviewID, text string) error
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
	// ErrAuth: the platform refused the credential (expired, revoked,
	// wrong); the error names the config key to fix.
	ErrAuth = errors.New("credential refused")
	// ErrQuota: the platform's call quota or rate limit is exhausted.
	ErrQuota = errors.New("quota exhausted")
	// ErrNotModified: a conditional request found the listing unchanged.
	ErrNotModified = errors.New("not modified")
)

// StatusError is an HTTP status the platform answered with.
type StatusError struct {
	URL  string
	Code int
}

func (e *StatusError) Error() string { return fmt.Sprintf("GET %s: HTTP %d", e.URL, e.Code) }

// Temporary reports whether retrying later may help (5xx, 429).
func (e *StatusError) Temporary() bool { return e.Code >= 500 || e.Code == 429 }
