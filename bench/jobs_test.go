package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi/internal/store/storetest"
)

// Queues mode empties both queues with two instances and counts every job
// once, on each engine; it checks the counting, not the speed.
func TestQueuesMode(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			jsonPath := filepath.Join(t.TempDir(), "queues.json")
			var out, errs bytes.Buffer
			err := run(context.Background(), []string{"queues", "--database-url", e.NewURL(t), "--deliveries", "60", "--reminders", "250", "--json", jsonPath}, &out, &errs)
			if err != nil {
				t.Fatalf("%v\n%s", err, errs.String())
			}
			r := readReport(t, jsonPath)
			type row struct {
				Queue                  string
				Jobs, Lost, Duplicated int
			}
			var got []row
			for _, q := range r.Queues {
				got = append(got, row{q.Queue, q.Jobs, q.Lost, q.Duplicated})
				if q.Seconds <= 0 || q.PerSecond <= 0 {
					t.Errorf("%s: %v s, %v/s", q.Queue, q.Seconds, q.PerSecond)
				}
			}
			want := []row{{"deliveries", 60, 0, 0}, {"reminders", 250, 0, 0}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("queues (-want +got):\n%s", diff)
			}
		})
	}
}
