package taskapi_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi"
)

func TestParseQuickAddEvery(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	// Wednesday 2 December 2026, 14:30 in Paris.
	now := time.Date(2026, 12, 2, 14, 30, 0, 0, paris)
	tests := []struct {
		text, title, rule string
		from              taskapi.RepeatFrom
		due               time.Time
		spans             []string
	}{
		{"Water plants every day", "Water plants", "FREQ=DAILY", "due", local(paris, 2026, 12, 2, 0, 0), []string{"every day"}},
		{"standup every weekday 9:30am", "standup", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "due", local(paris, 2026, 12, 3, 9, 30),
			[]string{"every weekday", "9:30am"}},
		{"standup every weekday 4pm", "standup", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "due", local(paris, 2026, 12, 2, 16, 0),
			[]string{"every weekday", "4pm"}},
		{"gym every monday and thursday 8am", "gym", "FREQ=WEEKLY;BYDAY=MO,TH", "due", local(paris, 2026, 12, 3, 8, 0),
			[]string{"every monday and thursday", "8am"}},
		{"gym every mon, thu !high", "gym", "FREQ=WEEKLY;BYDAY=MO,TH", "due", local(paris, 2026, 12, 3, 0, 0),
			[]string{"every mon, thu", "!high"}},
		{"review every 2 weeks", "review", "FREQ=WEEKLY;INTERVAL=2", "due", local(paris, 2026, 12, 2, 0, 0), []string{"every 2 weeks"}},
		{"1:1 every 2 weeks on monday", "1:1", "FREQ=WEEKLY;BYDAY=MO;INTERVAL=2", "due", local(paris, 2026, 12, 7, 0, 0),
			[]string{"every 2 weeks on monday"}},
		{"pay rent every month on the 15th", "pay rent", "FREQ=MONTHLY;BYMONTHDAY=15", "due", local(paris, 2026, 12, 15, 0, 0),
			[]string{"every month on the 15th"}},
		{"report every last friday", "report", "FREQ=MONTHLY;BYDAY=-1FR", "due", local(paris, 2026, 12, 25, 0, 0),
			[]string{"every last friday"}},
		{"invoices every last day", "invoices", "FREQ=MONTHLY;BYMONTHDAY=-1", "due", local(paris, 2026, 12, 31, 0, 0),
			[]string{"every last day"}},
		{"water ferns every! 3 days", "water ferns", "FREQ=DAILY;INTERVAL=3", "completion", local(paris, 2026, 12, 2, 0, 0),
			[]string{"every! 3 days"}},
		{"call mum every sunday at 6pm", "call mum", "FREQ=WEEKLY;BYDAY=SU", "due", local(paris, 2026, 12, 6, 18, 0),
			[]string{"every sunday", "at 6pm"}},
		{"backup every other day", "backup", "FREQ=DAILY;INTERVAL=2", "due", local(paris, 2026, 12, 2, 0, 0), []string{"every other day"}},
		{"taxes every year apr 30", "taxes", "FREQ=YEARLY", "due", local(paris, 2027, 4, 30, 0, 0), []string{"every year", "apr 30"}},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			q := taskapi.ParseQuickAdd(tc.text, now, paris, nil)
			if q.Recurrence == nil {
				t.Fatalf("no recurrence in %+v", q)
			}
			var spans []string
			for _, s := range q.Spans {
				spans = append(spans, s.Text)
				if s.Text != tc.text[s.Start:s.End] {
					t.Errorf("span %+v does not match the text", s)
				}
			}
			got := struct {
				Title, Rule string
				From        taskapi.RepeatFrom
				Due         time.Time
				Spans       []string
			}{q.Title, q.Recurrence.Rule, q.Recurrence.From, *q.DueDate, spans}
			want := struct {
				Title, Rule string
				From        taskapi.RepeatFrom
				Due         time.Time
				Spans       []string
			}{tc.title, tc.rule, tc.from, tc.due, tc.spans}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if task := q.Task(nil); task.Recurrence == nil || task.Validate() != nil {
				t.Errorf("task %+v: %v", task, task.Validate())
			}
		})
	}
	// Not repeat phrases: left in the title.
	for _, text := range []string{"read every page", "ping every hour", "every 3 mondays", "every", "every 0 days"} {
		if q := taskapi.ParseQuickAdd(text, now, paris, nil); q.Recurrence != nil || q.Title != text {
			t.Errorf("%q: recurrence %+v, title %q", text, q.Recurrence, q.Title)
		}
	}
}
