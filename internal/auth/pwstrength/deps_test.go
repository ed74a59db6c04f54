package pwstrength_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestServerDoesNotLoadZxcvbnMatching keeps zxcvbn's matching package
// (and its root package, which imports it) out of the server: matching
// indexes its word lists when the program starts, about 6 MB of heap
// that the server keeps whether or not it ever checks a password.
func TestServerDoesNotLoadZxcvbnMatching(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "github.com/taskapi/taskapi/cmd/taskapi").Output()
	if err != nil {
		t.Fatalf("go list -deps ./cmd/taskapi: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed %d packages: %q", len(deps), out)
	}
	for _, p := range deps {
		if p == "github.com/trustelem/zxcvbn" || p == "github.com/trustelem/zxcvbn/matching" {
			t.Errorf("cmd/taskapi depends on %s", p)
		}
	}
}
