package notify

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/revwatch/revwatch/store"
)

func TestConsoleGolden(t *testing.T) {
	var buf bytes.Buffer
	c := NewConsole(&buf)
	c.now = testNow
	for _, na := range testAlerts() {
		r, err := c.Deliver(context.Background(), na.alert)
		if err != nil {
			t.Fatalf("%s: %v", na.name, err)
		}
		if want := (store.Receipt{Notifier: "console", At: t0}); r != want {
			t.Errorf("%s: receipt = %+v, want %+v", na.name, r, want)
		}
	}
	golden(t, "console.golden", buf.Bytes())
}

func TestConsoleKeepsWholeText(t *testing.T) {
	a := testAlerts()[0].alert
	a.Review.Text = strings.Repeat("x", 4000) + "END"
	var buf bytes.Buffer
	if _, err := NewConsole(&buf).Deliver(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "xEND") {
		t.Error("console cut the review text")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestConsoleWriteErrorIsRetryable(t *testing.T) {
	_, err := NewConsole(failWriter{}).Deliver(context.Background(), testAlerts()[0].alert)
	if err == nil || errors.Is(err, ErrPermanent) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
}
