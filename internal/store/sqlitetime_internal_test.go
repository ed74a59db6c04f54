package store

import (
	"math/rand/v2"
	"testing"
	"time"
)

// Every instant the driver can write reads back the same, in UTC, whatever
// its fraction, and every other form the driver reads as a time reads the
// same.
func TestParseSQLiteTime(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	lo, hi := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()
	for i := range 20000 {
		in := time.Unix(lo+r.Int64N(hi-lo), 0).UTC()
		switch i % 4 {
		case 1:
			in = in.Add(time.Duration(r.IntN(1e9)))
		case 2:
			in = in.Add(time.Duration(r.IntN(1e6)) * time.Microsecond)
		case 3:
			in = in.Add(time.Duration(r.IntN(1e3)) * time.Millisecond)
		}
		s := in.Format(sqliteTimeLayout)
		got, err := parseSQLiteTime(s)
		if err != nil || !got.Equal(in) || got.Location() != time.UTC {
			t.Fatalf("%q: got %v (%v), want %v", s, got, err, in)
		}
	}
	for s, want := range map[string]time.Time{
		"2026-11-27 04:05:06+00:00":                       time.Date(2026, 11, 27, 4, 5, 6, 0, time.UTC),
		"2026-11-27 04:05:06.5+00:00":                     time.Date(2026, 11, 27, 4, 5, 6, 5e8, time.UTC),
		"2026-11-27 04:05:06.000000001+00:00":             time.Date(2026, 11, 27, 4, 5, 6, 1, time.UTC),
		"2026-11-27 05:05:06+01:00":                       time.Date(2026, 11, 27, 4, 5, 6, 0, time.UTC),
		"2026-11-27T04:05:06Z":                            time.Date(2026, 11, 27, 4, 5, 6, 0, time.UTC),
		"2026-11-27 04:05:06":                             time.Date(2026, 11, 27, 4, 5, 6, 0, time.UTC),
		"2026-11-27":                                      time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC),
		"2026-11-27 04:05:06Z":                            time.Date(2026, 11, 27, 4, 5, 6, 0, time.UTC),
		"2026-11-27 04:05":                                time.Date(2026, 11, 27, 4, 5, 0, 0, time.UTC),
		"2026-11-27 05:05:06.25 +0100 CET":                time.Date(2026, 11, 27, 4, 5, 6, 25e7, time.UTC),
		"2026-11-27 04:05:06.25 +0000 UTC m=+0.000000001": time.Date(2026, 11, 27, 4, 5, 6, 25e7, time.UTC),
	} {
		got, err := parseSQLiteTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: got %v (%v), want %v", s, got, err, want)
		}
	}
	for _, s := range []string{
		"", "2026-13-01 00:00:00+00:00", "2026-02-30 00:00:00+00:00", "2026-11-27 24:00:00+00:00",
		"2026-11-27 04:05:60+00:00", "2026-11-27 04:05:06.+00:00",
		"2026-11-27 04:05:06.12a+00:00", "2026-11-27 04:05:0x+00:00", "2O26-11-27 04:05:06+00:00", "yesterday",
	} {
		if got, err := parseSQLiteTime(s); err == nil {
			t.Errorf("%q parsed as %v", s, got)
		}
	}
}

// dbTime takes what either driver gives.
func TestDBTimeScan(t *testing.T) {
	at := time.Date(2026, 11, 27, 4, 5, 6, 7000, time.UTC)
	for _, v := range []any{at, at.Format(sqliteTimeLayout), []byte(at.Format(sqliteTimeLayout))} {
		var d dbTime
		if err := d.Scan(v); err != nil || !d.Valid || !d.Time.Equal(at) {
			t.Errorf("Scan(%T) = %+v, %v", v, d, err)
		}
	}
	d := dbTime{Time: at, Valid: true}
	if err := d.Scan(nil); err != nil || d.Valid || !d.Time.IsZero() {
		t.Errorf("Scan(nil) = %+v, %v", d, err)
	}
	if err := d.Scan(42); err == nil {
		t.Error("Scan(int) did not fail")
	}
}
