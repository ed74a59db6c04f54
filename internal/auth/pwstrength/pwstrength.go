// Package pwstrength estimates how many guesses a password would take,
// the way zxcvbn does, and scores it 0–4 on zxcvbn's scale.
//
// It finds the same patterns as zxcvbn (dictionary words, reversed or
// with l33t substitutions, keyboard walks, repeats, sequences, recent
// years and dates) with matchers of its own, and hands them to zxcvbn's
// scoring, with zxcvbn's word lists and keyboard graphs. What it does not
// do is keep an index of the word lists: zxcvbn's matching package builds
// a map of its ~94,000 words when the program starts (about 6 MB of live
// heap, whether or not a password is ever checked). Here each check puts
// the substrings of the password it could match in a small map, and
// looks the words of the lists up in it in one pass.
package pwstrength

import (
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/match"
	"github.com/trustelem/zxcvbn/scoring"
)

// Result is the estimate for one password.
type Result struct {
	Guesses float64
	// Score is 0 (too guessable) to 4 (very unguessable).
	Score int
	// Sequence is the run of matches the estimate is made of, in order.
	Sequence []*match.Match
}

// Estimate returns how guessable password is. userInputs are words an
// attacker would try first (the user's name, email…), matched as a
// dictionary of their own, "user_inputs", ranked in the order given.
// Its cost grows with the square of the password's length: callers
// bound the length.
func Estimate(password string, userInputs []string) Result {
	if !utf8.ValidString(password) {
		// As zxcvbn: text that is not UTF-8 scores 0.
		return Result{}
	}
	c := newCheck(password, userInputs)
	r := c.score(c.top)
	return Result{Guesses: r.Guesses, Score: guessesToScore(r.Guesses), Sequence: r.Sequence}
}

// guessesToScore maps guesses onto zxcvbn's 0–4 scale: 10^3, 10^6, 10^8
// and 10^10 guesses, with zxcvbn's margin of 5.
func guessesToScore(guesses float64) int {
	const delta = 5
	switch {
	case guesses < 1e3+delta:
		return 0
	case guesses < 1e6+delta:
		return 1
	case guesses < 1e8+delta:
		return 2
	case guesses < 1e10+delta:
		return 3
	}
	return 4
}

// text is one string to score: the password, or the repeated unit of a
// repeat found in it (zxcvbn scores that unit on its own, without the
// user's inputs, to price the repeat).
type text struct {
	s          string
	userInputs bool
	repeats    []repeat
	// hits are the dictionary look-ups made for s, in the order zxcvbn
	// lists its matches: plain words, reversed words, l33t words.
	hits   []hit
	scored *scoring.Result
}

// check holds the state of one Estimate call.
type check struct {
	top   *text
	units map[string]*text // repeated units, scored without user inputs
	dict  *lookup
}

func newCheck(password string, userInputs []string) *check {
	c := &check{
		top:   &text{s: password, userInputs: true},
		units: make(map[string]*text),
	}
	// Repeats need no dictionary, so every unit to score is known before
	// the one pass over the word lists.
	texts := []*text{c.top}
	for k := 0; k < len(texts); k++ {
		t := texts[k]
		t.repeats = findRepeats(t.s)
		for _, r := range t.repeats {
			if c.units[r.unit] == nil {
				u := &text{s: r.unit}
				c.units[r.unit] = u
				texts = append(texts, u)
			}
		}
	}
	c.dict = newLookup(maxWordRunes(userInputs))
	for _, t := range texts {
		c.dict.addText(t)
	}
	c.dict.findWords(userInputs)
	return c
}

// score returns the most guessable sequence of matches covering t.s.
func (c *check) score(t *text) *scoring.Result {
	if t.scored != nil {
		return t.scored
	}
	// The order of matches over the same span is zxcvbn's: it only
	// decides between equally good sequences.
	ms := c.dict.matches(t)
	ms = append(ms, spatialMatches(t.s)...)
	for _, r := range t.repeats {
		u := c.score(c.units[r.unit])
		ms = append(ms, &match.Match{
			Pattern:     "repeat",
			I:           r.i,
			J:           r.j,
			Token:       r.token,
			BaseToken:   r.unit,
			BaseGuesses: u.Guesses,
			BaseMatches: u.Sequence,
			RepeatCount: r.count,
		})
	}
	ms = append(ms, sequenceMatches(t.s)...)
	ms = append(ms, yearMatches(t.s)...)
	ms = append(ms, dateMatches(t.s)...)
	match.Sort(ms)
	r := scoring.MostGuessableMatchSequence(t.s, ms, false)
	t.scored = &r
	return t.scored
}
