package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// result is one figure beside its limit: the -json line format. Limit and
// Ratio are null for a figure without a limit (alert latency).
type result struct {
	Figure string   `json:"figure"`
	Value  float64  `json:"value"`
	Unit   string   `json:"unit"`
	Limit  *float64 `json:"limit"`
	Ratio  *float64 `json:"ratio"`
	Budget string   `json:"budget"`
	OK     bool     `json:"ok"`
}

// row builds a result whose ratio is value/limit; ok decides the budget
// from (value, ratio).
func row(fig string, value float64, unit string, limit float64, budget string, ok func(value, ratio float64) bool) result {
	r := result{Figure: fig, Value: round(value), Unit: unit, Budget: budget}
	if !math.IsNaN(limit) {
		l := round(limit)
		r.Limit = &l
		if limit != 0 {
			q := round(value / limit)
			r.Ratio = &q
		}
	}
	ratio := math.NaN()
	if r.Ratio != nil {
		ratio = value / limit
	}
	r.OK = ok(value, ratio)
	return r
}

// failed is the row of a figure that could not be measured.
func failed(fig, unit, budget string) result {
	return result{Figure: fig, Unit: unit, Budget: budget, OK: false}
}

func round(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	if math.Abs(v) >= 1000 {
		return math.Round(v) // counts and bytes stay exact
	}
	// Four significant digits: enough for a ratio, readable for a rate.
	mag := math.Pow(10, 3-math.Floor(math.Log10(math.Abs(v))))
	return math.Round(v*mag) / mag
}

// bench is one run: its settings, scratch folder and notes.
type bench struct {
	dir      string // scratch folder for stores, configs, binaries
	root     string // the module's root folder
	fixtures string // recorded real pages (../shared/fixtures/real)
	binary   string // a prebuilt revwatch binary, or "" to build one
	stderr   io.Writer
	profile  string // folder for CPU profiles of in-process groups ("" = none)

	reviews       int // backfill ingest size
	listings      int // listings the ingest spreads reviews over
	sweepListings int // listings of the loopback site
	parallel      int // concurrent polls in sweeps (the daemon's --parallel)

	notes []string
	// ingestStore is the store the ingest figure filled (export reads it).
	ingestStore string
	ingestIDs   []string
	// sweepTime is the schemaorg sweep's duration, to pace the daemon.
	sweepTime time.Duration
}

func (b *bench) logf(format string, a ...any) {
	fmt.Fprintf(b.stderr, "bench: "+format+"\n", a...)
}

// note records an observation for the report (text mode prints them).
func (b *bench) note(format string, a ...any) {
	s := fmt.Sprintf(format, a...)
	b.notes = append(b.notes, s)
	b.logf("note: %s", s)
}

// group is a set of figures measured together.
type group struct {
	name string
	what string
	run  func(ctx context.Context, b *bench) ([]result, error)
	// rows are the figures' names and units, for the rows of a group that
	// failed before measuring anything.
	rows [][3]string
}

var groups = []group{
	{name: "parse", what: "parse MB/s per source on the recorded real pages", run: runParse},
	{name: "poll", what: "steady-state poll cost per listing with nothing new", run: runPoll},
	{name: "alert", what: "alert latency, end of poll to the Slack request", run: runAlert,
		rows: [][3]string{{"alert latency p99 (poll end -> Slack request)", "ms", "p99 < 50 ms"}}},
	{name: "sweep", what: "full sweep against a loopback site vs a bare net/http client", run: runSweep,
		rows: [][3]string{{"sweep of N listings (schemaorg, 50-200 KB pages)", "s", "<= 1.3x the bare client's time"}}},
	{name: "daemon", what: "daemon memory after 3 sweeps", run: runDaemon,
		rows: [][3]string{{"daemon RSS after 3 sweeps", "MB", "<= 80 MB"}, {"daemon RSS growth, sweep 2 -> 3", "MB", "no growth (<= 5% of sweep 2's RSS)"}}},
	{name: "ingest", what: "backfill ingest and store size per review", run: runIngest,
		rows: [][3]string{{"backfill ingest (trustpilot API pages -> CommitPages)", "reviews/s", ">= 0.5x raw insert and > 50,000 reviews/s"}, {"store size per review", "bytes", "<= 1.5x the review's JSON"}}},
	{name: "export", what: "`revwatch reviews --format json` over the ingested store", run: runExport,
		rows: [][3]string{{"reviews --format json: time", "s", "<= 3x the raw scan"}, {"reviews --format json: peak anon RSS", "MB", "flat: <= 1 listing's export + 16 MB"}}},
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("revwatch-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		jsonOut  = fs.Bool("json", false, "print one JSON object per figure per line")
		only     = fs.String("only", "", "comma-separated groups to run (default all): "+groupNames())
		dir      = fs.String("dir", "", "scratch folder (default: a new temporary folder, removed at the end)")
		keep     = fs.Bool("keep", false, "keep the scratch folder")
		fixtures = fs.String("fixtures", "", "recorded real pages (default: ../shared/fixtures/real beside the module)")
		binary   = fs.String("revwatch", "", "a prebuilt revwatch binary (default: go build ./cmd/revwatch)")
		profile  = fs.String("cpuprofile", "", "write a CPU profile per in-process group into this folder")
		reviews  = fs.Int("reviews", 1_000_000, "reviews to backfill")
		listings = fs.Int("listings", 50, "listings the backfilled reviews are spread over")
		sweep    = fs.Int("sweep-listings", 10_000, "listings of the loopback site (sweep and daemon)")
		parallel = fs.Int("parallel", 4, "concurrent polls in a sweep (the daemon's default --parallel)")
		reuse    = fs.String("reuse-store", "", "export from this store, filled by an earlier run with the same -reviews and -listings, instead of ingesting")
	)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *reviews < *listings || *listings < 1 || *sweep < 1 || *parallel < 1 {
		fmt.Fprintln(stderr, "revwatch-bench: bad arguments (see -h)")
		return 2
	}
	selected := map[string]bool{}
	for _, n := range strings.Split(*only, ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		if !slices.ContainsFunc(groups, func(g group) bool { return g.name == n }) {
			fmt.Fprintf(stderr, "revwatch-bench: -only: unknown group %q (have %s)\n", n, groupNames())
			return 2
		}
		selected[n] = true
	}
	if selected["export"] && *reuse == "" {
		selected["ingest"] = true // export reads the store the ingest fills
	}
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(stderr, "revwatch-bench:", err)
		return 2
	}
	b := &bench{root: root, binary: *binary, stderr: stderr, profile: *profile, reviews: *reviews, listings: *listings,
		sweepListings: *sweep, parallel: *parallel, fixtures: *fixtures}
	if *reuse != "" {
		b.ingestStore = *reuse
		for i := range b.listings {
			b.ingestIDs = append(b.ingestIDs, ingestID(i))
		}
	}
	if b.fixtures == "" {
		// ../shared beside the module; a worktree under wt/ has it two up.
		b.fixtures = filepath.Join(root, "..", "shared", "fixtures", "real")
		for _, up := range []string{filepath.Join(root, "..", "..", "shared", "fixtures", "real")} {
			if _, err := os.Stat(b.fixtures); err != nil {
				if _, err := os.Stat(up); err == nil {
					b.fixtures = up
				}
			}
		}
	}
	if *dir != "" {
		b.dir = *dir
		if err := os.MkdirAll(b.dir, 0o755); err != nil {
			fmt.Fprintln(stderr, "revwatch-bench:", err)
			return 2
		}
	} else {
		b.dir, err = os.MkdirTemp("", "revwatch-bench-")
		if err != nil {
			fmt.Fprintln(stderr, "revwatch-bench:", err)
			return 2
		}
		if !*keep {
			defer os.RemoveAll(b.dir)
		}
	}
	if b.profile != "" {
		if err := os.MkdirAll(b.profile, 0o755); err != nil {
			fmt.Fprintln(stderr, "revwatch-bench:", err)
			return 2
		}
	}

	b.logf("machine: %s", machine())
	start := time.Now()
	var results []result
	for _, g := range groups {
		if len(selected) > 0 && !selected[g.name] {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		b.logf("%s: %s", g.name, g.what)
		t0 := time.Now()
		rs, err := b.measure(ctx, g)
		if err != nil {
			b.note("%s: not measured: %v", g.name, err)
			if len(rs) == 0 {
				for _, r := range g.rows {
					rs = append(rs, failed(r[0], r[1], r[2]))
				}
			}
		}
		b.logf("%s: done in %s", g.name, time.Since(t0).Round(time.Millisecond))
		results = append(results, rs...)
		if *jsonOut {
			enc := json.NewEncoder(stdout)
			for _, r := range rs {
				enc.Encode(r)
			}
		}
		runtime.GC()
	}
	total := time.Since(start)
	if !*jsonOut {
		fmt.Fprintf(stdout, "machine: %s\ncommand: revwatch-bench %s\n\n", machine(), strings.Join(args, " "))
		printTable(stdout, results, b.notes, total)
	} else {
		b.logf("total %s", total.Round(time.Second))
	}
	if ctx.Err() != nil {
		return 1
	}
	for _, r := range results {
		if !r.OK {
			return 1
		}
	}
	return 0
}

// measure runs one group, under a CPU profile when asked.
func (b *bench) measure(ctx context.Context, g group) ([]result, error) {
	if b.profile != "" {
		f, err := os.Create(filepath.Join(b.profile, g.name+".pprof"))
		if err == nil {
			if err := pprof.StartCPUProfile(f); err == nil {
				defer func() { pprof.StopCPUProfile(); f.Close() }()
			} else {
				f.Close()
			}
		}
	}
	return g.run(ctx, b)
}

func groupNames() string {
	var n []string
	for _, g := range groups {
		n = append(n, g.name)
	}
	return strings.Join(n, ",")
}

// printTable writes the human report: each figure beside its limit.
func printTable(w io.Writer, rs []result, notes []string, total time.Duration) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FIGURE\tVALUE\tLIMIT\tRATIO\tBUDGET\tOK")
	for _, r := range rs {
		lim, ratio := "-", "-"
		if r.Limit != nil {
			lim = num(*r.Limit) + " " + r.Unit
		}
		if r.Ratio != nil {
			ratio = num(*r.Ratio) + "x"
		}
		ok := "ok"
		if !r.OK {
			ok = "MISS"
		}
		fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\t%s\t%s\n", r.Figure, num(r.Value), r.Unit, lim, ratio, r.Budget, ok)
	}
	tw.Flush()
	if len(notes) > 0 {
		fmt.Fprintln(w, "\nNotes:")
		for _, n := range notes {
			fmt.Fprintln(w, "- "+n)
		}
	}
	fmt.Fprintf(w, "\ntotal time %s\n", total.Round(time.Second))
}

func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// machine describes the computer the figures come from: CPU model, cores,
// RAM, Go version and the load when the run started.
func machine() string {
	cpu, mem, load := "unknown CPU", "unknown RAM", "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "MemTotal:"); ok {
				if kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64); err == nil {
					mem = fmt.Sprintf("%.1f GiB RAM", kb/(1<<20))
				}
			}
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(b))[:min(3, len(strings.Fields(string(b))))], " ")
	}
	return fmt.Sprintf("%s, %d cores, %s, %s %s/%s, load average %s", cpu, runtime.NumCPU(), mem, runtime.Version(), runtime.GOOS, runtime.GOARCH, load)
}

// moduleRoot finds the folder holding go.mod, from the working directory up.
func moduleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		up := filepath.Dir(d)
		if up == d {
			return "", errors.New("run from inside the revwatch module (no go.mod found above the working directory)")
		}
		d = up
	}
}

// nanLimit marks a figure without a limit (row leaves limit and ratio null).
var nanLimit = math.NaN()
