package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store"
)

// AccessTokenBody is a personal access token as its owner sees it: never
// the secret, which only the create answer holds.
type AccessTokenBody struct {
	ID         string     `json:"id" format:"uuid" doc:"Token ID"`
	Name       string     `json:"name" doc:"What the token is for, as its owner named it"`
	Prefix     string     `json:"prefix" doc:"The start of the token (tapi_ and 8 characters), to recognise it by; not enough to use it"`
	Scopes     []string   `json:"scopes" doc:"What the token may do"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at" doc:"When it was last used, to the minute; null if never"`
	ExpiresAt  *time.Time `json:"expires_at" doc:"When it stops working; null if never"`
	Expired    bool       `json:"expired" doc:"True once expires_at has passed (expired tokens are listed for a week, then deleted)"`
}

func (s *server) accessTokenBody(t taskapi.AccessToken) AccessTokenBody {
	scopes := make([]string, len(t.Scopes))
	for i, sc := range t.Scopes {
		scopes[i] = string(sc)
	}
	return AccessTokenBody{ID: t.ID.String(), Name: t.Name, Prefix: t.Prefix, Scopes: scopes, CreatedAt: t.CreatedAt,
		LastUsedAt: t.LastUsedAt, ExpiresAt: t.ExpiresAt, Expired: t.Expired(s.store.Now())}
}

// CreateAccessTokenInput is POST /tokens.
type CreateAccessTokenInput struct {
	// The create is not idempotent on purpose: a replay would have to
	// show the secret again, which is not kept.
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Not accepted here (422): a replayed create would have to reveal the secret again, and the server does not keep it. A create lost in transit leaves a token that GET /tokens lists and DELETE revokes."`
	Body           struct {
		Name      string     `json:"name" minLength:"1" maxLength:"100" doc:"What the token is for, 1–100 characters"`
		Scopes    []string   `json:"scopes" minItems:"1" maxItems:"8" enum:"tasks:read,tasks:write,categories:read,categories:write,tags:read,tags:write,webhooks:manage,account:read" doc:"What the token may do; a write scope includes its read scope"`
		ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"When the token stops working: in the future, at most 366 days ahead; leave out for a token that does not expire"`
	}
}

// CreatedAccessTokenOutput is the answer to a create: the only time the
// secret is shown.
type CreatedAccessTokenOutput struct {
	Status       int
	Location     string `header:"Location" doc:"URL of the new token"`
	CacheControl string `header:"Cache-Control" doc:"no-store: the secret must not be cached"`
	Body         struct {
		AccessTokenBody
		Token string `json:"token" doc:"The secret (tapi_…), shown this once: send it as Authorization: Bearer <token>. It is stored only as a hash."`
	}
}

func (s *server) createAccessToken(ctx context.Context, caller taskapi.Principal, in *CreateAccessTokenInput) (*CreatedAccessTokenOutput, error) {
	if in.IdempotencyKey != "" {
		return nil, taskapi.Invalid("header.Idempotency-Key", "is not accepted when creating a token: a replay would have to reveal the secret again")
	}
	t, secret, err := s.auth.CreateAccessToken(ctx, caller, auth.NewAccessToken{Name: in.Body.Name, Scopes: in.Body.Scopes, ExpiresAt: in.Body.ExpiresAt})
	if err != nil {
		return nil, err
	}
	out := &CreatedAccessTokenOutput{Status: http.StatusCreated, Location: apiPrefix + "/tokens/" + t.ID.String(), CacheControl: noStore}
	out.Body.AccessTokenBody, out.Body.Token = s.accessTokenBody(t), secret
	return out, nil
}

// AccessTokenListOutput is a page of the caller's tokens, newest first.
type AccessTokenListOutput struct {
	Body struct {
		Items      []AccessTokenBody `json:"items"`
		NextCursor *string           `json:"next_cursor" doc:"Cursor of the next page; null on the last"`
	}
}

func (s *server) listAccessTokens(ctx context.Context, caller taskapi.Principal, in *PageInput) (*AccessTokenListOutput, error) {
	out := &AccessTokenListOutput{}
	var err error
	out.Body.Items, out.Body.NextCursor, err = listPage(s, caller, scope("access-tokens"), in.Cursor, in.Limit,
		func(p store.Page) ([]taskapi.AccessToken, store.Position, error) {
			return s.store.ListAccessTokens(ctx, caller.User.ID, p)
		}, s.accessTokenBody)
	return out, err
}

// AccessTokenPath names one of the caller's tokens.
type AccessTokenPath struct {
	ID string `path:"id" format:"uuid" doc:"Token ID"`
}

// AccessTokenOutput is one token.
type AccessTokenOutput struct {
	Body AccessTokenBody
}

func (s *server) getAccessToken(ctx context.Context, caller taskapi.Principal, in *AccessTokenPath) (*AccessTokenOutput, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	t, err := s.store.GetAccessToken(ctx, caller.User.ID, id)
	if err != nil {
		return nil, err
	}
	return &AccessTokenOutput{Body: s.accessTokenBody(t)}, nil
}

func (s *server) revokeAccessToken(ctx context.Context, caller taskapi.Principal, in *AccessTokenPath) (*NoContent, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.auth.RevokeAccessToken(ctx, caller, id); err != nil {
		return nil, err
	}
	return &NoContent{}, nil
}
