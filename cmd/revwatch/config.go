package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/revwatch/revwatch/templates"

	"github.com/revwatch/revwatch/notify"
	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/watcher"
)

// Config is the whole configuration file. Each package owns its section;
// this file only assembles, expands and validates them.
type Config struct {
	// Store is the bbolt file; relative paths are relative to the config file.
	Store string `yaml:"store" json:"store"`
	// Templates is an optional folder of *.tmpl files overriding reply parts.
	Templates  string             `yaml:"templates,omitempty" json:"templates,omitempty"`
	Slack      notify.SlackConfig `yaml:"slack" json:"slack"`
	Businesses []Business         `yaml:"businesses" json:"businesses"`
	Rules      watcher.Rules      `yaml:"rules" json:"rules"`
	HTTP       HTTPConfig         `yaml:"http,omitempty" json:"http,omitempty"`
	// Listen is the daemon's HTTP listener (health check, Google push);
	// default 127.0.0.1:8080, "off" for none.
	Listen       string       `yaml:"listen,omitempty" json:"listen,omitempty"`
	GooglePubSub GooglePubSub `yaml:"google_pubsub,omitempty" json:"google_pubsub,omitempty"`

	// path is where the config was read from.
	path string
	// literalSecrets are the keys whose secret is written in the file
	// rather than taken from ${ENV}.
	literalSecrets []string
}

// Business owns listings; its name, signature and contact go into drafts.
type Business struct {
	ID        string `yaml:"id" json:"id"`
	Name      string `yaml:"name" json:"name"`
	Signature string `yaml:"signature" json:"signature"`
	Contact   string `yaml:"contact" json:"contact"`
	Language  string `yaml:"language,omitempty" json:"language,omitempty"`
	// Tone is "warm" (default) or "formal": the drafts' register.
	Tone string `yaml:"tone,omitempty" json:"tone,omitempty"`
	// Offers are what drafts may offer, in the business's words ("a coffee
	// on us on your next visit"); none: drafts promise nothing (G8).
	Offers []string `yaml:"offers,omitempty" json:"offers,omitempty"`
	// Fixes map a complaint topic to what the business changed ("wait":
	// "we have added staff on Friday evenings").
	Fixes map[string]string `yaml:"fixes,omitempty" json:"fixes,omitempty"`
	// Privacy "strict" (health, legal, regulated businesses): drafts never
	// confirm the reviewer was a customer and repeat no detail.
	Privacy string `yaml:"privacy,omitempty" json:"privacy,omitempty"`
	// PositiveReplies also drafts thank-yous for 4-5 star reviews (preview).
	PositiveReplies bool `yaml:"positive_replies,omitempty" json:"positive_replies,omitempty"`
	// Timezone is an IANA zone name (Europe/Rome) for the digest's
	// schedule and dates; default UTC.
	Timezone string `yaml:"timezone,omitempty" json:"timezone,omitempty"`
	// Digest schedules the weekly digest (see digest_run.go).
	Digest   DigestConfig      `yaml:"digest,omitempty" json:"digest,omitempty"`
	Listings []sources.Listing `yaml:"listings" json:"listings"`
}

// drafting is what the reply templates need to know about a business.
func (b Business) drafting() templates.Business {
	return templates.Business{Name: b.Name, Signature: b.Signature, Contact: b.Contact, Language: b.Language,
		Tone: b.Tone, Offers: b.Offers, Fixes: b.Fixes, Privacy: b.Privacy, PositiveReplies: b.PositiveReplies}
}

// GooglePubSub enables Business Profile push notifications: a Pub/Sub
// push subscription posting to http(s)://<listen>/google/pubsub?token=<token>.
type GooglePubSub struct {
	Token sources.Secret `yaml:"token,omitempty" json:"token,omitempty"`
}

// defaultListen is the daemon's listener when the config names none.
const defaultListen = "127.0.0.1:8080"

// HTTPConfig tunes how revwatch fetches pages.
type HTTPConfig struct {
	UserAgent string `yaml:"user_agent,omitempty" json:"user_agent,omitempty"`
	// Timeout bounds one request (default 30s).
	Timeout sources.Duration `yaml:"timeout,omitempty" json:"timeout,omitempty"`
	// HostInterval is the minimum time between requests to one host (default 1s).
	HostInterval sources.Duration `yaml:"host_interval,omitempty" json:"host_interval,omitempty"`
	// MaxBodyMB caps each response body (default 8).
	MaxBodyMB int `yaml:"max_body_mb,omitempty" json:"max_body_mb,omitempty"`
}

// defaultSchedule applies when a listing and its platform name none.
const defaultSchedule = "@every 30m"

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

// LoadConfig reads, expands and validates a config file (YAML or JSON).
// Unknown keys and bad values are errors naming the key and its line.
func LoadConfig(path string, reg sources.Registry) (*Config, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, missingConfig(path)
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cfg, err := ParseConfig(raw, reg, os.LookupEnv)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o004 != 0 && len(cfg.literalSecrets) > 0 {
		return nil, usageError{fmt.Errorf("config %s is readable by every user and holds a literal secret (%s): "+
			"use ${ENV_VAR} for it, or chmod 600 %s", path, strings.Join(cfg.literalSecrets, ", "), path)}
	}
	cfg.path = path
	if cfg.Store != "" && !filepath.IsAbs(cfg.Store) {
		cfg.Store = filepath.Join(filepath.Dir(path), cfg.Store)
	}
	if cfg.Templates != "" && !filepath.IsAbs(cfg.Templates) {
		cfg.Templates = filepath.Join(filepath.Dir(path), cfg.Templates)
	}
	return cfg, nil
}

// missingConfig says how to create the file; it is an os.ErrNotExist.
type missingConfig string

func (m missingConfig) Error() string {
	return fmt.Sprintf("config %s not found: create one with `revwatch init --config %s`", string(m), string(m))
}

func (m missingConfig) Unwrap() error { return os.ErrNotExist }

// ParseConfig decodes and validates config bytes; lookup resolves ${VAR}.
func ParseConfig(raw []byte, reg sources.Registry, lookup func(string) (string, bool)) (*Config, error) {
	cfg := &Config{Store: "revwatch.db", Rules: watcher.DefaultRules()}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		return nil, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var root yaml.Node
	_ = yaml.Unmarshal(raw, &root)
	lines := map[string]int{}
	nodeLines(&root, "", lines)
	// Expand after decoding, in strings only, so a secret holding ':' or
	// '#' can't reshape the document.
	expanded := map[string]string{}
	record := func(k string) (string, bool) {
		v, ok := lookup(k)
		if ok {
			expanded[k] = v
		}
		return v, ok
	}
	if err := expandEnv(reflect.ValueOf(cfg).Elem(), "", record, lines, &cfg.literalSecrets); err != nil {
		return nil, redactEnv(err, expanded)
	}
	if err := cfg.validate(reg, lines); err != nil {
		return nil, redactEnv(err, expanded)
	}
	return cfg, nil
}

// redactEnv replaces values that came from the environment with their
// ${NAME} in a config error: a token put under the wrong key (listen:
// ${SLACK_BOT_TOKEN}) must not reach the terminal or the logs.
func redactEnv(err error, expanded map[string]string) error {
	msg := err.Error()
	for k, v := range expanded {
		if len(v) >= 4 {
			msg = strings.ReplaceAll(msg, v, "${"+k+"}")
		}
	}
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// expandEnv replaces ${VAR} and ${VAR:-default} in every string field.
// An unset variable without default expands to "" (so an unset
// SLACK_BOT_TOKEN means console alerts), except in url/endpoint keys
// where an empty value would be an error anyway.
func expandEnv(v reflect.Value, path string, lookup func(string) (string, bool), lines map[string]int, literal *[]string) error {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			return expandEnv(v.Elem(), path, lookup, lines, literal)
		}
	case reflect.String:
		s := v.String()
		if !strings.Contains(s, "${") {
			if s != "" && v.Type() == reflect.TypeFor[sources.Secret]() {
				*literal = append(*literal, path)
			}
			return nil
		}
		var missing []string
		out := envRef.ReplaceAllStringFunc(s, func(m string) string {
			g := envRef.FindStringSubmatch(m)
			if val, ok := lookup(g[1]); ok && val != "" {
				return val
			}
			if g[2] != "" {
				return g[3]
			}
			missing = append(missing, g[1])
			return ""
		})
		if len(missing) > 0 && (strings.HasSuffix(path, ".url") || strings.HasSuffix(path, ".endpoint")) {
			return fmt.Errorf("%s%s: environment variable %s is not set", path, at(lines, path), strings.Join(missing, ", "))
		}
		v.SetString(out)
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if name == "-" || name == "" {
				continue
			}
			if err := expandEnv(v.Field(i), join(path, name), lookup, lines, literal); err != nil {
				return err
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if err := expandEnv(v.Index(i), path+"["+strconv.Itoa(i)+"]", lookup, lines, literal); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// nodeLines maps key paths ("businesses[0].listings[1].schedule") to lines.
func nodeLines(n *yaml.Node, path string, lines map[string]int) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			nodeLines(c, path, lines)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := join(path, n.Content[i].Value)
			lines[p] = n.Content[i].Line
			nodeLines(n.Content[i+1], p, lines)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := path + "[" + strconv.Itoa(i) + "]"
			lines[p] = c.Line
			nodeLines(c, p, lines)
		}
	}
}

// at formats the line of a key path, or of its nearest parent.
func at(lines map[string]int, path string) string {
	for p := path; p != ""; {
		if l, ok := lines[p]; ok {
			return " (line " + strconv.Itoa(l) + ")"
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return ""
}

func (c *Config) validate(reg sources.Registry, lines map[string]int) error {
	var errs []error
	bad := func(path, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s%s: %s", path, at(lines, path), fmt.Sprintf(format, a...)))
	}
	if strings.TrimSpace(c.Store) == "" {
		bad("store", "must name the database file, e.g. ./revwatch.db")
	}
	if c.Slack.Token != "" && c.Slack.Channel == "" {
		bad("slack.channel", "is required when slack.token is set (e.g. \"#reviews\")")
	}
	if c.Slack.APIURL != "" {
		if u, err := url.Parse(c.Slack.APIURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			bad("slack.api_url", "%q is not an absolute http(s) URL", c.Slack.APIURL)
		}
	}
	if tok := c.Slack.Token.Reveal(); tok != "" && !strings.HasPrefix(tok, "xox") {
		bad("slack.token", "does not look like a Slack bot token (xoxb-...)")
	}
	if err := c.Rules.Validate(); err != nil {
		for _, e := range unjoin(err) {
			key, _, _ := strings.Cut(e.Error(), ":")
			bad(key, "%s", strings.TrimSpace(strings.TrimPrefix(e.Error(), key+":")))
		}
	}
	if c.Listen == "" {
		c.Listen = defaultListen
	}
	if c.Listen != "off" {
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			bad("listen", "%q: want host:port such as 127.0.0.1:8080, or off", c.Listen)
		}
	}
	if c.GooglePubSub.Token != "" && c.Listen == "off" {
		bad("google_pubsub.token", "push notifications need the listener: set listen to an address")
	}
	if c.HTTP.MaxBodyMB < 0 {
		bad("http.max_body_mb", "must not be negative")
	}
	if len(c.Businesses) == 0 {
		bad("businesses", "add at least one business with a listing (see `revwatch init`)")
	}
	bizIDs, listingIDs := map[string]bool{}, map[string]string{}
	for i := range c.Businesses {
		b := &c.Businesses[i]
		bp := fmt.Sprintf("businesses[%d]", i)
		switch {
		case b.ID == "":
			bad(bp+".id", "is required")
		case !idPattern.MatchString(b.ID):
			bad(bp+".id", "%q: use lower-case letters, digits, '-', '_' or '.'", b.ID)
		case bizIDs[b.ID]:
			bad(bp+".id", "%q is used twice", b.ID)
		}
		bizIDs[b.ID] = true
		if b.Name == "" {
			b.Name = b.ID
		}
		if b.Language == "" {
			b.Language = "en"
		} else if !templates.WritesLanguage(b.Language) {
			bad(bp+".language", "%q: drafts are written in %s (a review in another language gets its draft in this one)",
				b.Language, strings.Join(templates.Languages(), ", "))
		}
		if b.Tone != "" && b.Tone != "warm" && b.Tone != "formal" {
			bad(bp+".tone", "%q: want warm or formal", b.Tone)
		}
		if b.Privacy != "" && b.Privacy != "strict" {
			bad(bp+".privacy", "%q: want strict, or leave it out", b.Privacy)
		}
		for topic := range b.Fixes {
			if !slices.Contains(templates.Topics(), topic) {
				bad(bp+".fixes."+topic, "unknown topic (topics: %s)", strings.Join(templates.Topics(), ", "))
			}
		}
		b.validateDigest(bp, bad)
		if len(b.Listings) == 0 {
			bad(bp+".listings", "add at least one listing")
		}
		for j := range b.Listings {
			l := &b.Listings[j]
			lp := fmt.Sprintf("%s.listings[%d]", bp, j)
			l.Business = b.ID
			switch {
			case l.ID == "":
				bad(lp+".id", "is required")
			case !idPattern.MatchString(l.ID):
				bad(lp+".id", "%q: use lower-case letters, digits, '-', '_' or '.'", l.ID)
			case listingIDs[l.ID] != "":
				bad(lp+".id", "%q is already used at %s", l.ID, listingIDs[l.ID])
			}
			listingIDs[l.ID] = lp
			p, err := reg.Lookup(l.Source)
			if err != nil {
				bad(lp+".source", "%v", err)
				continue
			}
			if l.Schedule == "" {
				l.Schedule = cmp.Or(p.DefaultSchedule, defaultSchedule)
				if l.Competitor {
					l.Schedule = watcher.CompetitorSchedule(l.Schedule)
				}
			}
			if _, err := watcher.ParseSchedule(l.Schedule); err != nil {
				bad(lp+".schedule", "%v", err)
			}
			if l.FullSync != "" {
				if _, err := watcher.ParseSchedule(l.FullSync); err != nil {
					bad(lp+".full_sync", "%v", err)
				}
			}
			if err := p.Validate(*l); err != nil {
				for _, e := range unjoin(err) {
					key, msg := listingKeyOf(l.Source, e.Error())
					if key != "" {
						bad(lp+"."+key, "%s", msg)
					} else {
						bad(lp, "%s", msg)
					}
				}
			}
		}
	}
	return errors.Join(errs...)
}

// unjoin flattens errors.Join trees (validators join joined errors).
func unjoin(err error) []error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, unjoin(e)...)
	}
	return out
}

// listing finds a configured listing and its business by id.
func (c *Config) listing(id string) (Business, sources.Listing, bool) {
	for _, b := range c.Businesses {
		for _, l := range b.Listings {
			if l.ID == id {
				return b, l, true
			}
		}
	}
	return Business{}, sources.Listing{}, false
}

// listingIDs lists every configured listing id, for error messages.
func (c *Config) listingIDs() []string {
	var ids []string
	for _, b := range c.Businesses {
		for _, l := range b.Listings {
			ids = append(ids, l.ID)
		}
	}
	return ids
}

func defaultRules() watcher.Rules { return watcher.DefaultRules() }

// listingKeys are the config keys of a listing (its yaml tags).
var listingKeys = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeOf(sources.Listing{})
	for i := 0; i < t.NumField(); i++ {
		if k := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]; k != "" && k != "-" {
			m[k] = true
		}
	}
	return m
}()

// listingKeyOf finds which key a source's validation error is about, so the
// error can point at its line: sources say "<key>: ..." (or "<key>
// is ..."), possibly after "<source>: " and "bad listing config: ".
func listingKeyOf(source, msg string) (key, rest string) {
	rest = strings.TrimPrefix(msg, source+": ")
	rest = strings.TrimPrefix(rest, sources.ErrConfig.Error()+": ")
	first := rest
	if i := strings.IndexAny(first, ": "); i >= 0 {
		first = first[:i]
	}
	base, _, _ := strings.Cut(first, ".") // oauth.refresh_token -> oauth
	if listingKeys[base] {
		return first, strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(rest, first), ":"))
	}
	return "", rest
}
