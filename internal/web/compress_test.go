package web_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/taskapi/taskapi/internal/store/storetest"
)

// A list page of 50 tasks with its stylesheet, script and icon weighs
// under 100 KB on the wire with a cold cache: pages and assets go out
// gzipped to clients that accept it, and as they are to others.
func TestListPageWeight(t *testing.T) {
	e := newEnv(t, storetest.Engine{Name: "sqlite", NewURL: storetest.SQLiteURL})
	b := e.browser(t)
	b.signup("ada")
	for i := range 50 {
		b.post("/tasks", url.Values{"text": {"Task number " + strconv.Itoa(i) + " with a longer title tomorrow 9am !high"}})
	}
	fetch := func(path, accept string) (wire int, body string, h http.Header) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
		req.Header.Set("Accept-Encoding", accept)
		res, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", path, res.StatusCode)
		}
		if res.Header.Get("Content-Encoding") != "gzip" {
			return len(raw), string(raw), res.Header
		}
		zr, err := gzip.NewReader(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return len(raw), string(plain), res.Header
	}

	wire, html, h := fetch("/all", "gzip, deflate, br")
	if h.Get("Content-Encoding") != "gzip" || !strings.Contains(h.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("the page is not gzipped: %v", h)
	}
	if n := len(taskIDs(page{Body: html})); n != 50 {
		t.Fatalf("the gzipped page lists %d tasks", n)
	}
	total := wire
	for _, m := range regexp.MustCompile(`(?:href|src)="(/assets/[^"]+)"`).FindAllStringSubmatch(html, -1) {
		n, _, ah := fetch(m[1], "gzip")
		if ah.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s is not gzipped", m[1])
		}
		total += n
	}
	if total >= 100_000 {
		t.Errorf("the list page and its assets weigh %d bytes on the wire, want under 100 KB", total)
	}

	_, plain, h := fetch("/all", "identity")
	if h.Get("Content-Encoding") != "" || len(taskIDs(page{Body: plain})) != 50 {
		t.Errorf("without gzip: encoding %q, %d tasks", h.Get("Content-Encoding"), len(taskIDs(page{Body: plain})))
	}
	if _, _, h := fetch("/all", "gzip;q=0"); h.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 got %q", h.Get("Content-Encoding"))
	}
}
