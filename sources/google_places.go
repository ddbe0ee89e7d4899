package sources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const (
	// gpDefaultEndpoint is the Places API (New) host.
	gpDefaultEndpoint = "https://places.googleapis.com/"
	// gpFieldMask asks for what an observation needs and nothing else:
	// Google bills Place Details by the most expensive field requested.
	gpFieldMask = "id,displayName,formattedAddress,nationalPhoneNumber,internationalPhoneNumber,websiteUri," +
		"regularOpeningHours,rating,userRatingCount,reviews,googleMapsUri"
)

// googlePlaces reads a place from the Google Places API (New) Place Details
// door (GET v1/places/{place_id}, key in X-Goog-Api-Key, a field mask in
// X-Goog-FieldMask): the aggregate rating and count, the listing's details
// and at most 5 reviews, chosen by Google ("most relevant") with no way to
// ask for others, so observations are never Complete and there is no
// history to backfill. One request per poll. It also parses the legacy Place
// Details JSON (maps/api/place/details/json), which recorded responses and
// old proxies still return. Google's terms limit how long review text may
// be kept; the store enforces the listing's retention.
type googlePlaces struct{ env *Env }

var _ Source = (*googlePlaces)(nil)

func newGooglePlaces(env *Env) Source {
	if env == nil {
		env = NewEnv(nil)
	}
	return &googlePlaces{env: env}
}

// gpConfig is a listing's keys, checked and defaulted.
type gpConfig struct {
	placeID  string
	apiKey   Secret
	endpoint string // absolute http(s), ends in "/"
	language string
}

var (
	// gpPlaceIDPattern: place ids are URL-safe base64 ("ChIJ…", "Ei…"); a
	// pasted Maps URL or business name fails here, not at Google.
	gpPlaceIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	// gpLanguagePattern is a BCP-47 tag as Google takes it ("en", "pt-BR", "zh-Hant").
	gpLanguagePattern = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)
)

// validateGooglePlaces checks a listing's keys, naming each bad one.
func validateGooglePlaces(l Listing) error {
	_, err := gpConfigOf(l)
	return err
}

// gpConfigOf is shared by validation and Fetch so a listing that passes
// config load is exactly the one fetched. Errors never quote the api_key.
func gpConfigOf(l Listing) (gpConfig, error) {
	var errs []error
	// Flat, one error per key: the config loader reads the key off each.
	if err := CheckKeys(l, "place_id", "api_key", "endpoint", "language", "retention"); err != nil {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = append(errs, j.Unwrap()...)
		} else {
			errs = append(errs, err)
		}
	}
	// The v1 resource name ("places/ChIJ…") is a common paste; it names the same place.
	c := gpConfig{placeID: strings.TrimPrefix(l.PlaceID, "places/"), apiKey: l.APIKey, endpoint: l.Endpoint, language: l.Language}
	switch {
	case c.placeID == "":
		errs = append(errs, fmt.Errorf("%w: place_id: is required (find it with Google's Place ID finder)", ErrConfig))
	case !gpPlaceIDPattern.MatchString(c.placeID):
		errs = append(errs, fmt.Errorf("%w: place_id: %q is not a place id (letters, digits, - and _ only, e.g. ChIJN1t_tDeuEmsRUsoyG83frY4)", ErrConfig, l.PlaceID))
	}
	switch key := c.apiKey.Reveal(); {
	case key == "":
		errs = append(errs, fmt.Errorf("%w: api_key: is required", ErrConfig))
	case strings.ContainsFunc(key, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		// It goes into a header, where these would break or forge the request.
		errs = append(errs, fmt.Errorf("%w: api_key: contains spaces or control characters", ErrConfig))
	}
	if c.endpoint == "" {
		c.endpoint = gpDefaultEndpoint
	}
	if err := CheckURL("endpoint", c.endpoint, false); err != nil {
		errs = append(errs, err)
	} else if u, _ := url.Parse(c.endpoint); u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		// The request path is appended to the endpoint; a query would swallow it.
		errs = append(errs, fmt.Errorf("%w: endpoint: %q must not carry a query or fragment", ErrConfig, Redact(c.endpoint)))
	}
	if !strings.HasSuffix(c.endpoint, "/") {
		c.endpoint += "/"
	}
	if c.language != "" && !gpLanguagePattern.MatchString(c.language) {
		errs = append(errs, fmt.Errorf("%w: language: %q is not a language code (en, de, pt-BR…)", ErrConfig, c.language))
	}
	if l.Retention < 0 {
		errs = append(errs, fmt.Errorf("%w: retention: must not be negative", ErrConfig))
	}
	return c, errors.Join(errs...)
}

func (c gpConfig) requestURL() string {
	u := c.endpoint + "v1/places/" + url.PathEscape(c.placeID)
	if c.language != "" {
		u += "?languageCode=" + url.QueryEscape(c.language)
	}
	return u
}

// publicURL is the place on Google Maps, for when the response names none.
func (c gpConfig) publicURL() string {
	return "https://www.google.com/maps/place/?q=place_id:" + url.QueryEscape(c.placeID)
}

// Fetch makes the one Place Details request; Options don't matter, as
// there is no page after the first.
func (s *googlePlaces) Fetch(ctx context.Context, l Listing, _ Options) (Observation, error) {
	c, err := gpConfigOf(l)
	if err != nil {
		return Observation{}, fmt.Errorf("google_places: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.requestURL(), nil)
	if err != nil {
		return Observation{}, fmt.Errorf("google_places: %w", err)
	}
	// The key travels in a header, never the URL, so it stays out of logs,
	// proxies' access logs and error text.
	req.Header.Set("X-Goog-Api-Key", c.apiKey.Reveal())
	req.Header.Set("X-Goog-FieldMask", gpFieldMask)
	resp, err := s.env.Do(ctx, req)
	if err != nil {
		return Observation{}, fmt.Errorf("google_places: %w", err)
	}
	if resp.Status < 200 || resp.Status > 299 {
		return Observation{}, gpFailure(c, resp)
	}
	p, err := parseGooglePlaces(resp.Body)
	if err != nil {
		var le *gpLegacyStatus
		if errors.As(err, &le) {
			return Observation{}, gpLegacyFailure(c, le)
		}
		return Observation{}, fmt.Errorf("google_places: place %s: %w", c.placeID, err)
	}
	obs := Observation{
		Listing:  l.ID,
		Platform: "google_places",
		At:       s.env.now(),
		Name:     p.Name,
		URL:      p.URL,
		Rating:   p.Rating,
		Reviews:  p.Reviews,
		Details:  p.Details,
		// Google picks at most 5 reviews; one missing from them was not removed.
		Complete: false,
	}
	if obs.URL == "" {
		obs.URL = c.publicURL()
	}
	for i := range obs.Reviews {
		if obs.Reviews[i].URL == "" {
			obs.Reviews[i].URL = obs.URL
		}
	}
	if obs.Reviews == nil {
		obs.Reviews = []Review{}
	}
	return obs, nil
}

// gpPlace is one parsed Place Details response.
type gpPlace struct {
	Name    string
	URL     string // the place on Google Maps ("" if not given)
	Rating  *Rating
	Reviews []Review // URL "" where the response gives none
	Details *Details
}

// gpLegacyStatus is a legacy response's status other than OK; Fetch turns
// it into a classified error (it knows the key to keep out of the text).
type gpLegacyStatus struct{ Status, Message string }

func (e *gpLegacyStatus) Error() string {
	if e.Message == "" {
		return "status " + e.Status
	}
	return "status " + e.Status + ": " + e.Message
}

// parseGooglePlaces parses a Place Details answer in either format: the
// legacy one (recognised by its "result"/"status" keys) or Places API
// (New). It is pure, for fuzzing and benchmarks. Errors wrap ErrLayout,
// or are a *gpLegacyStatus.
func parseGooglePlaces(body []byte) (gpPlace, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return gpPlace{}, fmt.Errorf("%w: not a JSON object", ErrLayout)
	}
	_, hasResult := top["result"]
	_, hasStatus := top["status"]
	var (
		p   gpPlace
		err error
	)
	if hasResult || hasStatus {
		p, err = gpParseLegacy(body)
	} else {
		p, err = gpParseV1(body)
	}
	if err != nil {
		return gpPlace{}, err
	}
	// A place with only a name is real (new, no reviews yet); one with
	// nothing at all is not the answer we asked for.
	if p.Name == "" && p.Rating == nil && len(p.Reviews) == 0 {
		return gpPlace{}, fmt.Errorf("%w: no name, rating or reviews in the place", ErrLayout)
	}
	p.Reviews = Dedupe(p.Reviews)
	return p, nil
}

// gpText is the new API's LocalizedText.
type gpText struct {
	Text         string `json:"text"`
	LanguageCode string `json:"languageCode"`
}

type gpV1Place struct {
	DisplayName              *gpText      `json:"displayName"`
	FormattedAddress         string       `json:"formattedAddress"`
	NationalPhoneNumber      string       `json:"nationalPhoneNumber"`
	InternationalPhoneNumber string       `json:"internationalPhoneNumber"`
	WebsiteURI               string       `json:"websiteUri"`
	GoogleMapsURI            string       `json:"googleMapsUri"`
	Rating                   *float64     `json:"rating"`
	UserRatingCount          *float64     `json:"userRatingCount"`
	Reviews                  []gpV1Review `json:"reviews"`
	RegularOpeningHours      *struct {
		WeekdayDescriptions []string `json:"weekdayDescriptions"`
	} `json:"regularOpeningHours"`
}

type gpV1Review struct {
	// Name is the review's resource name, "places/{place}/reviews/{id}": stable.
	Name              string   `json:"name"`
	Rating            *float64 `json:"rating"`
	Text              *gpText  `json:"text"`
	OriginalText      *gpText  `json:"originalText"`
	AuthorAttribution *struct {
		DisplayName string `json:"displayName"`
	} `json:"authorAttribution"`
	PublishTime   string `json:"publishTime"`
	GoogleMapsURI string `json:"googleMapsUri"`
}

func gpParseV1(body []byte) (gpPlace, error) {
	var v gpV1Place
	if err := json.Unmarshal(body, &v); err != nil {
		return gpPlace{}, fmt.Errorf("%w: Places API response: %v", ErrLayout, err)
	}
	p := gpPlace{
		URL:    strings.TrimSpace(v.GoogleMapsURI),
		Rating: gpAggregate(v.Rating, v.UserRatingCount),
	}
	if v.DisplayName != nil {
		p.Name = strings.TrimSpace(v.DisplayName.Text)
	}
	d := Details{
		Name:    p.Name,
		Address: strings.TrimSpace(v.FormattedAddress),
		Phone:   strings.TrimSpace(v.NationalPhoneNumber),
		Website: strings.TrimSpace(v.WebsiteURI),
	}
	if d.Phone == "" {
		d.Phone = strings.TrimSpace(v.InternationalPhoneNumber)
	}
	if v.RegularOpeningHours != nil {
		d.Hours = gpHours(v.RegularOpeningHours.WeekdayDescriptions)
	}
	p.Details = gpDetails(d)
	for _, rv := range v.Reviews {
		r := Review{
			ID:     strings.TrimSpace(rv.Name),
			Rating: gpStars(rv.Rating),
			URL:    strings.TrimSpace(rv.GoogleMapsURI),
		}
		if rv.AuthorAttribution != nil {
			r.Author = strings.TrimSpace(rv.AuthorAttribution.DisplayName)
		}
		// originalText is what the author wrote; text is Google's rendering
		// in the requested language, a translation when it differs.
		var shown, orig gpText
		if rv.Text != nil {
			shown = gpText{strings.TrimSpace(rv.Text.Text), rv.Text.LanguageCode}
		}
		if rv.OriginalText != nil {
			orig = gpText{strings.TrimSpace(rv.OriginalText.Text), rv.OriginalText.LanguageCode}
		}
		switch {
		case orig.Text == "":
			r.Text, r.Language = shown.Text, shown.LanguageCode
		default:
			r.Text, r.Language = orig.Text, orig.LanguageCode
			if shown.Text != "" && shown.Text != orig.Text {
				r.Translation = &Translation{Text: shown.Text, Language: shown.LanguageCode}
			}
		}
		if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(rv.PublishTime)); err == nil {
			r.Published = t.UTC()
		}
		if r.ID == "" {
			r.ID = ContentID(r.Author, rv.PublishTime, r.Text)
		}
		p.Reviews = append(p.Reviews, r)
	}
	return p, nil
}

type gpLegacyResponse struct {
	Status       string          `json:"status"`
	ErrorMessage string          `json:"error_message"`
	Result       *gpLegacyResult `json:"result"`
}

type gpLegacyResult struct {
	Name                 string   `json:"name"`
	Rating               *float64 `json:"rating"`
	UserRatingsTotal     *float64 `json:"user_ratings_total"`
	FormattedAddress     string   `json:"formatted_address"`
	FormattedPhoneNumber string   `json:"formatted_phone_number"`
	InternationalPhone   string   `json:"international_phone_number"`
	Website              string   `json:"website"`
	URL                  string   `json:"url"`
	OpeningHours         *struct {
		WeekdayText []string `json:"weekday_text"`
	} `json:"opening_hours"`
	Reviews []gpLegacyReview `json:"reviews"`
}

type gpLegacyReview struct {
	AuthorName       string   `json:"author_name"`
	Rating           *float64 `json:"rating"`
	Text             string   `json:"text"`
	Time             *float64 `json:"time"` // unix seconds
	Language         string   `json:"language"`
	OriginalLanguage string   `json:"original_language"`
	Translated       bool     `json:"translated"`
}

func gpParseLegacy(body []byte) (gpPlace, error) {
	var v gpLegacyResponse
	if err := json.Unmarshal(body, &v); err != nil {
		return gpPlace{}, fmt.Errorf("%w: legacy Place Details response: %v", ErrLayout, err)
	}
	if st := strings.TrimSpace(v.Status); st != "" && st != "OK" {
		return gpPlace{}, &gpLegacyStatus{Status: st, Message: v.ErrorMessage}
	}
	if v.Result == nil {
		return gpPlace{}, fmt.Errorf("%w: legacy response without a result", ErrLayout)
	}
	res := v.Result
	p := gpPlace{
		Name:   strings.TrimSpace(res.Name),
		URL:    strings.TrimSpace(res.URL),
		Rating: gpAggregate(res.Rating, res.UserRatingsTotal),
	}
	d := Details{
		Name:    p.Name,
		Address: strings.TrimSpace(res.FormattedAddress),
		Phone:   strings.TrimSpace(res.FormattedPhoneNumber),
		Website: strings.TrimSpace(res.Website),
	}
	if d.Phone == "" {
		d.Phone = strings.TrimSpace(res.InternationalPhone)
	}
	if res.OpeningHours != nil {
		d.Hours = gpHours(res.OpeningHours.WeekdayText)
	}
	p.Details = gpDetails(d)
	for _, rv := range res.Reviews {
		text := strings.TrimSpace(rv.Text)
		r := Review{
			Author:   strings.TrimSpace(rv.AuthorName),
			Rating:   gpStars(rv.Rating),
			Text:     text,
			Language: rv.Language,
		}
		var unix string
		if rv.Time != nil && *rv.Time > 0 && *rv.Time < 1e11 && *rv.Time == math.Trunc(*rv.Time) {
			r.Published = time.Unix(int64(*rv.Time), 0).UTC()
			unix = strconv.FormatInt(int64(*rv.Time), 10)
		}
		if rv.OriginalLanguage != "" {
			r.Language = rv.OriginalLanguage
		}
		// A translated legacy review carries only Google's translation;
		// the author's words are not in the response, so Text stays empty
		// rather than pass a translation off as the original.
		if rv.Translated && text != "" {
			r.Text = ""
			r.Translation = &Translation{Text: text, Language: rv.Language}
		}
		// The legacy API gives reviews no id; these three don't change on re-poll.
		r.ID = ContentID(rv.AuthorName, unix, rv.Text)
		p.Reviews = append(p.Reviews, r)
	}
	return p, nil
}

// gpAggregate is the place's rating, or nil when it has none (a place
// without ratings omits the field; 0 is "none", never a 0-star rating).
func gpAggregate(value, count *float64) *Rating {
	if value == nil {
		return nil
	}
	v, ok := Normalise(*value, 5, 1)
	if !ok {
		return nil
	}
	r := &Rating{Value: v}
	if count != nil && *count > 0 && *count < math.MaxInt32 {
		r.Count = int(*count)
	}
	return r
}

// gpStars maps a review's rating (1-5) to stars; anything else is no rating.
func gpStars(v *float64) *float64 {
	if v == nil {
		return nil
	}
	s, ok := Normalise(*v, 5, 1)
	if !ok {
		return nil
	}
	return Stars(s)
}

// gpHours normalises one line per day. Google switched its separators to
// narrow and thin spaces (U+202F, U+2009) around 2023; folding them keeps
// that from reading as a change of opening hours.
func gpHours(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l = foldSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// gpDetails is nil when the response exposes none of the details.
func gpDetails(d Details) *Details {
	if d.Name == "" && d.Address == "" && d.Phone == "" && d.Website == "" && len(d.Hours) == 0 {
		return nil
	}
	return &d
}

// gpAPIError is the new API's error body (google.rpc.Status).
type gpAPIError struct {
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Details []struct {
			Reason string `json:"reason"`
		} `json:"details"`
	} `json:"error"`
}

// gpFailure classifies a non-2xx answer from the new API: a refused key is
// ErrAuth naming api_key (Google answers 400 INVALID_ARGUMENT for a wrong
// key, 403 PERMISSION_DENIED for a key without the API), RESOURCE_EXHAUSTED
// is ErrQuota, an unknown or malformed place is ErrConfig naming place_id,
// the rest what Classify says.
func gpFailure(c gpConfig, resp Response) error {
	var e gpAPIError
	_ = json.Unmarshal(resp.Body, &e)
	var status, msg, reason string
	if e.Error != nil {
		status, msg = e.Error.Status, gpRedact(e.Error.Message, c.apiKey)
		for _, d := range e.Error.Details {
			if d.Reason != "" {
				reason = d.Reason
				break
			}
		}
	}
	text := msg
	if status != "" {
		text = status + ": " + msg
	}
	lower := strings.ToLower(msg)
	switch {
	case status == "NOT_FOUND":
		return fmt.Errorf("google_places: %w: place_id: Google knows no place %q (HTTP %d: %s); place ids expire, look it up again", ErrConfig, c.placeID, resp.Status, clean(text, 300))
	case status == "RESOURCE_EXHAUSTED":
		// Before the key check: quota messages may name the consuming key.
		return &APIError{Platform: "google_places", Status: resp.Status, Message: clean(text, 300), RetryAfter: retryAfter(resp.Header), kind: ErrQuota}
	case strings.HasPrefix(reason, "API_KEY_") || strings.Contains(lower, "api key"):
		return &APIError{Platform: "google_places", Status: resp.Status, Message: clean(text, 300), Key: "api_key", kind: ErrAuth}
	case status == "INVALID_ARGUMENT" && strings.Contains(lower, "place"):
		return fmt.Errorf("google_places: %w: place_id: Google refused %q (HTTP %d: %s)", ErrConfig, c.placeID, resp.Status, clean(text, 300))
	}
	return Classify("google_places", "api_key", resp, func([]byte) string { return text }, func(string) bool {
		return strings.Contains(lower, "quota") || strings.Contains(lower, "rate limit")
	})
}

// gpLegacyFailure classifies a legacy status other than OK.
func gpLegacyFailure(c gpConfig, le *gpLegacyStatus) error {
	text := le.Status
	if m := gpRedact(le.Message, c.apiKey); m != "" {
		text += ": " + m
	}
	text = clean(text, 300)
	switch le.Status {
	case "REQUEST_DENIED":
		return &APIError{Platform: "google_places", Status: http.StatusOK, Message: text, Key: "api_key", kind: ErrAuth}
	case "OVER_QUERY_LIMIT", "OVER_DAILY_LIMIT":
		return &APIError{Platform: "google_places", Status: http.StatusOK, Message: text, kind: ErrQuota}
	case "NOT_FOUND":
		return fmt.Errorf("google_places: %w: place_id: Google has no place %q (%s); place ids expire, look it up again", ErrConfig, c.placeID, text)
	case "INVALID_REQUEST":
		return fmt.Errorf("google_places: %w: place_id: Google refused %q as a place id (%s)", ErrConfig, c.placeID, text)
	case "ZERO_RESULTS":
		return fmt.Errorf("google_places: place %s: %w: %s (closed or merged?)", c.placeID, ErrLayout, text)
	case "UNKNOWN_ERROR":
		// Google's "server error, try again": a temporary failure like a 5xx.
		return &APIError{Platform: "google_places", Status: http.StatusOK, Message: text,
			kind: &StatusError{URL: "google_places API", Code: http.StatusServiceUnavailable}}
	}
	return fmt.Errorf("google_places: place %s: %w: unexpected %s", c.placeID, ErrLayout, text)
}

// gpRedact keeps the key out of a message, should Google ever quote it.
func gpRedact(msg string, key Secret) string {
	if k := key.Reveal(); k != "" {
		msg = strings.ReplaceAll(msg, k, "REDACTED")
	}
	return strings.TrimSpace(msg)
}
