package taskapi_test

import (
	"errors"
	"testing"
	"time"

	"github.com/taskapi/taskapi"
)

func TestParseOffset(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" for a field error
	}{
		{"-PT30M", "-PT30M"},
		{"-P1D", "-P1D"},
		{"P1W", "P7D"},
		{"-P1DT2H", "-P1DT2H"},
		{"+PT90M", "PT1H30M"},
		{"PT0S", "PT0S"},
		{"-P0D", "PT0S"},
		{"-PT45S", "-PT45S"},
		{"P365D", "P365D"},
		{"P366D", ""},
		{"-P1M", ""},
		{"P1Y", ""},
		{"PT", ""},
		{"P", ""},
		{"-PT1.5H", ""},
		{"PT1H1H", ""},
		{"P1DT", ""},
		{"30 minutes", ""},
		{"", ""},
		{"-PT30m", ""},
		{"PT1S1M", ""},
	} {
		o, err := taskapi.ParseOffset("reminders[0].relative", tc.in)
		if tc.want == "" {
			var fe *taskapi.FieldError
			if !errors.As(err, &fe) || fe.Field != "reminders[0].relative" {
				t.Errorf("%q: got %v, %v; want a field error", tc.in, o, err)
			}
			continue
		}
		if err != nil || o.String() != tc.want {
			t.Errorf("%q: got %q, %v; want %q", tc.in, o.String(), err, tc.want)
		}
	}
}

func TestDigestTimes(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	for _, tc := range []struct {
		now  time.Time
		hour int
		want time.Time
	}{
		// Before the hour: today; at or after it: tomorrow.
		{time.Date(2030, 6, 1, 5, 0, 0, 0, time.UTC), 8, time.Date(2030, 6, 1, 6, 0, 0, 0, time.UTC)},
		{time.Date(2030, 6, 1, 6, 0, 0, 0, time.UTC), 8, time.Date(2030, 6, 2, 6, 0, 0, 0, time.UTC)},
		// Across the change to summer time (2030-03-31): 08:00 on the wall.
		{time.Date(2030, 3, 30, 8, 0, 0, 0, time.UTC), 8, time.Date(2030, 3, 31, 6, 0, 0, 0, time.UTC)},
		// 02:00 does not exist that day in Paris: the first instant after.
		{time.Date(2030, 3, 30, 8, 0, 0, 0, time.UTC), 2, time.Date(2030, 3, 31, 1, 0, 0, 0, time.UTC)},
	} {
		if got := taskapi.NextDigest(tc.now, paris, tc.hour); !got.Equal(tc.want) {
			t.Errorf("NextDigest(%s, %d) = %s, want %s", tc.now, tc.hour, got, tc.want)
		}
	}
}
