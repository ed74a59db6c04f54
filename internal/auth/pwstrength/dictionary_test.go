package pwstrength

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/frequency"
)

// TestWordLists checks what the pass over the lists takes for granted:
// words no longer than longestListWord, already lower-case.
func TestWordLists(t *testing.T) {
	longest := 0
	for name, list := range frequency.FrequencyLists {
		for _, w := range list {
			longest = max(longest, utf8.RuneCountInString(w))
			if strings.ToLower(w) != w {
				t.Errorf("%s: %q is not lower-case", name, w)
			}
		}
	}
	if longest != longestListWord {
		t.Errorf("the longest word has %d characters, longestListWord is %d", longest, longestListWord)
	}
}

func TestUserInputs(t *testing.T) {
	in := []string{"grace@example.com", "ghopper", "taskapi", "grace", "hopper"}
	r := Estimate("Ghopper2024", in)
	found := false
	for _, m := range r.Sequence {
		found = found || m.DictionaryName == userInputsDict
	}
	if r.Score >= 2 || !found {
		t.Errorf("Ghopper2024: score %d, sequence without the username", r.Score)
	}
	if Estimate("\xff\xfe password", nil).Score != 0 {
		t.Error("text that is not UTF-8 scores above 0")
	}
}

// A password of many different l33t characters has hundreds of readings;
// a check tries a bounded number of them, and still finds a common one.
func TestL33tReadingsBounded(t *testing.T) {
	dense := strings.Repeat("4@8({[<3691!|705$+%2", 4)[:64]
	if n := len(l33tReadings(dense)); n != maxL33tReadings {
		t.Errorf("%d readings of %q, want the bound %d", n, dense, maxL33tReadings)
	}
	r := Estimate("p@$$w0rd", nil)
	if len(r.Sequence) != 1 || !r.Sequence[0].L33t || r.Sequence[0].MatchedWord != "password" {
		t.Errorf("p@$$w0rd: sequence %+v, want the l33t word password", r.Sequence)
	}
}
