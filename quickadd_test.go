package taskapi_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi"
)

func TestParseQuickAdd(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// Wednesday 2 December 2026, 14:30 in Paris.
	now := time.Date(2026, 12, 2, 14, 30, 0, 0, paris)
	at := func(y int, m time.Month, d, h, min int) *time.Time {
		v := time.Date(y, m, d, h, min, 0, 0, paris).UTC()
		return &v
	}
	prio := func(p taskapi.Priority) *taskapi.Priority { return &p }
	cats := []string{"Home", "Deep Work", "work"}
	tests := []struct {
		text     string
		title    string
		due      *time.Time
		priority *taskapi.Priority
		category string
		spans    []string
	}{
		{text: "Pay rent tomorrow 9am !high #Home", title: "Pay rent", due: at(2026, 12, 3, 9, 0), priority: prio(taskapi.PriorityHigh), category: "Home",
			spans: []string{"tomorrow", "9am", "!high", "#Home"}},
		{text: "Buy milk", title: "Buy milk"},
		{text: "Call Ana today", title: "Call Ana", due: at(2026, 12, 2, 0, 0), spans: []string{"today"}},
		{text: "Call Ana today at 5pm", title: "Call Ana", due: at(2026, 12, 2, 17, 0), spans: []string{"today", "at 5pm"}},
		{text: "standup 9:30am", title: "standup", due: at(2026, 12, 3, 9, 30), spans: []string{"9:30am"}}, // passed today: tomorrow
		{text: "review 17:00", title: "review", due: at(2026, 12, 2, 17, 0), spans: []string{"17:00"}},     // still ahead today
		{text: "lunch noon friday", title: "lunch", due: at(2026, 12, 4, 12, 0), spans: []string{"noon", "friday"}},
		{text: "gym on monday", title: "gym", due: at(2026, 12, 7, 0, 0), spans: []string{"on monday"}},
		{text: "sync wednesday", title: "sync", due: at(2026, 12, 9, 0, 0), spans: []string{"wednesday"}}, // today's weekday: next week's
		{text: "plan next friday", title: "plan", due: at(2026, 12, 11, 0, 0), spans: []string{"next friday"}},
		{text: "plan next monday", title: "plan", due: at(2026, 12, 7, 0, 0), spans: []string{"next monday"}},
		{text: "retro next week", title: "retro", due: at(2026, 12, 7, 0, 0), spans: []string{"next week"}},
		{text: "renew passport in 3 days", title: "renew passport", due: at(2026, 12, 5, 0, 0), spans: []string{"in 3 days"}},
		{text: "call back in a week", title: "call back", due: at(2026, 12, 9, 0, 0), spans: []string{"in a week"}},
		{text: "taxes in 2 weeks p1", title: "taxes", due: at(2026, 12, 16, 0, 0), priority: prio(taskapi.PriorityUrgent), spans: []string{"in 2 weeks", "p1"}},
		{text: "party 2026-12-24 8pm", title: "party", due: at(2026, 12, 24, 20, 0), spans: []string{"2026-12-24", "8pm"}},
		{text: "party dec 24th", title: "party", due: at(2026, 12, 24, 0, 0), spans: []string{"dec 24th"}},
		{text: "party 24 December 2027", title: "party", due: at(2027, 12, 24, 0, 0), spans: []string{"24 December 2027"}},
		{text: "new year jan 1", title: "new year", due: at(2027, 1, 1, 0, 0), spans: []string{"jan 1"}}, // passed this year
		{text: "read p4", title: "read", priority: prio(taskapi.PriorityLow), spans: []string{"p4"}},
		{text: "read !urgent !low", title: "read !low", priority: prio(taskapi.PriorityUrgent), spans: []string{"!urgent"}},
		{text: `focus #"Deep Work" !medium`, title: "focus", priority: prio(taskapi.PriorityMedium), category: "Deep Work", spans: []string{`#"Deep Work"`, "!medium"}},
		{text: "ship #WORK", title: "ship", category: "work", spans: []string{"#WORK"}},
		{text: "ship #Garden", title: "ship #Garden"}, // no such category: left in the title
		{text: "buy 2 apples", title: "buy 2 apples"},
		{text: "meet at 25:00", title: "meet at 25:00"},
		{text: "due 2026-02-30", title: "due 2026-02-30"},
		{text: "Book dentist yesterday", title: "Book dentist", due: at(2026, 12, 1, 0, 0), spans: []string{"yesterday"}},
		{text: "tomorrow tomorrow", title: "tomorrow", due: at(2026, 12, 3, 0, 0), spans: []string{"tomorrow"}},
		{text: "Pay rent, tomorrow, 9am", title: "Pay rent", due: at(2026, 12, 3, 9, 0), spans: []string{"tomorrow", "9am"}},
		{text: "12am run", title: "run", due: at(2026, 12, 3, 0, 0), spans: []string{"12am"}},
		{text: "in 2 months check", title: "check", due: at(2027, 2, 2, 0, 0), spans: []string{"in 2 months"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := taskapi.ParseQuickAdd(tt.text, now, paris, cats)
			var spans []string
			for _, s := range got.Spans {
				if tt.text[s.Start:s.End] != s.Text {
					t.Errorf("span %+v does not match the text", s)
				}
				spans = append(spans, s.Text)
			}
			want := []any{tt.title, tt.due, tt.priority, tt.category, tt.spans}
			if d := cmp.Diff(want, []any{got.Title, got.DueDate, got.Priority, got.Category, spans}); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}
