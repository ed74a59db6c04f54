package docsui_test

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/taskapi/taskapi/internal/httpapi/docsui"
)

func get(t *testing.T, srv *httptest.Server, path string) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// /favicon.ico is a real icon of ours: an ICO holding a 32×32 PNG.
func TestFavicon(t *testing.T) {
	mux := http.NewServeMux()
	docsui.Register(mux, "/openapi.json")
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	res, b := get(t, srv, "/favicon.ico")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/x-icon" || len(b) < 22 {
		t.Fatalf("/favicon.ico: %d %s, %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(b))
	}
	var head [3]uint16
	_ = binary.Read(bytes.NewReader(b[:6]), binary.LittleEndian, &head)
	offset := binary.LittleEndian.Uint32(b[18:22])
	if head != [3]uint16{0, 1, 1} || int(offset) >= len(b) {
		t.Fatalf("not an ICO with one image: %v, offset %d", head, offset)
	}
	img, err := png.Decode(bytes.NewReader(b[offset:]))
	if err != nil || img.Bounds().Dx() != 32 || img.Bounds().Dy() != 32 {
		t.Fatalf("the icon's image: %v %v", err, img)
	}
}

// The ReDoc page loads offline.js before the bundle, and offline.js turns
// every address of the bundle on another origin (its logo) into ours.
func TestReDocAsksNoOtherOrigin(t *testing.T) {
	mux := http.NewServeMux()
	docsui.Register(mux, "/openapi.json")
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	_, page := get(t, srv, "/redoc")
	if docsui.HasReDoc() {
		i, j := bytes.Index(page, []byte("/redoc/offline.js")), bytes.Index(page, []byte("/redoc/redoc.standalone.js"))
		if i < 0 || j < 0 || i > j {
			t.Fatalf("offline.js must come before the bundle:\n%s", page)
		}
	}
	_, js := get(t, srv, "/redoc/offline.js")
	if !strings.Contains(string(js), `cdn\.redoc\.ly`) || !strings.Contains(string(js), "/favicon.ico") {
		t.Fatalf("offline.js:\n%s", js)
	}
	bundle, err := os.ReadFile("redoc/redoc.standalone.js")
	if err != nil {
		t.Skip("the ReDoc bundle is not generated into this tree (go generate ./internal/httpapi/docsui)")
	}
	// The only address the bundle loads from elsewhere is an image on
	// Redocly's CDN; links (href) and comments do not load anything.
	for _, m := range regexp.MustCompile(`src:"(https?://[^"]+)"`).FindAllSubmatch(bundle, -1) {
		if !strings.HasPrefix(string(m[1]), "https://cdn.redoc.ly/") {
			t.Errorf("the bundle loads %s", m[1])
		}
	}
}
