package pwstrength_test

import (
	"testing"

	"github.com/trustelem/zxcvbn"

	"github.com/taskapi/taskapi/internal/auth/pwstrength"
)

// BenchmarkEstimate compares one estimate with zxcvbn's on typical
// passwords and a 64-character one (the most the policy scores). Compare
// the ns/op of ours and zxcvbn's for each password.
func BenchmarkEstimate(b *testing.B) {
	inputs := []string{"grace@example.com", "ghopper", "taskapi", "grace", "grace", "hopper"}
	for _, pw := range []struct{ name, pw string }{
		{"common", "Password123!"},
		{"phrase", "violet-Mango-42-ladder"},
		{"random", "zx8!kQ2p"},
		{"64 chars", "Tr0ub4dor&3 correct1horse2battery3staple qwerty-Zebra_1987 passw"},
	} {
		b.Run(pw.name+"/ours", func(b *testing.B) {
			for b.Loop() {
				pwstrength.Estimate(pw.pw, inputs)
			}
		})
		b.Run(pw.name+"/zxcvbn", func(b *testing.B) {
			for b.Loop() {
				zxcvbn.PasswordStrength(pw.pw, inputs)
			}
		})
	}
}
