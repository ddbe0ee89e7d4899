package sources

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/robfig/cron/v3"
)

// TestRegistryConformance holds every registered platform to the house
// rules: its own testdata, a fuzz test of its parser, a label, a default
// schedule and a stated limit, and validation that names what is missing.
// A platform added without these fails CI.
func TestRegistryConformance(t *testing.T) {
	parser := cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	for _, name := range Default().Names() {
		p := Default()[name]
		t.Run(name, func(t *testing.T) {
			if p.Label == "" || p.Limit == "" || p.New == nil || p.Validate == nil {
				t.Errorf("platform entry incomplete: %+v", p)
			}
			if _, err := parser.Parse(p.DefaultSchedule); err != nil {
				t.Errorf("default schedule %q: %v", p.DefaultSchedule, err)
			}
			entries, err := os.ReadDir(filepath.Join("testdata", name))
			if err != nil || len(entries) == 0 {
				t.Errorf("no fixtures in testdata/%s: every platform needs its own", name)
			}
			tests, _ := filepath.Glob(name + "*_test.go")
			fuzz := false
			for _, f := range tests {
				b, _ := os.ReadFile(f)
				fuzz = fuzz || strings.Contains(string(b), "func Fuzz")
			}
			if !fuzz {
				t.Errorf("no fuzz test in %s*_test.go", name)
			}
			err = p.Validate(Listing{ID: "x", Source: name})
			if !errors.Is(err, ErrConfig) {
				t.Errorf("an empty listing validates (err = %v): required keys must be named", err)
			}
			if err := p.Validate(Listing{ID: "x", Source: name, PackageName: "com.example.wrong", LocationID: "1"}); name != "googleplay" && name != "tripadvisor" && err == nil {
				t.Errorf("keys of other platforms are accepted")
			}
		})
	}
}
