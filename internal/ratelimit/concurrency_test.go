package ratelimit_test

import (
	"errors"
	"testing"

	"github.com/taskapi/taskapi/internal/ratelimit"
)

// A key runs at most max at once; a release frees a place once, however
// often it is called; other keys are not affected.
func TestConcurrency(t *testing.T) {
	c := ratelimit.NewConcurrency(2, "search_user")
	r1, err := c.Acquire("ada")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Acquire("ada"); err != nil {
		t.Fatal(err)
	}
	_, err = c.Acquire("ada")
	var ex *ratelimit.ExceededError
	if !errors.As(err, &ex) || ex.Scope != "search_user" || ex.Result.RetryAfter <= 0 || ex.Reason == "" {
		t.Fatalf("third at once: %v", err)
	}
	if _, err := c.Acquire("bob"); err != nil {
		t.Fatalf("another key: %v", err)
	}
	r1()
	r1()
	if _, err := c.Acquire("ada"); err != nil {
		t.Fatalf("after a release: %v", err)
	}
	if _, err := c.Acquire("ada"); err == nil {
		t.Fatal("a second release of the same request freed a second place")
	}
}
