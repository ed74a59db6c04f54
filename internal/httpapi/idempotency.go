package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/taskapi/taskapi/internal/store"
)

// IdempotencyKeyHeader is the header that makes an unsafe POST safe to
// repeat. It is embedded in the inputs of the POSTs that create.
type IdempotencyKeyHeader struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" pattern:"^[!-~]+$" doc:"Makes the request safe to repeat: a repeat with the same key and the same body within 24 hours returns the first response (status, headers, body) and creates nothing; the same key with a different body is refused (422). Keys are per user; up to 255 visible ASCII characters, e.g. a UUID."`
}

// replayedHeader marks a response that is the saved answer to an earlier
// request with the same Idempotency-Key.
const replayedHeader = "Idempotent-Replayed"

// idempotent returns what the store needs to make a create idempotent, or
// nil when the request carried no key. The request is fingerprinted by its
// decoded body, re-encoded: the same JSON sent with other spacing or key
// order is the same request.
func idempotent[T any](h IdempotencyKeyHeader, path string, body any, respond func(T) (store.SavedResponse, error)) (*store.Idempotent[T], error) {
	if h.IdempotencyKey == "" {
		return nil, nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("fingerprint request: %w", err)
	}
	sum := sha256.Sum256(b)
	return &store.Idempotent[T]{
		Key: store.IdempotencyKey{
			Key: h.IdempotencyKey, Method: http.MethodPost, Path: path, RequestHash: hex.EncodeToString(sum[:]),
		},
		Respond: respond,
	}, nil
}

// savedJSON builds the response to save from a status, headers and a body.
func savedJSON(status int, headers map[string]string, body any) (store.SavedResponse, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return store.SavedResponse{}, err
	}
	return store.SavedResponse{Status: status, Headers: headers, Body: b}, nil
}

// replayBody decodes a saved body into the operation's body type, so the
// replay is written exactly as the first answer was.
func replayBody[B any](r *store.SavedResponse) (B, error) {
	var b B
	if err := json.Unmarshal(r.Body, &b); err != nil {
		return b, fmt.Errorf("decode saved response: %w", err)
	}
	return b, nil
}
