// Package docsui serves the API documentation pages, Swagger UI at /docs and
// ReDoc at /redoc, from files built into the binary: a docs page never asks
// another origin for anything.
//
// Swagger UI comes from the Go module github.com/swaggo/files/v2. ReDoc
// comes from the npm package redoc, pinned in web/package-lock.json; run
// `go generate ./internal/httpapi/docsui` to copy its bundle into redoc/
// (git-ignored) before building. A binary built without it answers /redoc
// with a page that says how to add it: no Go module that carries the
// bundle could be had from the module proxy (go-redoc and its forks were
// refused), so Node.js is still needed for it. /favicon.ico is our own
// icon, drawn in favicon.go.
package docsui

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	swaggerfiles "github.com/swaggo/files/v2"
)

//go:generate sh -c "cd ../../../web && npm ci --no-audit --no-fund --loglevel=error && cp node_modules/redoc/bundles/redoc.standalone.js ../internal/httpapi/docsui/redoc/redoc.standalone.js"

//go:embed redoc
var redocFS embed.FS

const redocBundle = "redoc/redoc.standalone.js"

// HasReDoc reports whether the ReDoc bundle was generated into this build.
func HasReDoc() bool {
	_, err := fs.Stat(redocFS, redocBundle)
	return err == nil
}

// Register adds /docs, /docs/… and /redoc, /redoc/… to mux. specURL is the
// path of the OpenAPI document; tokenURL that of the OAuth2 password flow.
func Register(mux *http.ServeMux, specURL string) {
	swagger := http.StripPrefix("/docs/", http.FileServerFS(swaggerfiles.FS))
	initJS := fmt.Sprintf(initializer, strconv.Quote(specURL))
	mux.HandleFunc("GET /docs", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/docs/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /docs/swagger-initializer.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = io.WriteString(w, initJS)
	})
	mux.HandleFunc("GET /docs/{file...}", func(w http.ResponseWriter, r *http.Request) {
		// Source maps are not served: they are large and the page does not need them.
		if strings.HasSuffix(r.URL.Path, ".map") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		swagger.ServeHTTP(w, r)
	})

	icon := faviconICO()
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/x-icon")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		_, _ = w.Write(icon)
	})
	mux.HandleFunc("GET /redoc/offline.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = io.WriteString(w, redocOffline)
	})
	mux.HandleFunc("GET /redoc", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if !HasReDoc() {
			w.WriteHeader(http.StatusOK)
			_ = missingReDoc.Execute(w, nil)
			return
		}
		_ = redocPage.Execute(w, specURL)
	})
	mux.HandleFunc("GET /redoc/redoc.standalone.js", func(w http.ResponseWriter, r *http.Request) {
		if !HasReDoc() {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		http.ServeFileFS(w, r, redocFS, redocBundle)
	})
}

// initializer points Swagger UI at our document and turns off the online
// validator badge, which would call another origin.
const initializer = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: %s,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
    oauth2RedirectUrl: window.location.origin + "/docs/oauth2-redirect.html"
  });
};
`

// redocOffline runs before the ReDoc bundle: ReDoc's sidebar shows a logo
// whose address is on Redocly's CDN, with no option to turn it off; any
// image address on that CDN becomes our own icon, so the page asks no
// other origin for anything (the CSP would refuse it, with a console
// error).
const redocOffline = `(function () {
  var cdn = /^https:\/\/cdn\.redoc\.ly\//;
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && String(name).toLowerCase() === "src" && cdn.test(String(value))) {
      value = "/favicon.ico";
    }
    return setAttribute.call(this, name, value);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (value) { src.set.call(this, cdn.test(String(value)) ? "/favicon.ico" : value); }
  });
})();
`

var redocPage = template.Must(template.New("redoc").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>taskapi — API reference</title>
<link rel="icon" href="/favicon.ico">
<style>body { margin: 0; padding: 0; }</style>
</head>
<body>
<redoc spec-url="{{.}}" hide-download-button="false"></redoc>
<script src="/redoc/offline.js"></script>
<script src="/redoc/redoc.standalone.js"></script>
</body>
</html>
`))

var missingReDoc = template.Must(template.New("missing").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>taskapi — ReDoc not built in</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto;">
<h1>ReDoc is not built into this binary</h1>
<p>The ReDoc bundle comes from the npm package <code>redoc</code>. To add it, run
<code>go generate ./internal/httpapi/docsui</code> (it needs Node.js and npm) and build again.</p>
<p>Meanwhile the same reference is served by <a href="/docs/">Swagger UI at /docs</a>,
and the document itself is at <a href="/openapi.json">/openapi.json</a>.</p>
</body>
</html>
`))
