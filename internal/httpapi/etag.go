package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// etagOf is the strong ETag of a resource: a digest of its kind, ID and
// version. The version grows on every change, so the ETag changes exactly
// when the resource does, however close two changes are in time.
func etagOf(kind string, id uuid.UUID, version int64) string {
	sum := sha256.Sum256([]byte(kind + "/" + id.String() + "/" + strconv.FormatInt(version, 10)))
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
}

func taskETag(t taskapi.Task) string         { return etagOf("task", t.ID, t.Version) }
func categoryETag(c taskapi.Category) string { return etagOf("category", c.ID, c.Version) }

// maxIfMatchTags bounds the work an If-Match header can ask for.
const maxIfMatchTags = 32

var errBadIfMatch = taskapi.NewProblem(taskapi.ErrBadRequest, `If-Match must be * or a list of quoted ETags, such as "abc"`)

// ifMatch turns an If-Match header into a precondition the store checks
// under the lock of the change (RFC 9110 §13.1.1): absent or * holds for
// any existing resource; otherwise one listed ETag must equal the current
// one by strong comparison (weak tags never match).
func ifMatch[T any](header, what string, etag func(T) string) (store.Precondition[T], error) {
	header = strings.TrimSpace(header)
	if header == "" || header == "*" {
		return nil, nil
	}
	tags, err := parseETags(header)
	if err != nil {
		return nil, err
	}
	return func(cur T) error {
		now := etag(cur)
		for _, t := range tags {
			if t == now {
				return nil
			}
		}
		return taskapi.NewProblem(taskapi.ErrPreconditionFailed,
			"the %s has changed since you read it: its ETag is now %s; fetch it again and retry with that ETag", what, now)
	}, nil
}

// parseETags reads a comma-separated list of entity tags and returns the
// strong ones, quotes included.
func parseETags(h string) ([]string, error) {
	var out []string
	for n := 0; ; n++ {
		h = strings.TrimLeft(h, " \t,")
		if h == "" {
			return out, nil
		}
		if n == maxIfMatchTags {
			return nil, errBadIfMatch
		}
		weak := strings.HasPrefix(h, "W/")
		if weak {
			h = h[2:]
		}
		if !strings.HasPrefix(h, `"`) {
			return nil, errBadIfMatch
		}
		end := strings.IndexByte(h[1:], '"')
		if end < 0 {
			return nil, errBadIfMatch
		}
		tag := h[:end+2]
		for i := 1; i < len(tag)-1; i++ {
			if c := tag[i]; c < 0x21 || c == 0x7f {
				return nil, errBadIfMatch
			}
		}
		if !weak {
			out = append(out, tag)
		}
		h = strings.TrimLeft(h[end+2:], " \t")
		if h != "" && h[0] != ',' {
			return nil, errBadIfMatch
		}
	}
}
