// Package clienttest holds the generated-client test: a TypeScript client
// generated from the OpenAPI document the server serves (openapi-typescript,
// openapi-fetch, pinned in package-lock.json) runs the user journey
// type-checked in strict mode, and Redocly lints the document with its
// recommended rules. Run `npm ci` here first; `go test ./clienttest` does
// the rest (.ci/run does both).
package clienttest
