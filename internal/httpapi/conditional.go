package httpapi

import (
	"bytes"
	"net/http"
	"strings"
)

// conditionalGet answers a GET (or HEAD) whose If-None-Match names the
// ETag of the answer with 304 Not Modified and no body (RFC 9110 13.1.2),
// for every resource that carries an ETag. Only such requests are
// buffered; the others pass straight through.
func conditionalGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inm := r.Header.Get("If-None-Match")
		if inm == "" || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			next.ServeHTTP(w, r)
			return
		}
		buf := &bufferedResponse{ResponseWriter: w}
		next.ServeHTTP(buf, r)
		status := buf.status
		if status == 0 {
			status = http.StatusOK
		}
		if etag := w.Header().Get("ETag"); status == http.StatusOK && etag != "" && etagListMatches(inm, etag) {
			w.Header().Del("Content-Type")
			w.Header().Del("Content-Length")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write(buf.body.Bytes())
	})
}

// bufferedResponse keeps the status and body of an answer; its headers
// are the real writer's.
type bufferedResponse struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// etagListMatches applies If-None-Match's weak comparison: "*" or any
// listed tag equal to etag, W/ prefixes ignored.
func etagListMatches(header, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
			return true
		}
	}
	return false
}
