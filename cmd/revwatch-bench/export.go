package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// runExport times `revwatch reviews --format json` (the built binary,
// stdout into a pipe this process drains) over the ingested store, beside
// a raw scan of the same records (a read transaction walking every
// reviews/<listing> bucket newest first, copying each value into a
// buffered discard). The scan runs before and after the export; the limit
// is their mean. Memory is the export's peak anonymous RSS (file-backed
// pages of the mmapped store are page cache, not the process's), beside
// the same command exporting one listing: flat means it does not grow with
// the number of reviews.
func runExport(ctx context.Context, b *bench) ([]result, error) {
	const (
		figTime, budgetTime = "reviews --format json: time", "<= 3x the raw scan"
		figMem, budgetMem   = "reviews --format json: peak anon RSS", "flat: <= 1 listing's export + 16 MB"
	)
	if b.ingestStore == "" {
		return nil, errors.New("no ingested store (the ingest group failed)")
	}
	bin, err := b.revwatchBinary(ctx)
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(b.dir, "export.yaml")
	var y strings.Builder
	fmt.Fprintf(&y, "store: %s\nlisten: \"off\"\nbusinesses:\n  - id: bench\n    name: Bench\n    listings:\n", b.ingestStore)
	for i, id := range b.ingestIDs {
		fmt.Fprintf(&y, "      - {id: %s, source: trustpilot, api_key: bench-key, business_unit_id: %s, endpoint: \"https://api.trustpilot.com/\"}\n", id, tpUnitID(i))
	}
	if err := os.WriteFile(cfg, []byte(y.String()), 0o600); err != nil {
		return nil, err
	}

	scan1, n, err := rawScan(b.ingestStore)
	if err != nil {
		return nil, err
	}
	full, err := b.export(ctx, bin, cfg, "")
	if err != nil {
		return nil, err
	}
	scan2, _, err := rawScan(b.ingestStore)
	if err != nil {
		return nil, err
	}
	one, err := b.export(ctx, bin, cfg, b.ingestIDs[0])
	if err != nil {
		return nil, err
	}
	if full.objects != n {
		return nil, fmt.Errorf("the export wrote %d reviews, the store holds %d", full.objects, n)
	}
	scan := (scan1 + scan2) / 2
	b.note("export: %d reviews, %.0f MB of JSON in %.1fs (%.0f MB/s); raw scan %.2fs and %.2fs; peak RSS %.0f MB of which anon %.0f MB; one listing (%d reviews): anon %.0f MB",
		full.objects, float64(full.bytes)/1e6, full.took.Seconds(), float64(full.bytes)/1e6/full.took.Seconds(),
		scan1.Seconds(), scan2.Seconds(), mb(full.peakRSS), mb(full.peakAnon), one.objects, mb(one.peakAnon))
	limitMem := mb(one.peakAnon)
	return []result{
		row(figTime, full.took.Seconds(), "s", scan.Seconds(), budgetTime, func(_, r float64) bool { return r <= 3 }),
		row(figMem, mb(full.peakAnon), "MB", limitMem, budgetMem, func(v, _ float64) bool { return v <= limitMem+16 }),
	}, nil
}

// exportRun is one `revwatch reviews --format json`.
type exportRun struct {
	took              time.Duration
	bytes             int64
	objects           int
	peakRSS, peakAnon int64
}

func (b *bench) export(ctx context.Context, bin, cfg, listing string) (exportRun, error) {
	args := []string{"reviews", "--format", "json", "--config", cfg}
	if listing != "" {
		args = append(args, "--listing", listing)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return exportRun{}, err
	}
	var r exportRun
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return r, err
	}
	mem := sampleMem(cmd.Process.Pid, 10*time.Millisecond)
	// Drain as a consumer would, checking the shape: "[", one object a
	// line, "]".
	br := bufio.NewReaderSize(out, 1<<20)
	var head, tail []byte
	buf := make([]byte, 1<<20)
	lines := 0
	for {
		k, err := br.Read(buf)
		if k > 0 {
			chunk := buf[:k]
			if len(head) < 2 {
				head = append(head, chunk[:min(2, k)]...)
			}
			lines += bytes.Count(chunk, []byte{'\n'})
			tail = append(tail, chunk[max(0, k-4):]...)
			tail = tail[max(0, len(tail)-4):]
			r.bytes += int64(k)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			mem.close()
			return r, err
		}
	}
	werr := cmd.Wait()
	r.took = time.Since(start)
	mem.close()
	r.peakRSS, r.peakAnon = mem.peaks(false)
	if werr != nil {
		return r, fmt.Errorf("revwatch %s: %v: %s", strings.Join(args, " "), werr, bytes.TrimSpace(stderr.Bytes()))
	}
	if !bytes.HasPrefix(head, []byte("[")) || !bytes.HasSuffix(tail, []byte("]\n")) {
		return r, fmt.Errorf("revwatch %s: output is not one JSON array (starts %q, ends %q)", strings.Join(args, " "), head, tail)
	}
	r.objects = lines - 2 // "[" and "]" lines
	return r, nil
}

// rawScan reads every stored review record the way the CLI walks them
// (listings in name order, newest first) without decoding, copying each
// value into a buffer that discards. It returns the time and the count.
func rawScan(path string) (time.Duration, int, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 2 * time.Second})
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	n := 0
	start := time.Now()
	w := bufio.NewWriterSize(io.Discard, 64<<10)
	err = db.View(func(tx *bolt.Tx) error {
		top := tx.Bucket([]byte("reviews"))
		if top == nil {
			return fmt.Errorf("%s: no reviews bucket (store layout changed?)", path)
		}
		var names []string
		top.ForEachBucket(func(k []byte) error { names = append(names, string(k)); return nil })
		slices.Sort(names)
		for _, name := range names {
			c := top.Bucket([]byte(name)).Cursor()
			for k, v := c.Last(); k != nil; k, v = c.Prev() {
				w.Write(v)
				n++
			}
		}
		return w.Flush()
	})
	return time.Since(start), n, err
}
