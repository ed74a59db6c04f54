package taskapi

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Scope is one permission a personal access token may carry.
type Scope string

// The scopes of personal access tokens. A write scope includes its read
// scope: a write answers with what it wrote, so a write-only token could
// read anyway, and saying so is more honest than pretending otherwise.
const (
	ScopeTasksRead       Scope = "tasks:read"
	ScopeTasksWrite      Scope = "tasks:write"
	ScopeCategoriesRead  Scope = "categories:read"
	ScopeCategoriesWrite Scope = "categories:write"
	ScopeTagsRead        Scope = "tags:read"
	ScopeTagsWrite       Scope = "tags:write"
	ScopeWebhooksManage  Scope = "webhooks:manage"
	ScopeAccountRead     Scope = "account:read"
)

// Scopes lists every scope in the order they are shown and stored.
var Scopes = []Scope{
	ScopeTasksRead, ScopeTasksWrite, ScopeCategoriesRead, ScopeCategoriesWrite,
	ScopeTagsRead, ScopeTagsWrite, ScopeWebhooksManage, ScopeAccountRead,
}

// ScopeDescriptions say in plain words what each scope lets a token do.
var ScopeDescriptions = map[Scope]string{
	ScopeTasksRead:       "See your tasks, their statistics and details",
	ScopeTasksWrite:      "Create, change and delete your tasks (includes seeing them)",
	ScopeCategoriesRead:  "See your categories",
	ScopeCategoriesWrite: "Create, rename and delete your categories (includes seeing them)",
	ScopeTagsRead:        "See your tags",
	ScopeTagsWrite:       "Create, rename and delete your tags (includes seeing them)",
	ScopeWebhooksManage:  "Set up and manage webhooks",
	ScopeAccountRead:     "See your name, username, email and time zone",
}

// implied maps a write scope to the read scope it includes.
var implied = map[Scope]Scope{
	ScopeTasksWrite:      ScopeTasksRead,
	ScopeCategoriesWrite: ScopeCategoriesRead,
	ScopeTagsWrite:       ScopeTagsRead,
}

// Grants reports whether a token holding scopes may do what need asks.
func Grants(scopes []Scope, need Scope) bool {
	for _, s := range scopes {
		if s == need || implied[s] == need {
			return true
		}
	}
	return false
}

// AccessToken is a personal access token: a long-lived credential a user
// makes for a script or an integration, limited to some scopes. Only a
// hash of its secret is kept; the secret is shown once, when it is made.
type AccessToken struct {
	ID     uuid.UUID
	UserID uuid.UUID
	Name   string
	// Prefix is the start of the secret, to recognise a token by; it
	// does not let anyone use it.
	Prefix     string
	Scopes     []Scope
	CreatedAt  time.Time
	LastUsedAt *time.Time // nil until first used; recorded at most once a minute
	ExpiresAt  *time.Time // nil: never expires
}

// Expired reports whether the token has expired at now.
func (t AccessToken) Expired(now time.Time) bool {
	return t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)
}

// Access token rules.
const (
	AccessTokenNameMaxLen = 100
	// AccessTokenMaxLifetime bounds expires_at: a token that must live
	// longer is made without expiry, on purpose.
	AccessTokenMaxLifetime = 366 * 24 * time.Hour
	// MaxAccessTokens is how many live (unexpired) tokens an account may
	// hold.
	MaxAccessTokens = 50
)

// NewAccessToken validates what a user asks for and returns the token to
// store: the name trimmed, the scopes deduplicated in their canonical
// order, the expiry in the future and within AccessTokenMaxLifetime.
func NewAccessToken(name string, scopes []string, expiresAt *time.Time, now time.Time) (AccessToken, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > AccessTokenNameMaxLen {
		return AccessToken{}, Invalid("name", "must be 1 to %d characters and not blank", AccessTokenNameMaxLen)
	}
	if !ValidText(name) {
		return AccessToken{}, Invalid("name", "must be valid UTF-8 without NUL characters")
	}
	if len(scopes) == 0 {
		return AccessToken{}, Invalid("scopes", "must name at least one scope")
	}
	var set []Scope
	for _, s := range scopes {
		if !slices.Contains(Scopes, Scope(s)) {
			return AccessToken{}, Invalid("scopes", "%q is not a scope; the scopes are %s", s, ScopeList())
		}
		set = append(set, Scope(s))
	}
	t := AccessToken{Name: name, Scopes: CanonicalScopes(set)}
	if expiresAt != nil {
		exp := expiresAt.UTC().Truncate(time.Second)
		switch {
		case !exp.After(now):
			return AccessToken{}, Invalid("expires_at", "must be in the future")
		case exp.After(now.Add(AccessTokenMaxLifetime)):
			return AccessToken{}, Invalid("expires_at", "must be at most 366 days ahead; leave it out for a token that does not expire")
		}
		t.ExpiresAt = &exp
	}
	return t, nil
}

// CanonicalScopes returns scopes without repeats, in the order of Scopes;
// unknown values are dropped.
func CanonicalScopes(scopes []Scope) []Scope {
	out := []Scope{}
	for _, s := range Scopes {
		if slices.Contains(scopes, s) {
			out = append(out, s)
		}
	}
	return out
}

// ScopeList is the scopes as text, comma-separated.
func ScopeList() string {
	names := make([]string, len(Scopes))
	for i, s := range Scopes {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}
