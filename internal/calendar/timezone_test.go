package calendar

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The VTIMEZONE rules come from Go's zone data: each transition of the
// year as a yearly rule on its weekday, in both hemispheres, and none for
// a zone without summer time.
func TestTimezoneRules(t *testing.T) {
	for _, c := range []struct {
		zone string
		want []string // DTSTART RRULE from→to
	}{
		{"Europe/Paris", []string{"20270328T020000 FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU +0100→+0200",
			"20271031T030000 FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU +0200→+0100"}},
		{"America/New_York", []string{"20270314T020000 FREQ=YEARLY;BYMONTH=3;BYDAY=2SU -0500→-0400",
			"20271107T020000 FREQ=YEARLY;BYMONTH=11;BYDAY=1SU -0400→-0500"}},
		{"Australia/Sydney", []string{"20270404T030000 FREQ=YEARLY;BYMONTH=4;BYDAY=1SU +1100→+1000",
			"20271003T020000 FREQ=YEARLY;BYMONTH=10;BYDAY=1SU +1000→+1100"}},
		{"Asia/Tokyo", nil},
	} {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range transitions(loc, 2027) {
			local := m.at.UTC().Add(time.Duration(m.from) * time.Second)
			got = append(got, local.Format("20060102T150405")+" "+yearlyRule(local)+" "+offset(m.from)+"→"+offset(m.to))
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.zone, diff)
		}
	}
}
