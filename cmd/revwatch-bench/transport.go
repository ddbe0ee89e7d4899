package main

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
)

// memTransport answers requests from memory, so a figure measures the
// source's code path (Env, colly, parsing) without any network. It counts
// requests and body bytes like a server would.
type memTransport struct {
	route    func(r *http.Request) memResponse
	requests atomic.Int64
	bytes    atomic.Int64
}

// memResponse is one canned answer.
type memResponse struct {
	status int
	ctype  string
	body   []byte
	header http.Header
}

func (t *memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	m := t.route(r)
	if m.status == 0 {
		m.status = http.StatusOK
	}
	h := http.Header{}
	for k, v := range m.header {
		h[k] = v
	}
	if m.ctype != "" {
		h.Set("Content-Type", m.ctype)
	}
	h.Set("Content-Length", strconv.Itoa(len(m.body)))
	t.requests.Add(1)
	t.bytes.Add(int64(len(m.body)))
	return &http.Response{
		Status:        strconv.Itoa(m.status) + " " + http.StatusText(m.status),
		StatusCode:    m.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(m.body)),
		ContentLength: int64(len(m.body)),
		Request:       r,
	}, nil
}

const (
	ctypeHTML = "text/html; charset=utf-8"
	ctypeJSON = "application/json; charset=utf-8"
)

// countingWriter counts the body bytes a handler writes.
type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n.Add(int64(n))
	return n, err
}
