package pwstrength

import (
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/frequency"
	"github.com/trustelem/zxcvbn/match"
)

// userInputsDict names the dictionary of the user's own words.
const userInputsDict = "user_inputs"

// longestListWord is the length of the longest word in zxcvbn's lists (a
// test keeps it so): longer substrings can only match a user input.
const longestListWord = 23

// l33tTable lists the characters that stand for letters in l33t speak.
var l33tTable = []struct {
	letter byte
	shapes string
}{
	{'a', "4@"}, {'b', "8"}, {'c', "({[<"}, {'e', "3"}, {'g', "69"},
	{'i', "1!|"}, {'l', "1|7"}, {'o', "0"}, {'s', "$5"}, {'t', "+7"},
	{'x', "%"}, {'z', "2"},
}

type form uint8

const (
	plain    form = iota // the substring as written
	reversed             // the substring read backwards
	l33t                 // the substring with l33t characters read as letters
)

// hit is one substring of a text looked up in the dictionaries.
type hit struct {
	key  int32 // index of the looked-up word in lookup.words
	form form
	// i and end bound the substring in bytes; j is the first byte of its
	// last character, as zxcvbn's scoring indexes a match.
	i, j, end int
	subs      []subst // l33t: the substitutions made in the whole text
}

// subst reads the l33t character from as the letter to.
type subst struct{ from, to byte }

// lookup is the index of one check: the lower-cased substrings to look up
// and, once findWords has run, their rank in each dictionary.
type lookup struct {
	maxRunes int
	names    []string // the word lists, then user_inputs
	keys     map[string]int32
	words    []string
	ranks    []int32 // ranks[key*len(names)+dict], 0 when not in it
	filter   filter
}

// maxWordRunes is the length of the longest word a substring could match.
func maxWordRunes(userInputs []string) int {
	n := longestListWord
	for _, in := range userInputs {
		n = max(n, utf8.RuneCountInString(in))
	}
	return n
}

func newLookup(maxRunes int) *lookup {
	names := make([]string, 0, len(frequency.FrequencyLists)+1)
	for name := range frequency.FrequencyLists {
		names = append(names, name)
	}
	sort.Strings(names)
	return &lookup{
		maxRunes: maxRunes,
		names:    append(names, userInputsDict),
		keys:     make(map[string]int32),
	}
}

// add records a substring to look up.
func (l *lookup) add(t *text, word string, h hit) {
	k, ok := l.keys[word]
	if !ok {
		k = int32(len(l.words))
		l.keys[word] = k
		l.words = append(l.words, word)
		l.filter.add(word)
	}
	h.key = k
	t.hits = append(t.hits, h)
}

// addText records every substring of t.s that could be a word: as
// written, reversed, and under each reading of its l33t characters.
func (l *lookup) addText(t *text) {
	s := t.s
	n := len(s)
	lower := lowered(s)
	l.spans(s, func(i, j, end int) {
		l.add(t, lower(i, end), hit{form: plain, i: i, j: j, end: end})
	})
	// s[i:end] read backwards is rev[n-end:n-i]: reversing keeps each
	// character's bytes in order.
	rev := lowered(reverseRunes(s))
	l.spans(s, func(i, j, end int) {
		l.add(t, rev(n-end, n-i), hit{form: reversed, i: i, j: j, end: end})
	})
	for _, subs := range l33tReadings(s) {
		read := []byte(s)
		for k := range read {
			for _, sb := range subs {
				if read[k] == sb.from {
					read[k] = sb.to
				}
			}
		}
		readLower := lowered(string(read))
		l.spans(s, func(i, j, end int) {
			// As zxcvbn: a single character is too noisy ('1' as i or
			// l), and a substring without a substitution is a plain word.
			if end-i <= 1 || !hasSubst(s[i:end], subs) {
				return
			}
			l.add(t, readLower(i, end), hit{form: l33t, i: i, j: j, end: end, subs: subs})
		})
	}
}

// lowered returns a function giving the lower-cased s[i:end]. For ASCII
// text it slices the lower-cased whole: no allocation per substring.
func lowered(s string) func(i, end int) string {
	if !isASCII(s) {
		// Lower-casing may change a character's length: substring first.
		return func(i, end int) string { return strings.ToLower(s[i:end]) }
	}
	lower := strings.ToLower(s)
	return func(i, end int) string { return lower[i:end] }
}

// spans calls f for every substring of s of 1 to l.maxRunes characters.
func (l *lookup) spans(s string, f func(i, j, end int)) {
	for i := range s {
		count := 0
		for k, r := range s[i:] {
			if count == l.maxRunes {
				break
			}
			count++
			f(i, i+k, i+k+utf8.RuneLen(r))
		}
	}
}

// findWords makes the one pass over the word lists and the user inputs.
// A rank is a word's position in its list, from 1; where a word appears
// twice the later position counts, as in zxcvbn.
func (l *lookup) findWords(userInputs []string) {
	nd := len(l.names)
	l.ranks = make([]int32, len(l.words)*nd)
	for d, name := range l.names[:nd-1] {
		for pos, w := range frequency.FrequencyLists[name] {
			if !l.filter.has(w) {
				continue
			}
			if k, ok := l.keys[w]; ok {
				l.ranks[int(k)*nd+d] = int32(pos + 1)
			}
		}
	}
	for pos, w := range userInputs {
		if k, ok := l.keys[strings.ToLower(w)]; ok {
			l.ranks[int(k)*nd+nd-1] = int32(pos + 1)
		}
	}
}

// matches returns t's dictionary matches, in the order of its hits.
func (l *lookup) matches(t *text) []*match.Match {
	nd := len(l.names)
	var out []*match.Match
	for _, h := range t.hits {
		ranks := l.ranks[int(h.key)*nd : int(h.key+1)*nd]
		for d, rank := range ranks {
			if rank == 0 || d == nd-1 && !t.userInputs {
				continue
			}
			m := &match.Match{
				Pattern:        "dictionary",
				I:              h.i,
				J:              h.j,
				Token:          t.s[h.i:h.end],
				MatchedWord:    l.words[h.key],
				Rank:           int(rank),
				DictionaryName: l.names[d],
			}
			switch h.form {
			case reversed:
				m.Reversed = true
			case l33t:
				m.L33t = true
				m.Sub = make(map[string]string)
				for _, sb := range h.subs {
					if strings.IndexByte(m.Token, sb.from) >= 0 {
						m.Sub[string(sb.from)] = string(sb.to)
					}
				}
			}
			out = append(out, m)
		}
	}
	return out
}

// l33tReadings returns the ways of reading the l33t characters of s as
// letters that zxcvbn tries: a letter is written one way throughout, and
// a character stands for one letter. Letters are taken in alphabetical
// order; a character already read as an earlier letter is either left to
// it or read as the new one ("1" as i, or as l). A character no reading
// maxL33tReadings bounds the l33t readings one check tries. Each reading
// looks up every substring again, and their number multiplies with each
// ambiguous character: 20 different l33t characters make 736 readings, a
// second of CPU for a 64-character password, on a route anyone can call.
// A password with more than a few readings is mostly symbols; what it
// loses is a word hidden in its rarer readings.
const maxL33tReadings = 32

// uses is left as it is. At most maxL33tReadings are returned.
func l33tReadings(s string) [][]subst {
	readings := [][]subst{nil}
	for _, e := range l33tTable {
		var next [][]subst
		for _, c := range []byte(e.shapes) {
			if strings.IndexByte(s, c) < 0 {
				continue
			}
			sb := subst{c, e.letter}
			for _, r := range readings {
				k := slices.IndexFunc(r, func(x subst) bool { return x.from == c })
				if k < 0 {
					next = append(next, append(slices.Clip(r), sb))
					continue
				}
				next = append(next, r, append(slices.Delete(slices.Clone(r), k, k+1), sb))
			}
		}
		if next != nil {
			readings = distinctReadings(next)
		}
	}
	if len(readings[0]) == 0 {
		return nil
	}
	return readings[:min(len(readings), maxL33tReadings)]
}

// distinctReadings drops readings that make the same substitutions.
func distinctReadings(rs [][]subst) [][]subst {
	seen := make(map[string]bool, len(rs))
	out := rs[:0]
	for _, r := range rs {
		key := make([]byte, 0, 2*len(r))
		for _, sb := range slices.SortedFunc(slices.Values(r), func(a, b subst) int { return int(a.from) - int(b.from) }) {
			key = append(key, sb.from, sb.to)
		}
		if !seen[string(key)] {
			seen[string(key)] = true
			out = append(out, r)
		}
	}
	return out
}

func hasSubst(s string, subs []subst) bool {
	for _, sb := range subs {
		if strings.IndexByte(s, sb.from) >= 0 {
			return true
		}
	}
	return false
}

// filter is a one-hash Bloom filter over the words to look up, keyed by
// length and first and last byte: it spares most map look-ups of the
// pass over the lists when the password is short.
type filter [128]uint64

func filterBit(w string) uint {
	if w == "" {
		return 0
	}
	return (uint(len(w))*131 + uint(w[0])*31 + uint(w[len(w)-1])) % (128 * 64)
}

func (f *filter) add(w string) {
	b := filterBit(w)
	f[b/64] |= 1 << (b % 64)
}

func (f *filter) has(w string) bool {
	b := filterBit(w)
	return f[b/64]&(1<<(b%64)) != 0
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func reverseRunes(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}
