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
