package ratelimit

import (
	"testing"
	"time"
)

func TestParseLimit(t *testing.T) {
	good := []struct {
		in   string
		want Limit
	}{
		{"20/min", Limit{20, time.Minute}},
		{" 10 / 15m ", Limit{10, 15 * time.Minute}},
		{"600/1m", Limit{600, time.Minute}},
		{"5/s", Limit{5, time.Second}},
		{"100/hour", Limit{100, time.Hour}},
		{"1000/d", Limit{1000, 24 * time.Hour}},
		{"3/90s", Limit{3, 90 * time.Second}},
	}
	for _, tt := range good {
		got, err := ParseLimit(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseLimit(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if back, err := ParseLimit(got.String()); err != nil || back != got {
			t.Errorf("ParseLimit(%q.String()) = %v, %v", tt.in, back, err)
		}
	}
	for _, bad := range []string{"", "20", "/min", "x/min", "0/min", "-1/min", "20/", "20/fortnight",
		"20/500ms", "20/200h", "2000000/min", "1.5/min"} {
		if l, err := ParseLimit(bad); err == nil {
			t.Errorf("ParseLimit(%q) = %v, want an error", bad, l)
		}
	}
}

func TestExceededError(t *testing.T) {
	var err error = &ExceededError{Scope: "login_account", Result: Result{RetryAfter: 90 * time.Second}}
	if !IsExceeded(err) || IsExceeded(nil) {
		t.Error("IsExceeded")
	}
	if got := err.Error(); got != "rate limit login_account exceeded; retry after 1m30s" {
		t.Errorf("Error() = %q", got)
	}
}
