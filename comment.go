package taskapi

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Comment is a note a user leaves on one of their tasks: plain text,
// shown as written (links made clickable by the web app, never markup).
type Comment struct {
	ID        uuid.UUID
	TaskID    uuid.UUID
	UserID    uuid.UUID
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Version counts the changes of the comment, for its ETag.
	Version int64
}

// CommentBodyMaxLen bounds a comment's body, in characters.
const CommentBodyMaxLen = 10000

// MaxCommentsPerTask bounds the comments of one task, so that one task
// cannot grow without end (at the body limit, some 40 MB) and its thread
// stays one a person can read.
const MaxCommentsPerTask = 1000

// ValidateCommentBody checks the body rule: 1–10,000 characters, not
// blank, valid UTF-8 without NUL.
func ValidateCommentBody(body string) error {
	if strings.TrimSpace(body) == "" || utf8.RuneCountInString(body) > CommentBodyMaxLen {
		return Invalid("body", "must be 1 to %d characters and not blank", CommentBodyMaxLen)
	}
	if !ValidText(body) {
		return Invalid("body", "must be valid UTF-8 without NUL characters")
	}
	return nil
}
