package httpapi_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// A search ignores case beyond ASCII in titles, whatever its length: on
// SQLite it compares with the lower-cased title kept for sorting, also
// where the trigram index narrows the candidates first.
func TestTaskSearchIgnoresCaseOfNonASCIITitles(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		summer, _ := e.createTask(t, alice, map[string]any{"title": "ÉTÉ À PARIS"})
		e.createTask(t, alice, map[string]any{"title": "winter"})
		for _, q := range []string{"ét", "é", "à", "été", "ÉTÉ à"} {
			var p page[struct{ ID string }]
			e.get(t, "/api/v1/tasks?"+url.Values{"q": {q}}.Encode(), alice.Token).want(t, http.StatusOK).decode(t, &p)
			var got []string
			for _, it := range p.Items {
				got = append(got, it.ID)
			}
			if !slices.Equal(got, []string{summer.ID}) {
				t.Errorf("q=%q found %v, want the summer task", q, got)
			}
		}
	})
}
