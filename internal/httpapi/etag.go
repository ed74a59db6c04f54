package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"math"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// etagOf is the strong ETag of a resource: its version, and a digest of
// its kind, ID and version that binds the tag to this one resource. The
// version grows on every change, so the ETag changes exactly when the
// resource does, however close two changes are in time; and the version
// can be read back from a client's If-Match, for the write to require it.
func etagOf(kind string, id uuid.UUID, version int64) string {
	b := binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64+etagDigestLen), uint64(version))
	b = append(b, etagDigest(kind, id, version)...)
	return `"` + base64.RawURLEncoding.EncodeToString(b) + `"`
}

// etagDigestLen is the length of an ETag's digest, in bytes.
const etagDigestLen = 11

func etagDigest(kind string, id uuid.UUID, version int64) []byte {
	sum := sha256.Sum256([]byte(kind + "/" + id.String() + "/" + strconv.FormatInt(version, 10)))
	return sum[:etagDigestLen]
}

// etagVersion returns the version an ETag (quotes included) names, if it
// is an ETag of this resource. A task's tag may end in its counts' fold
// (taskETag), which a write's If-Match does not compare.
func etagVersion(tag, kind string, id uuid.UUID) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.Trim(tag, `"`))
	if err != nil {
		return 0, false
	}
	v, n := binary.Uvarint(b)
	if n <= 0 || v == 0 || v > math.MaxInt64 || len(b) < n+etagDigestLen ||
		!bytes.Equal(b[n:n+etagDigestLen], etagDigest(kind, id, int64(v))) {
		return 0, false
	}
	if rest := len(b) - n - etagDigestLen; rest != 0 && (kind != "task" || rest != etagFoldLen) {
		return 0, false
	}
	return int64(v), true
}

// etagFoldLen is the length of the digest of a task's counts in its ETag.
const etagFoldLen = 4

// taskETag is a task's ETag: its version, and a fold of its subtask and
// comment counts. The counts are aggregates of other rows that change
// without the task's version (a new comment, a subtask completed), yet the
// answer shows them: folding them in makes a conditional GET see such a
// change instead of answering a stale 304. A write's If-Match compares the
// version only (etagVersion): what a PATCH sets cannot overwrite a comment
// or a subtask, so a tag read before one was added still guards the
// task's own fields.
func taskETag(t taskapi.Task) string {
	tag := etagOf("task", t.ID, t.Version)
	var counts [3 * binary.MaxVarintLen64]byte
	c := binary.AppendUvarint(counts[:0], uint64(t.SubtaskCount))
	c = binary.AppendUvarint(c, uint64(t.CompletedSubtaskCount))
	c = binary.AppendUvarint(c, uint64(t.CommentCount))
	c = foldTags(c, t.Tags)
	fold := sha256.Sum256(c)
	raw, _ := base64.RawURLEncoding.DecodeString(strings.Trim(tag, `"`))
	return `"` + base64.RawURLEncoding.EncodeToString(append(raw, fold[:etagFoldLen]...)) + `"`
}

func categoryETag(c taskapi.Category) string { return etagOf("category", c.ID, c.Version) }
func userETag(u taskapi.User) string         { return etagOf("user", u.ID, u.Version) }

// maxIfMatchTags bounds the work an If-Match header can ask for.
const maxIfMatchTags = 32

var errBadIfMatch = taskapi.NewProblem(taskapi.ErrBadRequest, `If-Match must be * or a list of quoted ETags, such as "abc"`)

// ifMatch turns an If-Match header on the resource kind/id into the
// versions the write must still find (RFC 9110 §13.1.1): absent or * is
// no condition (nil); otherwise the versions of the listed strong ETags
// that name this resource (weak tags never match; none at all makes the
// write 412, or 404 if the resource is gone). A malformed header is 400.
func ifMatch(header, kind string, id uuid.UUID) (store.Versions, error) {
	header = strings.TrimSpace(header)
	if header == "" || header == "*" {
		return nil, nil
	}
	tags, err := parseETags(header)
	if err != nil {
		return nil, err
	}
	versions := store.Versions{}
	for _, t := range tags {
		if v, ok := etagVersion(t, kind, id); ok {
			versions = append(versions, v)
		}
	}
	return versions, nil
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
