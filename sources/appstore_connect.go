package sources

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// The App Store Connect door of the appstore source (see appStore): reviews
// and the developer's replies from the API, with a locally signed token.

const (
	ascDefaultEndpoint = "https://api.appstoreconnect.apple.com/"
	// ascTokenLifetime is the longest Apple accepts for this API.
	ascTokenLifetime = 20 * time.Minute
	// ascTokenMargin: a cached token is replaced this long before it
	// expires, so a slow request never arrives with a dead one.
	ascTokenMargin = time.Minute
	// ascPageSize is the API's largest page.
	ascPageSize = 200
)

// ascCredentials are a listing's App Store Connect key, parsed.
type ascCredentials struct {
	keyID, issuerID string
	key             *ecdsa.PrivateKey
	// keyKey is the config key that held the key ("private_key" or
	// "private_key_file"), for errors.
	keyKey string
	// cacheKey tells tokens of different keys apart without holding the key.
	cacheKey string
}

// ascToken is a signed token and when it stops being accepted.
type ascToken struct {
	jwt string
	exp time.Time
}

// ascCredentialsOf reads key_id, issuer_id and private_key (PEM text) or
// private_key_file; nil, nil when none is set (the public feed). The key
// is parsed here, at config load, so a bad one fails early; errors never
// quote it.
func ascCredentialsOf(l Listing) (*ascCredentials, error) {
	hasKey := l.PrivateKey != "" || l.PrivateKeyFile != ""
	if l.KeyID == "" && l.IssuerID == "" && !hasKey {
		return nil, nil
	}
	var errs []error
	if l.PrivateKey != "" && l.PrivateKeyFile != "" {
		errs = append(errs, appStoreBad("private_key", "and private_key_file are both set; keep one"))
	}
	const why = "is required for the App Store Connect API, with"
	if l.KeyID == "" {
		errs = append(errs, appStoreBad("key_id", "%s issuer_id and private_key (the key's id under Users and Access > Integrations)", why))
	}
	if l.IssuerID == "" {
		errs = append(errs, appStoreBad("issuer_id", "%s key_id and private_key (the issuer id shown above the key list)", why))
	}
	if !hasKey {
		errs = append(errs, appStoreBad("private_key", "%s key_id and issuer_id (the .p8 file's text, or its path as private_key_file)", why))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	cr := &ascCredentials{keyID: l.KeyID, issuerID: l.IssuerID, keyKey: "private_key"}
	text := []byte(l.PrivateKey.Reveal())
	if l.PrivateKeyFile != "" {
		cr.keyKey = "private_key_file"
		b, err := os.ReadFile(l.PrivateKeyFile)
		if err != nil {
			return nil, appStoreBad("private_key_file", "%v", err)
		}
		text = b
	}
	key, err := ascParseKey(text)
	if err != nil {
		return nil, appStoreBad(cr.keyKey, "%v", err)
	}
	cr.key = key
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, appStoreBad(cr.keyKey, "unusable EC key")
	}
	sum := sha256.Sum256(pub)
	cr.cacheKey = l.KeyID + "\x00" + l.IssuerID + "\x00" + hex.EncodeToString(sum[:])
	return cr, nil
}

// ascParseKey reads an App Store Connect .p8 key: PEM "PRIVATE KEY"
// (PKCS#8) holding an EC P-256 key. It also takes the PEM with its line
// breaks written as \n (one-line environment variables) and the bare
// base64 body. Its errors describe the key, never quote it.
func ascParseKey(text []byte) (*ecdsa.PrivateKey, error) {
	text = bytes.TrimSpace(text)
	if !bytes.Contains(text, []byte("\n")) && bytes.Contains(text, []byte(`\n`)) {
		text = bytes.ReplaceAll(text, []byte(`\n`), []byte("\n"))
	}
	var der []byte
	if block, _ := pem.Decode(text); block != nil {
		if block.Type != "PRIVATE KEY" {
			return nil, fmt.Errorf("is a PEM %q block; want the .p8 file's \"PRIVATE KEY\" (PKCS#8)", block.Type)
		}
		der = block.Bytes
	} else {
		b, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(text), nil)))
		if err != nil || len(b) == 0 {
			return nil, errors.New("is not a PEM private key: paste the whole .p8 file, -----BEGIN PRIVATE KEY----- line included")
		}
		der = b
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, errors.New("is not a PKCS#8 private key (App Store Connect's .p8 files are)")
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("is a %T, not an EC P-256 key as App Store Connect issues", k)
	}
	if ec.Curve != elliptic.P256() {
		return nil, fmt.Errorf("is an EC key on %s; App Store Connect keys are P-256", ec.Curve.Params().Name)
	}
	return ec, nil
}

// ascSign makes an App Store Connect token: a JWT signed with ES256 (the
// raw 64-byte r||s signature JWS wants, not ASN.1), valid for 20 minutes.
func ascSign(cr *ascCredentials, now time.Time) (ascToken, error) {
	iat := now.Unix()
	exp := iat + int64(ascTokenLifetime/time.Second)
	header, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}{"ES256", cr.keyID, "JWT"})
	if err != nil {
		return ascToken{}, err
	}
	claims, err := json.Marshal(struct {
		Iss string `json:"iss"`
		Iat int64  `json:"iat"`
		Exp int64  `json:"exp"`
		Aud string `json:"aud"`
	}{cr.issuerID, iat, exp, "appstoreconnect-v1"})
	if err != nil {
		return ascToken{}, err
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	r, s, err := ecdsa.Sign(rand.Reader, cr.key, sum[:])
	if err != nil {
		return ascToken{}, fmt.Errorf("sign token: %w", err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return ascToken{jwt: signing + "." + enc.EncodeToString(sig), exp: time.Unix(exp, 0).UTC()}, nil
}

// token returns a cached token for cr, signing a new one when the cached
// one is within a minute of expiry: one signature per ~19 minutes.
func (s *appStore) token(cr *ascCredentials) (string, error) {
	now := s.env.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[cr.cacheKey]; ok && now.Before(t.exp.Add(-ascTokenMargin)) {
		return t.jwt, nil
	}
	t, err := ascSign(cr, now)
	if err != nil {
		return "", err
	}
	if s.tokens == nil {
		s.tokens = map[string]ascToken{}
	}
	s.tokens[cr.cacheKey] = t
	return t.jwt, nil
}

// firstURL is page 1 of the app's reviews, newest first, with replies.
func (c appStoreConfig) firstURL() string {
	q := url.Values{}
	q.Set("sort", "-createdDate")
	q.Set("limit", fmt.Sprint(ascPageSize))
	q.Set("include", "response")
	if c.explicit {
		t := make([]string, len(c.countries))
		for i, cc := range c.countries {
			t[i] = ascTerritories[cc]
		}
		q.Set("filter[territory]", strings.Join(t, ","))
	}
	return c.endpoint + "v1/apps/" + c.appID + "/customerReviews?" + q.Encode()
}

// ownURL resolves a links.next (or a stored cursor) and accepts it only
// under the endpoint: the bearer token must never go to another host.
func (c appStoreConfig) ownURL(next string) (string, bool) {
	base, err := url.Parse(c.endpoint)
	if err != nil {
		return "", false
	}
	ref, err := url.Parse(next)
	if err != nil {
		return "", false
	}
	u := base.ResolveReference(ref)
	if u.Scheme != base.Scheme || u.Host != base.Host || !strings.HasPrefix(u.Path, base.Path+"v1/") || u.User != nil {
		return "", false
	}
	return u.String(), true
}

// fetchConnect reads the reviews for Fetch from App Store Connect: page 1,
// more while Options ask. Reading through to the last page makes the
// observation Complete (the API has no cap), so removed reviews show.
func (s *appStore) fetchConnect(ctx context.Context, l Listing, c appStoreConfig, o Options, obs Observation) (Observation, error) {
	u := c.firstURL()
	seen := map[string]bool{}
	var all []Review
	for n := 1; ; n++ {
		seen[u] = true
		p, err := s.connectPage(ctx, c, u)
		if err != nil {
			if n == 1 || ctx.Err() != nil {
				return Observation{}, fmt.Errorf("appstore: app %s (App Store Connect): %w", c.appID, err)
			}
			s.env.logger().Warn("appstore: later page failed; keeping the pages before it",
				"listing", l.ID, "app_id", c.appID, "page", n, "err", err)
			break
		}
		rs := c.connectReviews(p, obs.URL)
		all = append(all, rs...)
		if p.Next == "" {
			obs.Complete = true
			break
		}
		if !o.NextPage(rs) {
			break
		}
		next, ok := c.ownURL(p.Next)
		if !ok || seen[next] {
			s.env.logger().Warn("appstore: links.next leaves the endpoint or loops; stopping",
				"listing", l.ID, "app_id", c.appID, "page", n, "next", Redact(p.Next))
			break
		}
		u = next
	}
	obs.Reviews = Dedupe(all)
	if obs.Reviews == nil {
		obs.Reviews = []Review{}
	}
	return obs, nil
}

// backfillConnect pages through the whole history for Backfill; the
// cursor is the links.next of the page before.
func (s *appStore) backfillConnect(ctx context.Context, l Listing, c appStoreConfig, since time.Time, cursor string, page func(Observation, string) error, base Observation) error {
	u := c.firstURL()
	if cursor != "" {
		if own, ok := c.ownURL(cursor); ok {
			u = own
		} else {
			s.env.logger().Warn("appstore: backfill cursor is not an App Store Connect URL under endpoint; starting over",
				"listing", l.ID, "cursor", Redact(cursor))
		}
	}
	seen := map[string]bool{}
	for {
		seen[u] = true
		p, err := s.connectPage(ctx, c, u)
		if err != nil {
			return fmt.Errorf("appstore: app %s (App Store Connect): backfill: %w", c.appID, err)
		}
		kept, older := appStoreSince(c.connectReviews(p, base.URL), since)
		next := ""
		if p.Next != "" && !older {
			var ok bool
			if next, ok = c.ownURL(p.Next); !ok || seen[next] {
				return fmt.Errorf("appstore: app %s (App Store Connect): backfill: %w: links.next %q leaves the endpoint or loops", c.appID, ErrLayout, Redact(p.Next))
			}
		}
		obs := base
		obs.Reviews = kept
		if obs.Reviews == nil {
			obs.Reviews = []Review{}
		}
		if err := page(obs, next); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		u = next
	}
}

// connectPage GETs one page of reviews with a bearer token and classifies
// refusals: 401 names the key, 403 the issuer and the key's role, 429 is
// ErrQuota with Retry-After.
func (s *appStore) connectPage(ctx context.Context, c appStoreConfig, u string) (ascPage, error) {
	tok, err := s.token(c.asc)
	if err != nil {
		return ascPage{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return ascPage{}, fmt.Errorf("GET %s: %w", Redact(u), err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := s.env.Do(ctx, req)
	if err != nil {
		return ascPage{}, err
	}
	switch resp.Status {
	case http.StatusUnauthorized:
		err := Classify("App Store Connect", c.asc.keyKey, resp, ascErrorMessage, nil)
		return ascPage{}, fmt.Errorf("%w; key_id, issuer_id and %s must be one active API key", err, c.asc.keyKey)
	case http.StatusForbidden:
		err := Classify("App Store Connect", "issuer_id", resp, ascErrorMessage, nil)
		return ascPage{}, fmt.Errorf("%w; or the key's role can't read reviews (give it Customer Support, App Manager or Admin access)", err)
	}
	if err := Classify("App Store Connect", c.asc.keyKey, resp, ascErrorMessage, nil); err != nil {
		return ascPage{}, err
	}
	p, err := parseASCReviews(resp.Body)
	if err != nil {
		return ascPage{}, fmt.Errorf("GET %s: %w", Redact(u), err)
	}
	return p, nil
}

// connectReviews gives each review its storefront's public URL (fallback
// when the territory is unknown).
func (c appStoreConfig) connectReviews(p ascPage, fallback string) []Review {
	for i := range p.Reviews {
		p.Reviews[i].URL = fallback
		if cc, ok := ascAlpha2[p.Territories[i]]; ok {
			p.Reviews[i].URL = c.publicURL(cc)
		}
	}
	return p.Reviews
}

// ascErrorMessage reads the API's {"errors":[{"code","title","detail"}]}.
func ascErrorMessage(body []byte) string {
	var doc struct {
		Errors []struct {
			Code   string `json:"code"`
			Title  string `json:"title"`
			Detail string `json:"detail"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &doc) != nil || len(doc.Errors) == 0 {
		return ""
	}
	e := doc.Errors[0]
	msg := e.Detail
	if msg == "" {
		msg = e.Title
	}
	if e.Code != "" && msg != "" {
		return e.Code + ": " + msg
	}
	return e.Code + msg
}

// ascPage is one parsed page of customerReviews.
type ascPage struct {
	Reviews []Review
	// Territories holds each review's territory (ISO alpha-3, "" if none).
	Territories []string
	// Next is links.next, "" on the last page.
	Next string
}

// parseASCReviews parses a customerReviews answer (JSON:API: data,
// included customerReviewResponses, links.next). It is pure, for fuzzing.
// An empty data list is not an error (an app without reviews); an answer
// without a data list is ErrLayout. Fields are read one by one, so a field
// of an unexpected type costs that field, not the page. Only published
// replies are kept: a pending one is not public yet.
func parseASCReviews(body []byte) (ascPage, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil || doc == nil {
		return ascPage{}, fmt.Errorf("%w: customerReviews answer is not a JSON object", ErrLayout)
	}
	var data []json.RawMessage
	if raw, ok := doc["data"]; !ok || json.Unmarshal(raw, &data) != nil {
		return ascPage{}, fmt.Errorf("%w: customerReviews answer has no \"data\" list", ErrLayout)
	}
	replies := ascReplies(doc["included"])
	p := ascPage{Next: strings.TrimSpace(scalarString(objField(doc["links"], "next")))}
	for i, raw := range data {
		var e map[string]json.RawMessage
		if json.Unmarshal(raw, &e) != nil || e == nil {
			return ascPage{}, fmt.Errorf("%w: data[%d] is not an object", ErrLayout, i)
		}
		if t := scalarString(e["type"]); t != "" && t != "customerReviews" {
			continue
		}
		// Decoded once: objField per field would re-parse the object each time.
		var a map[string]json.RawMessage
		_ = json.Unmarshal(e["attributes"], &a)
		r := Review{
			ID:     strings.TrimSpace(scalarString(e["id"])),
			Author: strings.TrimSpace(scalarString(a["reviewerNickname"])),
			Rating: appStoreStars(scalarString(a["rating"])),
			Title:  strings.TrimSpace(scalarString(a["title"])),
			Text:   strings.TrimSpace(scalarString(a["body"])),
		}
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(scalarString(a["createdDate"]))); err == nil {
			r.Published = t.UTC()
		}
		if r.ID == "" {
			r.ID = ContentID(r.Author, r.Title, r.Text)
		}
		if id := scalarString(objField(objField(objField(e["relationships"], "response"), "data"), "id")); id != "" {
			r.Reply = replies[id]
		}
		p.Reviews = append(p.Reviews, r)
		p.Territories = append(p.Territories, strings.ToUpper(strings.TrimSpace(scalarString(a["territory"]))))
	}
	return p, nil
}

// ascReplies indexes the included customerReviewResponses by id; anything
// malformed is skipped (a reply is a bonus, not the page).
func ascReplies(raw json.RawMessage) map[string]*Reply {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	out := map[string]*Reply{}
	for _, it := range list {
		var e map[string]json.RawMessage
		if json.Unmarshal(it, &e) != nil || e == nil || scalarString(e["type"]) != "customerReviewResponses" {
			continue
		}
		var a map[string]json.RawMessage
		_ = json.Unmarshal(e["attributes"], &a)
		id := scalarString(e["id"])
		text := strings.TrimSpace(scalarString(a["responseBody"]))
		if state := scalarString(a["state"]); id == "" || text == "" || (state != "" && state != "PUBLISHED") {
			continue
		}
		rep := &Reply{Text: text}
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(scalarString(a["lastModifiedDate"]))); err == nil {
			rep.Published = t.UTC()
		}
		out[id] = rep
	}
	return out
}

// ascTerritories maps ISO 3166-1 alpha-2 storefront codes (the feed's and
// apps.apple.com's) to the alpha-3 territory codes of App Store Connect.
// It lists every ISO country plus Kosovo, so a storefront Apple opens later
// is already known; it also validates country/countries for both doors.
var ascTerritories, ascAlpha2 = ascTable(`
ad:AND ae:ARE af:AFG ag:ATG ai:AIA al:ALB am:ARM ao:AGO aq:ATA ar:ARG as:ASM at:AUT au:AUS aw:ABW ax:ALA az:AZE
ba:BIH bb:BRB bd:BGD be:BEL bf:BFA bg:BGR bh:BHR bi:BDI bj:BEN bl:BLM bm:BMU bn:BRN bo:BOL bq:BES br:BRA bs:BHS
bt:BTN bv:BVT bw:BWA by:BLR bz:BLZ ca:CAN cc:CCK cd:COD cf:CAF cg:COG ch:CHE ci:CIV ck:COK cl:CHL cm:CMR cn:CHN
co:COL cr:CRI cu:CUB cv:CPV cw:CUW cx:CXR cy:CYP cz:CZE de:DEU dj:DJI dk:DNK dm:DMA do:DOM dz:DZA ec:ECU ee:EST
eg:EGY eh:ESH er:ERI es:ESP et:ETH fi:FIN fj:FJI fk:FLK fm:FSM fo:FRO fr:FRA ga:GAB gb:GBR gd:GRD ge:GEO gf:GUF
gg:GGY gh:GHA gi:GIB gl:GRL gm:GMB gn:GIN gp:GLP gq:GNQ gr:GRC gs:SGS gt:GTM gu:GUM gw:GNB gy:GUY hk:HKG hm:HMD
hn:HND hr:HRV ht:HTI hu:HUN id:IDN ie:IRL il:ISR im:IMN in:IND io:IOT iq:IRQ ir:IRN is:ISL it:ITA je:JEY jm:JAM
jo:JOR jp:JPN ke:KEN kg:KGZ kh:KHM ki:KIR km:COM kn:KNA kp:PRK kr:KOR kw:KWT ky:CYM kz:KAZ la:LAO lb:LBN lc:LCA
li:LIE lk:LKA lr:LBR ls:LSO lt:LTU lu:LUX lv:LVA ly:LBY ma:MAR mc:MCO md:MDA me:MNE mf:MAF mg:MDG mh:MHL mk:MKD
ml:MLI mm:MMR mn:MNG mo:MAC mp:MNP mq:MTQ mr:MRT ms:MSR mt:MLT mu:MUS mv:MDV mw:MWI mx:MEX my:MYS mz:MOZ na:NAM
nc:NCL ne:NER nf:NFK ng:NGA ni:NIC nl:NLD no:NOR np:NPL nr:NRU nu:NIU nz:NZL om:OMN pa:PAN pe:PER pf:PYF pg:PNG
ph:PHL pk:PAK pl:POL pm:SPM pn:PCN pr:PRI ps:PSE pt:PRT pw:PLW py:PRY qa:QAT re:REU ro:ROU rs:SRB ru:RUS rw:RWA
sa:SAU sb:SLB sc:SYC sd:SDN se:SWE sg:SGP sh:SHN si:SVN sj:SJM sk:SVK sl:SLE sm:SMR sn:SEN so:SOM sr:SUR ss:SSD
st:STP sv:SLV sx:SXM sy:SYR sz:SWZ tc:TCA td:TCD tf:ATF tg:TGO th:THA tj:TJK tk:TKL tl:TLS tm:TKM tn:TUN to:TON
tr:TUR tt:TTO tv:TUV tw:TWN tz:TZA ua:UKR ug:UGA um:UMI us:USA uy:URY uz:UZB va:VAT vc:VCT ve:VEN vg:VGB vi:VIR
vn:VNM vu:VUT wf:WLF ws:WSM xk:XKS ye:YEM yt:MYT za:ZAF zm:ZMB zw:ZWE`)

func ascTable(s string) (alpha3, alpha2 map[string]string) {
	alpha3, alpha2 = map[string]string{}, map[string]string{}
	for _, f := range strings.Fields(s) {
		a2, a3, _ := strings.Cut(f, ":")
		alpha3[a2], alpha2[a3] = a3, a2
	}
	return alpha3, alpha2
}
