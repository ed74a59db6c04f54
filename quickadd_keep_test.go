package taskapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi"
)

func TestParseQuickAddKeeping(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 14, 30, 0, 0, paris) // a Wednesday
	at := func(d, h int) *time.Time {
		v := time.Date(2026, 12, d, h, 0, 0, 0, paris).UTC()
		return &v
	}
	// keep names the parts to keep by their text (the n-th occurrence, 0 first).
	type part struct {
		text string
		n    int
	}
	tests := []struct {
		text     string
		keep     []part
		title    string
		due      *time.Time
		category string
		priority bool
		spans    []string
	}{
		{text: "Read Tomorrow by Sam", keep: []part{{"Tomorrow", 0}}, title: "Read Tomorrow by Sam"},
		{text: "Pay rent tomorrow 9am !high", keep: []part{{"!high", 0}}, title: "Pay rent !high", due: at(3, 9), spans: []string{"tomorrow", "9am"}},
		{text: "Pay rent tomorrow 9am !high", keep: []part{{"tomorrow", 0}}, title: "Pay rent tomorrow", due: at(3, 9), priority: true,
			spans: []string{"9am", "!high"}},
		// The next one of its kind is recognised instead.
		{text: "Call mum friday next friday", keep: []part{{"friday", 0}}, title: "Call mum friday", due: at(11, 0), spans: []string{"next friday"}},
		{text: "#Home improvements #Home", keep: []part{{"#Home", 0}}, title: "#Home improvements", category: "Home", spans: []string{"#Home"}},
		// A multi-word part, with a character of two bytes before it.
		{text: "Café on friday at 5pm", keep: []part{{"on friday", 0}}, title: "Café on friday", due: at(2, 17), spans: []string{"at 5pm"}},
		// Nothing kept: as ParseQuickAdd.
		{text: "Pay rent tomorrow", title: "Pay rent", due: at(3, 0), spans: []string{"tomorrow"}},
	}
	for _, tt := range tests {
		var keep []taskapi.QuickRange
		for _, p := range tt.keep {
			i := -1
			for n := 0; n <= p.n; n++ {
				j := strings.Index(tt.text[i+1:], p.text)
				if j < 0 {
					t.Fatalf("%q has no %q", tt.text, p.text)
				}
				i += 1 + j
			}
			keep = append(keep, taskapi.QuickRange{Start: i, End: i + len(p.text)})
		}
		q := taskapi.ParseQuickAddKeeping(tt.text, keep, now, paris, []string{"Home"})
		var spans []string
		for _, s := range q.Spans {
			spans = append(spans, s.Text)
			if tt.text[s.Start:s.End] != s.Text {
				t.Errorf("%q: span %+v does not match the text", tt.text, s)
			}
		}
		got := struct {
			Title, Category string
			Due             *time.Time
			Priority        bool
			Spans           []string
		}{q.Title, q.Category, q.DueDate, q.Priority != nil, spans}
		want := struct {
			Title, Category string
			Due             *time.Time
			Priority        bool
			Spans           []string
		}{tt.title, tt.category, tt.due, tt.priority, tt.spans}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q keeping %v (-want +got):\n%s", tt.text, tt.keep, diff)
		}
	}

	// Ranges out of the text, empty, or inside a character are ignored.
	for _, bad := range [][]taskapi.QuickRange{{{-1, 3}}, {{5, 99}}, {{6, 6}}, {{9, 6}}, {{2, 4}}, {{4, 13}}} {
		q := taskapi.ParseQuickAddKeeping("Café tomorrow", bad, now, paris, nil)
		if q.Title != "Café" || q.DueDate == nil {
			t.Errorf("keeping %v: title %q, due %v", bad, q.Title, q.DueDate)
		}
	}
}
