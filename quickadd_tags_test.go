package taskapi_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi"
)

func TestParseQuickAddTags(t *testing.T) {
	now := time.Date(2026, 12, 2, 14, 30, 0, 0, time.UTC)
	cats, tags := []string{"Home"}, []string{"errand", "Deep Focus", "home"}
	tests := []struct {
		text  string
		title string
		tags  []string
		spans []string
	}{
		{text: "Buy milk @errand", title: "Buy milk", tags: []string{"errand"}, spans: []string{"@errand"}},
		{text: "Buy milk @ERRAND @home #Home", title: "Buy milk", tags: []string{"errand", "home"}, spans: []string{"@ERRAND", "@home", "#Home"}},
		{text: `write @"Deep Focus" tomorrow`, title: "write", tags: []string{"Deep Focus"}, spans: []string{`@"Deep Focus"`, "tomorrow"}},
		{text: "ask @bob", title: "ask @bob"},                                                                     // not a tag: left in the title
		{text: "mail ana@errand.org", title: "mail ana@errand.org"},                                               // an address, not a tag
		{text: "@errand @errand run", title: "@errand run", tags: []string{"errand"}, spans: []string{"@errand"}}, // once each
		{text: "lone @", title: "lone @"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := taskapi.ParseQuickAdd(tt.text, now, time.UTC, cats, tags...)
			var spans []string
			for _, s := range got.Spans {
				spans = append(spans, s.Text)
			}
			if d := cmp.Diff([]any{tt.title, tt.tags, tt.spans}, []any{got.Title, got.Tags, spans}); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
	// Without the user's tags, @words are text, as before tags existed.
	if got := taskapi.ParseQuickAdd("Buy milk @errand", now, time.UTC, cats); got.Title != "Buy milk @errand" || got.Tags != nil {
		t.Errorf("without tags: %+v", got)
	}
}
