package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"

	"github.com/taskapi/taskapi/internal/store"
)

// IdempotencyKeyHeader is the header that makes an unsafe POST safe to
// repeat. The inputs of the routes that declare Idempotent embed it;
// register fills in the store's key from it and the request's body.
type IdempotencyKeyHeader struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" pattern:"^[!-~]+$" doc:"Makes the request safe to repeat: a repeat with the same key and the same body within 24 hours returns the first response (status, headers, body) and creates nothing; the same key with a different body is refused (422). Keys are per user; up to 255 visible ASCII characters, e.g. a UUID."`

	request *store.IdempotencyKey
}

// key is what the store needs to make the create idempotent; nil when the
// request carried no key.
func (h *IdempotencyKeyHeader) key() *store.IdempotencyKey { return h.request }

func (h *IdempotencyKeyHeader) idempotencyHeader() *IdempotencyKeyHeader { return h }

// idempotentInput is an input that embeds IdempotencyKeyHeader.
type idempotentInput interface {
	idempotencyHeader() *IdempotencyKeyHeader
}

// ReplayedHeader is embedded in the outputs of idempotent creates.
type ReplayedHeader struct {
	Replayed string `header:"Idempotent-Replayed" doc:"true when this is the saved answer to an earlier request with the same Idempotency-Key"`
}

func (h *ReplayedHeader) markReplayed() { h.Replayed = "true" }

// replayable is an output that embeds ReplayedHeader.
type replayable interface{ markReplayed() }

// claimIdempotencyKey sets the store's key of an idempotent input: the
// client's key, the route, and a digest of the decoded body re-encoded, so
// that the same JSON sent with other spacing or key order is the same
// request.
func claimIdempotencyKey(r route, in any) error {
	h := in.(idempotentInput).idempotencyHeader()
	if h.IdempotencyKey == "" {
		return nil
	}
	b, err := json.Marshal(reflect.ValueOf(in).Elem().FieldByName("Body").Interface())
	if err != nil {
		return fmt.Errorf("fingerprint request: %w", err)
	}
	sum := sha256.Sum256(b)
	h.request = &store.IdempotencyKey{
		Key: h.IdempotencyKey, Method: http.MethodPost, Path: r.Path, RequestHash: hex.EncodeToString(sum[:]),
	}
	return nil
}

// answer renders the result of an idempotent create. A replay is the
// result the first request saved, rendered the same way, so it is the
// first answer again; it is marked as a replay.
func answer[T any, O replayable](render func(T) O, v T, replayed bool, err error) (O, error) {
	if err != nil {
		var zero O
		return zero, err
	}
	out := render(v)
	if replayed {
		out.markReplayed()
	}
	return out, nil
}

// checkIdempotent panics at startup when a route's Idempotent declaration
// and its input or output disagree.
func checkIdempotent[I, O any](r route) {
	_, in := any(new(I)).(idempotentInput)
	_, out := any(new(O)).(replayable)
	if r.Idempotent != in || r.Idempotent != out {
		panic(fmt.Sprintf("route %s: Idempotent is %v, but its input embeds IdempotencyKeyHeader: %v, its output ReplayedHeader: %v",
			r.ID, r.Idempotent, in, out))
	}
}
