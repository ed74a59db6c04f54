package pwstrength

import (
	"slices"
	"strconv"
	"strings"

	"github.com/trustelem/zxcvbn/adjacency"
	"github.com/trustelem/zxcvbn/match"
	"github.com/trustelem/zxcvbn/scoring"
)

// keyboards are the graphs walked for spatial patterns, in zxcvbn's order.
var keyboards = []string{"qwerty", "dvorak", "keypad", "mac_keypad"}

// shiftedKeys are the characters typed with shift on a US keyboard
// (qwerty or dvorak: the same set).
const shiftedKeys = "~!@#$%^&*()_+QWERTYUIOP{}|ASDFGHJKL:\"ZXCVBNM<>?"

// spatialMatches finds keyboard walks of three keys or more: each key next
// to the one before. A turn is a change of direction; zxcvbn prices a walk
// by its length, turns and shifted keys.
func spatialMatches(s string) []*match.Match {
	var out []*match.Match
	for _, name := range keyboards {
		g := adjacency.Graphs[name]
		hasShift := name == "qwerty" || name == "dvorak"
		for i := 0; i < len(s)-1; {
			j := i + 1
			turns, shifted, lastDir := 0, 0, -1
			if hasShift && strings.IndexByte(shiftedKeys, s[i]) >= 0 {
				shifted = 1
			}
			for ; j < len(s); j++ {
				dir, shift := neighbour(g, s[j-1], s[j])
				if dir < 0 {
					break
				}
				if shift {
					shifted++
				}
				if dir != lastDir {
					turns++
					lastDir = dir
				}
			}
			if j-i > 2 {
				out = append(out, &match.Match{
					Pattern:      "spatial",
					I:            i,
					J:            j - 1,
					Token:        s[i:j],
					Graph:        name,
					Turns:        turns,
					ShiftedCount: shifted,
				})
			}
			i = j
		}
	}
	return out
}

// neighbour returns the direction in which key b lies from key a on g
// (-1 if not next to it), and whether b is the shifted character of its
// key.
func neighbour(g *adjacency.Graph, a, b byte) (dir int, shifted bool) {
	if a >= 0x80 || b >= 0x80 {
		return -1, false
	}
	for d, keys := range g.Graph[string(rune(a))] {
		if k := strings.IndexByte(keys, b); k >= 0 {
			return d, k == 1
		}
	}
	return -1, false
}

// repeat is a run of one unit written twice or more.
type repeat struct {
	i, j  int // bytes; j is the first byte of the last character
	token string
	unit  string
	count int
}

// findRepeats finds, from left to right, runs that repeat a unit. Where
// a run starts, it takes the longer of the run of the shortest repeating
// unit ("aaaaa": a) and the run of the longest ("aabaab": aab), as
// zxcvbn's pair of lazy and greedy regular expressions does; the unit is
// then the shortest that makes up the run ("abab" of "abababab").
//
// The count is in characters. zxcvbn's Go port divides the run's length
// in characters by the unit's in bytes, so it undercounts repeats of
// non-ASCII units (to 0 for "日日"); those score higher here, by that
// factor on the repeat, as the parity test's corpus shows without a score
// changing.
func findRepeats(s string) []repeat {
	r := []rune(s)
	off := make([]int, 0, len(r)+1)
	for i := range s {
		off = append(off, i)
	}
	off = append(off, len(s))

	var out []repeat
	for start := 0; start < len(r); {
		p, short := -1, 0
		for q := start; q < len(r) && p < 0; q++ {
			for n := 1; q+2*n <= len(r); n++ {
				if slices.Contains(r[q:q+n], '\n') {
					break // as '.' in the expressions
				}
				if slices.Equal(r[q:q+n], r[q+n:q+2*n]) {
					p, short = q, n
					break
				}
			}
		}
		if p < 0 {
			break
		}
		long := short
		for n := (len(r) - p) / 2; n > short; n-- {
			if !slices.Contains(r[p:p+n], '\n') && slices.Equal(r[p:p+n], r[p+n:p+2*n]) {
				long = n
				break
			}
		}
		size, unit := runLen(r, p, short), short
		if g := runLen(r, p, long); g > size {
			size = g
			unit = shortestUnit(r[p : p+size])
		}
		out = append(out, repeat{
			i:     off[p],
			j:     off[p+size-1],
			token: s[off[p]:off[p+size]],
			unit:  s[off[p]:off[p+unit]],
			count: size / unit,
		})
		start = p + size
	}
	return out
}

// runLen is the length of the run of r[p:p+n] repeated from p.
func runLen(r []rune, p, n int) int {
	end := p + n
	for end+n <= len(r) && slices.Equal(r[p:p+n], r[end:end+n]) {
		end += n
	}
	return end - p
}

// shortestUnit returns the length of the shortest unit that, repeated,
// makes up r.
func shortestUnit(r []rune) int {
	for n := 1; n <= len(r)/2; n++ {
		if len(r)%n == 0 && slices.Equal(r[n:], r[:len(r)-n]) {
			return n
		}
	}
	return len(r)
}

// sequenceMatches finds runs of characters with a constant step of 1 to
// 5 in code point ("abc", "2468", "zyx"); a step of ±1 counts from two
// characters, others from three.
func sequenceMatches(s string) []*match.Match {
	if len(s) < 2 {
		return nil
	}
	var out []*match.Match
	emit := func(i, j, step int) {
		size := step
		if size < 0 {
			size = -size
		}
		if size == 0 || size > 5 || j-i < 2 && size != 1 {
			return
		}
		tok := s[i : j+1]
		name, space := "unicode", 26
		switch {
		case allIn(tok, 'a', 'z'):
			name = "lower"
		case allIn(tok, 'A', 'Z'):
			name = "upper"
		case allIn(tok, '0', '9'):
			name, space = "digits", 10
		}
		out = append(out, &match.Match{
			Pattern:       "sequence",
			I:             i,
			J:             j,
			Token:         tok,
			SequenceName:  name,
			SequenceSpace: space,
			Ascending:     step > 0,
		})
	}
	// Runs share their end points: "abcba" is abc then cba.
	i, step := 0, int(s[1])-int(s[0])
	for k := 2; k < len(s); k++ {
		if d := int(s[k]) - int(s[k-1]); d != step {
			emit(i, k-1, step)
			i, step = k-1, d
		}
	}
	emit(i, len(s)-1, step)
	return out
}

func allIn(s string, lo, hi byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < lo || s[i] > hi {
			return false
		}
	}
	return true
}

// yearMatches finds years 1900–2019 (zxcvbn's "recent_year"), left to
// right without overlap.
func yearMatches(s string) []*match.Match {
	var out []*match.Match
	for i := 0; i+4 <= len(s); {
		y := s[i : i+4]
		if allIn(y, '0', '9') && (y[:2] == "19" || y[:3] == "200" || y[:3] == "201") {
			out = append(out, &match.Match{Pattern: "regex", I: i, J: i + 3, Token: y, RegexName: "recent_year"})
			i += 4
			continue
		}
		i++
	}
	return out
}

// Years a date may have.
const (
	dateMinYear = 1000
	dateMaxYear = 2050
)

// dateSplits are the ways to cut 4 to 8 digits into day, month and year
// (or year, month, day): the ends of the first two parts.
var dateSplits = map[int][][2]int{
	4: {{1, 2}, {2, 3}},                 // 1 1 91, 91 1 1
	5: {{1, 3}, {2, 3}},                 // 1 11 91, 11 1 91
	6: {{1, 2}, {2, 4}, {4, 5}},         // 1 1 1991, 11 11 91, 1991 1 1
	7: {{1, 3}, {2, 3}, {4, 5}, {4, 6}}, // 1 11 1991, 11 1 1991, 1991 1 11, 1991 11 1
	8: {{2, 4}, {4, 6}},                 // 11 11 1991, 1991 11 11
}

// dateSeparators are the characters a date's parts may be separated by.
const dateSeparators = " \t\n\v\f\r/\\_.-"

// dateMatches finds dates of 4 to 8 digits, or of three numbers with the
// same separator twice ("1.1.91" to "11/11/1991"), day and month in
// either order, the year first or last. Dates inside longer ones are
// dropped: "2015_06_04" is not also "15_06_04".
func dateMatches(s string) []*match.Match {
	var found []*match.Match
	for i := 0; i+4 <= len(s); i++ {
		for j := i + 3; j <= i+7 && j < len(s); j++ {
			tok := s[i : j+1]
			if !allIn(tok, '0', '9') {
				break
			}
			// Of the ways to read the digits, the year nearest today's.
			var best date
			ok := false
			for _, cut := range dateSplits[len(tok)] {
				d, isDate := readDate(atoi(tok[:cut[0]]), atoi(tok[cut[0]:cut[1]]), atoi(tok[cut[1]:]))
				if isDate && (!ok || yearDistance(d.year) < yearDistance(best.year)) {
					best, ok = d, true
				}
			}
			if ok {
				found = append(found, best.match(i, j, tok, ""))
			}
		}
	}
	for i := 0; i+6 <= len(s); i++ {
		for j := i + 5; j <= i+9 && j < len(s); j++ {
			tok := s[i : j+1]
			a, sep, b, c, ok := splitDate(tok)
			if !ok {
				continue
			}
			if d, isDate := readDate(a, b, c); isDate {
				found = append(found, d.match(i, j, tok, sep))
			}
		}
	}
	var out []*match.Match
	for _, m := range found {
		inside := false
		for _, o := range found {
			if o != m && o.I <= m.I && o.J >= m.J {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, m)
		}
	}
	return out
}

type date struct{ day, month, year int }

func (d date) match(i, j int, tok, sep string) *match.Match {
	return &match.Match{
		Pattern: "date", I: i, J: j, Token: tok, Separator: sep,
		Year: d.year, Month: d.month, Day: d.day,
	}
}

func yearDistance(y int) int {
	if d := y - scoring.ReferenceYear; d > 0 {
		return d
	}
	return scoring.ReferenceYear - y
}

// splitDate reads tok as 1–4 digits, a separator, 1–2 digits, the same
// separator, 1–4 digits.
func splitDate(tok string) (a int, sep string, b, c int, ok bool) {
	digits := func(s string, most int) (int, string, bool) {
		n := 0
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		return n, s[n:], n >= 1 && n <= most
	}
	n1, rest, ok1 := digits(tok, 4)
	if !ok1 || len(rest) == 0 || strings.IndexByte(dateSeparators, rest[0]) < 0 {
		return 0, "", 0, 0, false
	}
	sep = rest[:1]
	n2, rest2, ok2 := digits(rest[1:], 2)
	if !ok2 || len(rest2) == 0 || rest2[:1] != sep {
		return 0, "", 0, 0, false
	}
	n3, rest3, ok3 := digits(rest2[1:], 4)
	if !ok3 || rest3 != "" {
		return 0, "", 0, 0, false
	}
	return atoi(tok[:n1]), sep, atoi(rest[1 : 1+n2]), atoi(rest2[1 : 1+n3]), true
}

// readDate reads three numbers as a date, if they can be one: the middle
// one is never the year; a year of two digits is 1951–2050.
func readDate(a, b, c int) (date, bool) {
	if b > 31 || b <= 0 {
		return date{}, false
	}
	over12, over31, under1 := 0, 0, 0
	for _, v := range []int{a, b, c} {
		if v > 99 && v < dateMinYear || v > dateMaxYear {
			return date{}, false
		}
		if v > 31 {
			over31++
		}
		if v > 12 {
			over12++
		}
		if v <= 0 {
			under1++
		}
	}
	if over31 >= 2 || over12 == 3 || under1 >= 2 {
		return date{}, false
	}
	orders := [][3]int{{c, a, b}, {a, b, c}} // year last, year first
	for _, o := range orders {
		if dateMinYear <= o[0] && o[0] <= dateMaxYear {
			// A four-digit year: the rest must be a day and a month.
			return dayMonth(o[1], o[2], o[0])
		}
	}
	for _, o := range orders {
		if d, ok := dayMonth(o[1], o[2], o[0]); ok {
			switch {
			case d.year > 99:
			case d.year > 50:
				d.year += 1900
			default:
				d.year += 2000
			}
			return d, true
		}
	}
	return date{}, false
}

func dayMonth(x, y, year int) (date, bool) {
	switch {
	case x <= 31 && y <= 12:
		return date{day: x, month: y, year: year}, true
	case y <= 31 && x <= 12:
		return date{day: y, month: x, year: year}, true
	}
	return date{}, false
}

// atoi reads a run of ASCII digits (at most 8).
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
