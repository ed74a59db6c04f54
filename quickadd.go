package taskapi

import (
	"regexp"
	"strings"
	"time"
	"unicode"
)

// QuickAdd is what ParseQuickAdd understood of a one-line task: the
// title that is left, and the due date, priority and category it found,
// with where each was in the text.
type QuickAdd struct {
	Title    string
	DueDate  *time.Time
	Priority *Priority
	// Category is the name of one of the user's categories, as stored;
	// "" when the text names none.
	Category string
	// Recurrence is the repeat phrase's rule ("every monday 9am"), nil
	// when there is none (quickadd_every.go).
	Recurrence *Recurrence
	// Tags are the names of the user's tags the text names, as stored, in
	// the order of the text (quickadd_tags.go).
	Tags []string
	// Spans are the parts of the text that were understood, in order.
	Spans []QuickSpan
}

// QuickSpan is one recognised part of a quick-add text: [Start, End) in
// bytes of the text, and what it set.
type QuickSpan struct {
	Start, End int
	Kind       QuickKind
	Text       string
}

// QuickKind says what a span set.
type QuickKind string

// The kinds of span.
const (
	QuickDue      QuickKind = "due"
	QuickPriority QuickKind = "priority"
	QuickCategory QuickKind = "category"
	QuickTag      QuickKind = "tag"
)

// QuickAddMaxLen bounds the text; a title is at most 200 characters, and
// the phrases around it need a little room.
const QuickAddMaxLen = 500

type qtoken struct {
	text       string // as typed
	low        string // lower case, trailing punctuation dropped
	start, end int    // bytes of the text, trailing punctuation excluded
}

// tokenize splits text at white space, keeping #"quoted names" (and
// @"quoted" tags) whole.
func tokenize(text string) []qtoken {
	var out []qtoken
	i := 0
	for i < len(text) {
		r := rune(text[i])
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			i++
			continue
		}
		start := i
		if strings.HasPrefix(text[i:], `#"`) || strings.HasPrefix(text[i:], `@"`) {
			if j := strings.IndexByte(text[i+2:], '"'); j >= 0 {
				i += 2 + j + 1
				out = append(out, qtoken{text: text[start:i], low: strings.ToLower(text[start:i]), start: start, end: i})
				continue
			}
		}
		for i < len(text) && !unicode.IsSpace(rune(text[i])) {
			i++
		}
		end := i
		for end > start+1 && strings.ContainsRune(",.;", rune(text[end-1])) {
			end--
		}
		out = append(out, qtoken{text: text[start:end], low: strings.ToLower(text[start:end]), start: start, end: end})
	}
	return out
}

var (
	weekdays = map[string]time.Weekday{
		"sunday": time.Sunday, "sun": time.Sunday, "monday": time.Monday, "mon": time.Monday,
		"tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday, "wednesday": time.Wednesday, "wed": time.Wednesday,
		"thursday": time.Thursday, "thu": time.Thursday, "thurs": time.Thursday, "friday": time.Friday, "fri": time.Friday,
		"saturday": time.Saturday, "sat": time.Saturday,
	}
	months = map[string]time.Month{
		"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
		"june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
		"october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
	}
	priorityWords = map[string]Priority{
		"!low": PriorityLow, "!medium": PriorityMedium, "!med": PriorityMedium, "!high": PriorityHigh, "!urgent": PriorityUrgent,
		// Todoist's p1 is the most urgent.
		"p1": PriorityUrgent, "p2": PriorityHigh, "p3": PriorityMedium, "p4": PriorityLow,
	}
	isoDateRE = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)
	dayNumRE  = regexp.MustCompile(`^(\d{1,2})(st|nd|rd|th)?$`)
	clockRE   = regexp.MustCompile(`^(\d{1,2})(?::(\d{2}))?(am|pm)?$`)
	countRE   = regexp.MustCompile(`^\d{1,3}$`)
)

// ParseQuickAdd reads a one-line task such as "Pay rent tomorrow 9am
// !high #Home". It understands, each at most once:
//   - a day: today, tonight, tomorrow, yesterday, a weekday ("friday", "fri"), "next
//     friday" (in the next week, Monday first), "next week", "in 3 days",
//     "in 2 weeks", "in a week", an ISO date (2026-12-24), "24 dec", "dec
//     24th", either with a year after it; "on" before it is taken too;
//   - a time: 9am, 9:30pm, 17:00, noon, midnight, "at" before it;
//   - a priority: !low, !medium, !high, !urgent, or p1 (urgent) to p4 (low);
//   - a category: #Name or #"Deep Work", when the user has a category of
//     that name (case ignored);
//   - tags, any number: @name or @"long name", each one of tags, the names of
//     the user's tags (case ignored), as in Todoist's labels;
//   - a repeat: "every day", "every weekday", "every monday and thursday",
//     "every 2 weeks", "every month on the 15th", "every last friday",
//     "every! 3 days" (from completion): see parseEvery. Without a day,
//     the task is due at the rule's first occurrence to come.
//
// Days and times are in loc, relative to now. A time alone is today's
// when it is still ahead, else tomorrow's; a day alone is that day at
// 00:00. A day named without a year is the next one to come. Everything
// else, an unknown #category or @tag included, stays in the title as typed.
func ParseQuickAdd(text string, now time.Time, loc *time.Location, categories []string, tags ...string) QuickAdd {
	if loc == nil {
		loc = time.UTC
	}
	now = now.In(loc)
	toks := tokenize(text)
	used := make([]bool, len(toks))
	var out QuickAdd
	var (
		day             *time.Time
		hour, minute    = -1, 0
		daySpan, tmSpan [2]int
	)
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if out.Priority == nil {
			if p, ok := priorityWords[t.low]; ok {
				out.Priority = &p
				used[i] = true
				out.Spans = append(out.Spans, QuickSpan{t.start, t.end, QuickPriority, t.text})
				continue
			}
		}
		if out.Category == "" && strings.HasPrefix(t.text, "#") && len(t.text) > 1 {
			name := strings.TrimPrefix(t.text, "#")
			if strings.HasPrefix(name, `"`) && strings.HasSuffix(name, `"`) && len(name) >= 2 {
				name = name[1 : len(name)-1]
			}
			for _, c := range categories {
				if CategoryNameKey(c) == CategoryNameKey(strings.TrimSpace(name)) {
					out.Category = c
					used[i] = true
					out.Spans = append(out.Spans, QuickSpan{t.start, t.end, QuickCategory, t.text})
					break
				}
			}
			if used[i] {
				continue
			}
		}
		if out.Recurrence == nil {
			if r, n := parseEvery(toks[i:]); n > 0 {
				out.Recurrence = &r
				for k := i; k < i+n; k++ {
					used[k] = true
				}
				out.Spans = append(out.Spans, QuickSpan{t.start, toks[i+n-1].end, QuickRecurrence, text[t.start:toks[i+n-1].end]})
				i += n - 1
				continue
			}
		}
		if name, ok := quickTag(t.text, tags, out.Tags); ok {
			out.Tags = append(out.Tags, name)
			used[i] = true
			out.Spans = append(out.Spans, QuickSpan{t.start, t.end, QuickTag, t.text})
			continue
		}
		if day == nil {
			if d, n := parseDay(toks[i:], now, loc); n > 0 {
				// "on" just before the day belongs to it.
				first := i
				if i > 0 && !used[i-1] && toks[i-1].low == "on" {
					first = i - 1
				}
				day = &d
				for k := first; k < i+n; k++ {
					used[k] = true
				}
				daySpan = [2]int{toks[first].start, toks[i+n-1].end}
				i += n - 1
				continue
			}
		}
		if hour < 0 {
			if h, m, n := parseClock(toks[i:]); n > 0 {
				first := i
				if i > 0 && !used[i-1] && toks[i-1].low == "at" {
					first = i - 1
				}
				hour, minute = h, m
				for k := first; k < i+n; k++ {
					used[k] = true
				}
				tmSpan = [2]int{toks[first].start, toks[i+n-1].end}
				i += n - 1
				continue
			}
		}
	}
	// A repeating task without a day starts at its first occurrence.
	dayFromRule := false
	if day == nil && out.Recurrence != nil {
		if d, ok := firstOccurrence(*out.Recurrence, now, hour, minute, loc); ok {
			day, dayFromRule = &d, true
		}
	}
	if day != nil || hour >= 0 {
		var due time.Time
		switch {
		case day != nil && hour >= 0:
			due = time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, loc)
		case day != nil:
			due = *day
		default:
			due = time.Date(now.Year(), now.Month(), now.Day(), hour, minute, 0, 0, loc)
			if !due.After(now) {
				due = time.Date(now.Year(), now.Month(), now.Day()+1, hour, minute, 0, 0, loc)
			}
		}
		due = due.UTC()
		out.DueDate = &due
		if day != nil && !dayFromRule {
			out.Spans = append(out.Spans, QuickSpan{daySpan[0], daySpan[1], QuickDue, text[daySpan[0]:daySpan[1]]})
		}
		if hour >= 0 {
			out.Spans = append(out.Spans, QuickSpan{tmSpan[0], tmSpan[1], QuickDue, text[tmSpan[0]:tmSpan[1]]})
		}
	}
	sortSpans(out.Spans)
	out.Title = cleanTitle(cutSpans(text, out.Spans))
	return out
}

// cleanTitle joins what is left with single spaces, without the commas
// that separated the parts taken out ("Pay rent, tomorrow, 9am").
func cleanTitle(s string) string {
	words := strings.Fields(s)
	kept := words[:0]
	for _, w := range words {
		if strings.Trim(w, ",;") != "" {
			kept = append(kept, w)
		}
	}
	return strings.TrimRight(strings.Join(kept, " "), ",; ")
}

func sortSpans(s []QuickSpan) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].Start < s[j-1].Start; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// cutSpans removes the spans from text.
func cutSpans(text string, spans []QuickSpan) string {
	var b strings.Builder
	at := 0
	for _, s := range spans {
		b.WriteString(text[at:s.Start])
		b.WriteByte(' ')
		at = s.End
	}
	b.WriteString(text[at:])
	return b.String()
}

// Task is the task a quick add describes: TODO, MEDIUM unless a priority
// was given, in the category named (looked up among cats by name). The
// caller validates it (Task.Validate) before storing it.
func (q QuickAdd) Task(cats []Category) Task {
	t := Task{Title: q.Title, Status: StatusTodo, Priority: PriorityMedium, DueDate: q.DueDate, Recurrence: q.Recurrence}
	if q.Priority != nil {
		t.Priority = *q.Priority
	}
	for _, c := range cats {
		if q.Category != "" && c.Name == q.Category {
			id := c.ID
			t.CategoryID = &id
			break
		}
	}
	return t
}

// CategoryNames lists the names of cats, as ParseQuickAdd takes them.
func CategoryNames(cats []Category) []string {
	names := make([]string, len(cats))
	for i, c := range cats {
		names[i] = c.Name
	}
	return names
}

// ValidateQuickAdd checks a quick-add text and what was left of it as a
// title.
func ValidateQuickAdd(text string, q QuickAdd) error {
	if len(text) > QuickAddMaxLen || !ValidText(text) {
		return Invalid("text", "must be at most %d bytes of valid UTF-8 without NUL", QuickAddMaxLen)
	}
	if strings.TrimSpace(q.Title) == "" {
		return Invalid("title", "is empty: type what to do, then the date or priority")
	}
	return nil
}
