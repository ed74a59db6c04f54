package web

import (
	"compress/gzip"
	"net/http"
	"strings"
	"sync"
)

// compressor gzips the app's pages and assets for clients that accept it:
// a list page is mostly repeated markup, about a sixteenth of its size
// compressed. Writers are pooled, since each holds a large window.
type compressor struct {
	pool sync.Pool
}

func newCompressor() *compressor {
	return &compressor{pool: sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
		return w
	}}}
}

// wrap compresses what h writes; a Range request is served as it is, so
// that byte ranges keep meaning bytes of the file.
func (c *compressor) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		if !acceptsGzip(r.Header.Get("Accept-Encoding")) || r.Header.Get("Range") != "" {
			h.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w, c: c}
		defer gw.close()
		h.ServeHTTP(gw, r)
	})
}

// acceptsGzip reads an Accept-Encoding list: gzip, unless given q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

type gzipWriter struct {
	http.ResponseWriter
	c       *compressor
	zw      *gzip.Writer
	started bool
}

func (g *gzipWriter) WriteHeader(code int) {
	if !g.started {
		g.started = true
		h := g.Header()
		// An event stream goes out as written: each event is flushed at
		// once, and gzip would hold it back in its window.
		if code >= http.StatusOK && code != http.StatusNoContent && code != http.StatusNotModified && h.Get("Content-Encoding") == "" &&
			!strings.HasPrefix(h.Get("Content-Type"), "text/event-stream") {
			h.Del("Content-Length")
			h.Set("Content-Encoding", "gzip")
			g.zw = g.c.pool.Get().(*gzip.Writer)
			g.zw.Reset(g.ResponseWriter)
		}
	}
	g.ResponseWriter.WriteHeader(code)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.started {
		g.WriteHeader(http.StatusOK)
	}
	if g.zw == nil {
		return g.ResponseWriter.Write(b)
	}
	return g.zw.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

func (g *gzipWriter) close() {
	if g.zw != nil {
		_ = g.zw.Close()
		g.c.pool.Put(g.zw)
		g.zw = nil
	}
}
