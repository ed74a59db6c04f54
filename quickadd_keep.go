package taskapi

import (
	"time"
	"unicode"
	"unicode/utf8"
)

// QuickRange is a part of a quick-add text, [Start, End) in bytes.
type QuickRange struct {
	Start, End int
}

// quickMask stands in for each byte of a part kept as text: no rule
// recognises it, and the offsets of the rest do not move.
const quickMask = '\x01'

// ParseQuickAddKeeping parses text as ParseQuickAdd does, except that the
// parts in keep stay in the title as typed, unrecognised: what the person
// declined, after seeing it highlighted ("Read Tomorrow by Sam", where
// "tomorrow" is not a day). A range out of the text, or not on character
// boundaries, is ignored.
func ParseQuickAddKeeping(text string, keep []QuickRange, now time.Time, loc *time.Location, categories []string, tags ...string) QuickAdd {
	if len(keep) == 0 {
		return ParseQuickAdd(text, now, loc, categories, tags...)
	}
	masked := []byte(text)
	kept := false
	for _, k := range keep {
		if k.Start < 0 || k.End > len(text) || k.Start >= k.End || !utf8.RuneStart(text[k.Start]) ||
			(k.End < len(text) && !utf8.RuneStart(text[k.End])) {
			continue
		}
		for i := k.Start; i < k.End; i++ {
			if !unicode.IsSpace(rune(text[i])) {
				masked[i] = quickMask
			}
		}
		kept = true
	}
	if !kept {
		return ParseQuickAdd(text, now, loc, categories, tags...)
	}
	q := ParseQuickAdd(string(masked), now, loc, categories, tags...)
	// The spans and the title read the text as typed.
	for i := range q.Spans {
		q.Spans[i].Text = text[q.Spans[i].Start:q.Spans[i].End]
	}
	q.Title = cleanTitle(cutSpans(text, q.Spans))
	return q
}
