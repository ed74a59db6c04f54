// The text of a search in SQL, on each engine: what a match means and how
// each engine's index narrows it.

package store

import (
	"strings"
	"unicode/utf8"

	"github.com/taskapi/taskapi"
)

// escapeLike escapes the LIKE wildcards of s for ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// postgresTaskSearch uses ILIKE, which the pg_trgm GIN indexes on title and
// description serve.
func postgresTaskSearch(q string, arg func(any) string) string {
	p := arg("%" + escapeLike(q) + "%")
	return `(title ILIKE ` + p + ` ESCAPE '\' OR description ILIKE ` + p + ` ESCAPE '\')`
}

// sqliteTaskMatch is what a search means on SQLite, at every length: the
// title lower-cased in Go (title_key) contains the text lower-cased alike,
// so titles match ignoring case in every script; or the description
// contains the text ignoring the case of ASCII letters (LIKE; descriptions
// have no lower-cased copy, which would double the largest column).
func sqliteTaskMatch(q string, arg func(any) string) string {
	key := arg("%" + escapeLike(taskapi.TitleSortKey(q)) + "%")
	p := arg("%" + escapeLike(q) + "%")
	return `(title_key LIKE ` + key + ` ESCAPE '\' OR description LIKE ` + p + ` ESCAPE '\')`
}

// sqliteFTSQuery is the full-text query of a search for q: the phrase in
// title_key or in description. When the two phrases are one to the index
// (the same text, or ASCII text, whose case the index and Go fold alike),
// it is one phrase in either column: the index reads each trigram's
// postings once instead of twice.
func sqliteFTSQuery(q string) string {
	phrase := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	key := taskapi.TitleSortKey(q)
	if key == q || isASCII(q) {
		return phrase(q)
	}
	return `title_key : ` + phrase(key) + ` OR description : ` + phrase(q)
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// sqliteSearchIndexed tells whether the trigram index can narrow a search
// for q: the text and its lower-cased form need a trigram each.
func sqliteSearchIndexed(q string) bool {
	return utf8.RuneCountInString(q) >= 3 && utf8.RuneCountInString(taskapi.TitleSortKey(q)) >= 3
}
