package store

import (
	"fmt"
	"strings"

	"github.com/taskapi/taskapi"
)

// Versions is the one way a write is made conditional (If-Match): nil
// writes whatever the row's version; otherwise the write happens only
// while the row's version is one of them, and is ErrPreconditionFailed
// otherwise. An empty, non-nil Versions matches no version.
type Versions []int64

// where returns the condition to add to a write's WHERE clause, appending
// its arguments to args; "" when there is no condition.
func (v Versions) where(args *[]any) string {
	if v == nil {
		return ""
	}
	if len(v) == 0 {
		return " AND 1 = 0"
	}
	marks := make([]string, len(v))
	for i, n := range v {
		*args = append(*args, n)
		marks[i] = fmt.Sprintf("$%d", len(*args))
	}
	return " AND version IN (" + strings.Join(marks, ", ") + ")"
}

// Check tests the version of a row read under the write's lock, for the
// writes that compute the new row from the old one (their UPDATE then
// requires that same version), or of a row read in the same request.
func (v Versions) Check(version int64, what string) error {
	if v == nil {
		return nil
	}
	for _, n := range v {
		if n == version {
			return nil
		}
	}
	return changedSince(what)
}

// changedSince is the answer to a conditional write whose row has another
// version.
func changedSince(what string) error {
	return taskapi.NewProblem(taskapi.ErrPreconditionFailed,
		"the %s has changed since you read it; fetch it again and retry with its new ETag", what)
}
