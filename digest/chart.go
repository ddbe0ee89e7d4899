package digest

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// ErrNoHistory: no listing has a rating snapshot in the chart's window.
var ErrNoHistory = errors.New("no rating history to chart")

// palette tells listings apart; competitors are drawn dashed.
var palette = []drawing.Color{
	{R: 0x1f, G: 0x77, B: 0xb4, A: 255}, {R: 0xd6, G: 0x27, B: 0x28, A: 255}, {R: 0x2c, G: 0xa0, B: 0x2c, A: 255},
	{R: 0xff, G: 0x7f, B: 0x0e, A: 255}, {R: 0x94, G: 0x67, B: 0xbd, A: 255}, {R: 0x8c, G: 0x56, B: 0x4b, A: 255},
	{R: 0xe3, G: 0x77, B: 0xc2, A: 255}, {R: 0x7f, G: 0x7f, B: 0x7f, A: 255},
}

// Chart writes a PNG (1000×500) of the series' ratings from from to to,
// one step line per listing (competitors dashed), legend below. Every text on it is Latin (Renderable): Roboto, the
// embedded font, has no glyphs for other scripts.
func Chart(w io.Writer, title string, series []Series, from, to time.Time) error {
	if !to.After(from) {
		return fmt.Errorf("chart: the window ends before it starts")
	}
	var ss []chart.Series
	for i, s := range series {
		if len(s.Points) == 0 {
			continue
		}
		ts := chart.TimeSeries{Name: Label(s.Listing), Style: chart.Style{StrokeColor: palette[i%len(palette)], StrokeWidth: 2.5}}
		if s.Listing.Competitor {
			ts.Style.StrokeDashArray = []float64{6, 4}
			ts.Style.StrokeWidth = 2
		}
		// A step line: a rating holds until the next snapshot, and the
		// last one holds until the window's end.
		for j, p := range s.Points {
			at := clampTime(p.At, from, to)
			if j > 0 {
				ts.XValues = append(ts.XValues, at)
				ts.YValues = append(ts.YValues, s.Points[j-1].Rating)
			}
			ts.XValues = append(ts.XValues, at)
			ts.YValues = append(ts.YValues, p.Rating)
		}
		ts.XValues = append(ts.XValues, to)
		ts.YValues = append(ts.YValues, s.Points[len(s.Points)-1].Rating)
		ss = append(ss, ts)
	}
	if len(ss) == 0 {
		return ErrNoHistory
	}
	// The Y axis ends at 5 and starts half a star below the lowest rating
	// (at 1 at most), on half-star ticks set here: go-chart's automatic
	// ticks fall on odd values (1.58, 2.15, ...), and a 1-5 axis would flatten
	// a 4.5 to 4.4 drop into a line.
	lo := 5.0
	for _, s := range series {
		for _, p := range s.Points {
			lo = min(lo, p.Rating)
		}
	}
	lo = max(1, math.Floor(lo*2)/2-0.5)
	var yticks []chart.Tick
	var grid []chart.GridLine
	for v := lo; v <= 5; v += 0.5 {
		yticks = append(yticks, chart.Tick{Value: v, Label: fmt.Sprintf("%.1f", v)})
		grid = append(grid, chart.GridLine{Value: v})
	}
	var xticks []chart.Tick
	step := max(24*time.Hour, to.Sub(from)/6).Truncate(24 * time.Hour)
	for t := from; !t.After(to); t = t.Add(step) {
		xticks = append(xticks, chart.Tick{Value: chart.TimeToFloat64(t), Label: t.Format("Jan 2")})
	}
	// The legend sits between the title and the plot, three to a row.
	rows := (len(ss) + legendColumns - 1) / legendColumns
	c := chart.Chart{
		Title:      Renderable(title, "Rating history"),
		TitleStyle: chart.Style{FontSize: 14},
		Width:      1000,
		Height:     500 + 20*(rows-1),
		Background: chart.Style{Padding: chart.Box{Top: legendTop + 20*rows + 10, Left: 20, Right: 20, Bottom: 20}},
		XAxis: chart.XAxis{
			Range: &chart.ContinuousRange{Min: chart.TimeToFloat64(from), Max: chart.TimeToFloat64(to)},
			Ticks: xticks,
		},
		YAxis: chart.YAxis{
			Name:           "stars",
			Range:          &chart.ContinuousRange{Min: lo, Max: 5},
			Ticks:          yticks,
			GridLines:      grid,
			GridMajorStyle: chart.Style{StrokeColor: drawing.Color{R: 0xdd, G: 0xdd, B: 0xdd, A: 255}, StrokeWidth: 1},
		},
		Series: ss,
	}
	c.Elements = []chart.Renderable{legend(ss)}
	if err := c.Render(chart.PNG, w); err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	return nil
}

// Legend layout: where its first row's baseline is, and how many labels a row holds.
const (
	legendTop     = 48
	legendColumns = 3
)

// legend draws each series' line sample and label in rows under the title.
func legend(ss []chart.Series) chart.Renderable {
	return func(r chart.Renderer, cb chart.Box, defaults chart.Style) {
		r.SetFont(defaults.GetFont())
		r.SetFontColor(chart.DefaultTextColor)
		r.SetFontSize(10)
		colWidth := (cb.Right - cb.Left) / legendColumns
		for i, s := range ss {
			st := s.GetStyle()
			x := cb.Left + (i%legendColumns)*colWidth
			y := legendTop + 20*(i/legendColumns)
			r.SetStrokeColor(st.StrokeColor)
			r.SetStrokeWidth(st.StrokeWidth)
			r.SetStrokeDashArray(st.StrokeDashArray)
			r.MoveTo(x, y-4)
			r.LineTo(x+28, y-4)
			r.Stroke()
			r.Text(s.GetName(), x+36, y)
		}
	}
}

func clampTime(t, from, to time.Time) time.Time {
	switch {
	case t.Before(from):
		return from
	case t.After(to):
		return to
	}
	return t
}

// Label names a listing on a chart: its name when Roboto can draw all of
// it, else its id (ids are lower-case ASCII), then the platform, and
// "competitor" for competitors.
func Label(l Listing) string {
	s := Renderable(Shorten(l.Name, 32), l.ID) + " - " + Renderable(cmp.Or(l.PlatformLabel, l.Platform), l.Platform)
	if l.Competitor {
		s += " (competitor)"
	}
	return s
}

// Renderable returns s when every rune is one the chart font draws
// correctly without shaping or bidi (printable Latin: ASCII, Latin-1 and
// Latin Extended-A/B, general punctuation), else fallback. A name in
// Persian, Hebrew or Chinese thus never reaches the chart as boxes or
// reversed letters.
func Renderable(s, fallback string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return fallback
	}
	for _, r := range s {
		ok := (r >= 0x20 && r < 0x7f) || (r >= 0xa0 && r <= 0x24f) || (r >= 0x2010 && r <= 0x2027)
		if !ok {
			return fallback
		}
	}
	return s
}
