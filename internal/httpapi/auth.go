package httpapi

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
)

// noStore is the Cache-Control of every response that carries a token:
// no cache, shared or private, may keep it (RFC 6749 §5.1 asks for both
// headers).
const noStore = "no-store"

// RegisterInput is the body of POST /auth/register.
type RegisterInput struct {
	Body struct {
		Email    string  `json:"email" maxLength:"254" doc:"Email address; compared ignoring case and stored in lower case" example:"ada@example.com"`
		Username string  `json:"username" minLength:"3" maxLength:"50" pattern:"^[A-Za-z0-9_.-]+$" patternDescription:"letters, digits, '_', '.' and '-'" doc:"Unique username (unique ignoring case)" example:"ada"`
		Password string  `json:"password" minLength:"8" maxLength:"128" doc:"8 to 128 characters, every one of them significant; common or easily guessed passwords (or ones built from your name, username or email) are refused" example:"correct horse battery staple"`
		FullName *string `json:"full_name,omitempty" maxLength:"200" doc:"Display name"`
		TimeZone string  `json:"timezone,omitempty" maxLength:"64" doc:"IANA time zone, such as Europe/Paris; UTC when left out" example:"Europe/Paris"`
	}
}

// CreatedUserOutput is the answer to a registration.
type CreatedUserOutput struct {
	ETag string `header:"ETag" doc:"Version of the user"`
	Body UserBody
}

func (s *server) register(ctx context.Context, caller taskapi.Principal, in *RegisterInput) (*CreatedUserOutput, error) {
	u, err := s.auth.Register(ctx, auth.Registration{
		Email: in.Body.Email, Username: in.Body.Username, Password: in.Body.Password, FullName: in.Body.FullName,
		TimeZone: in.Body.TimeZone,
	})
	if err != nil {
		return nil, err
	}
	return &CreatedUserOutput{ETag: userETag(u), Body: userBody(u)}, nil
}

// LoginBody is the body of POST /auth/login, as JSON or as an OAuth2
// password-flow form. The OAuth2 fields other than username and password
// are accepted and ignored: there are no scopes and no registered clients.
type LoginBody struct {
	Username     string `json:"username" minLength:"1" maxLength:"254" doc:"Username or email address" example:"ada"`
	Password     string `json:"password" minLength:"1" maxLength:"128" doc:"Password" example:"correct horse battery staple"`
	GrantType    string `json:"grant_type,omitempty" enum:"password" doc:"OAuth2 clients send password; optional"`
	Scope        string `json:"scope,omitempty" maxLength:"1000" doc:"Ignored"`
	ClientID     string `json:"client_id,omitempty" maxLength:"255" doc:"Ignored"`
	ClientSecret string `json:"client_secret,omitempty" maxLength:"255" doc:"Ignored"`
}

// LoginInput is the input of POST /auth/login.
type LoginInput struct {
	Body LoginBody
}

// TokenBody is a token pair, in the shape OAuth2 clients expect.
type TokenBody struct {
	AccessToken  string `json:"access_token" doc:"JWT to send as Authorization: Bearer …"`
	RefreshToken string `json:"refresh_token" doc:"Opaque; trade it at /auth/refresh for a new pair. Each one works once."`
	TokenType    string `json:"token_type" enum:"bearer" doc:"Always bearer"`
	ExpiresIn    int    `json:"expires_in" doc:"Seconds until the access token expires" example:"900"`
}

// TokenOutput is an answer that carries tokens: never cached.
type TokenOutput struct {
	CacheControl string `header:"Cache-Control" doc:"no-store: tokens must not be cached"`
	Pragma       string `header:"Pragma" doc:"no-cache, for HTTP/1.0 caches"`
	Body         TokenBody
}

func tokenOutput(p auth.TokenPair) *TokenOutput {
	return &TokenOutput{CacheControl: noStore, Pragma: "no-cache", Body: TokenBody{
		AccessToken: p.AccessToken, RefreshToken: p.RefreshToken, TokenType: "bearer", ExpiresIn: int(p.ExpiresIn.Seconds()),
	}}
}

func (s *server) login(ctx context.Context, caller taskapi.Principal, in *LoginInput) (*TokenOutput, error) {
	pair, err := s.auth.Login(ctx, in.Body.Username, in.Body.Password, clientFrom(ctx))
	if err != nil {
		return nil, err
	}
	return tokenOutput(pair), nil
}

// acceptLoginForm declares that login also takes the OAuth2 password form,
// with the same fields as the JSON body, so that Swagger UI's "Authorize"
// and OAuth2 client libraries work. The form itself is decoded by the
// format registered in formats.go.
func acceptLoginForm(api huma.API, path string) {
	item := api.OpenAPI().Paths[path]
	if item == nil || item.Post == nil || item.Post.RequestBody == nil {
		return
	}
	if js := item.Post.RequestBody.Content["application/json"]; js != nil {
		item.Post.RequestBody.Content[formContentType] = &huma.MediaType{Schema: js.Schema}
	}
}

// RefreshTokenInput carries a refresh token.
type RefreshTokenInput struct {
	Body struct {
		RefreshToken string `json:"refresh_token" minLength:"1" maxLength:"512" doc:"The refresh token of the session"`
	}
}

func (s *server) refresh(ctx context.Context, caller taskapi.Principal, in *RefreshTokenInput) (*TokenOutput, error) {
	pair, err := s.auth.Refresh(ctx, in.Body.RefreshToken)
	if err != nil {
		return nil, err
	}
	return tokenOutput(pair), nil
}

// NoContent is the output of operations answered with 204.
type NoContent struct{}

func (s *server) logout(ctx context.Context, caller taskapi.Principal, in *RefreshTokenInput) (*NoContent, error) {
	if err := s.auth.Logout(ctx, in.Body.RefreshToken); err != nil {
		return nil, err
	}
	return &NoContent{}, nil
}

func (s *server) logoutAll(ctx context.Context, caller taskapi.Principal, _ *struct{}) (*NoContent, error) {
	if err := s.auth.LogoutAll(ctx, caller.User.ID); err != nil {
		return nil, err
	}
	return &NoContent{}, nil
}

// EmailTokenInput carries the token of an email link.
type EmailTokenInput struct {
	Body struct {
		Token string `json:"token" minLength:"1" maxLength:"512" doc:"The token parameter of the link in the email"`
	}
}

func (s *server) verifyEmail(ctx context.Context, caller taskapi.Principal, in *EmailTokenInput) (*UserOutput, error) {
	u, err := s.auth.VerifyEmail(ctx, in.Body.Token)
	if err != nil {
		return nil, err
	}
	return userOutput(u), nil
}

// EmailInput carries an email address.
type EmailInput struct {
	Body struct {
		Email string `json:"email" minLength:"1" maxLength:"254" doc:"Email address of the account" example:"ada@example.com"`
	}
}

// AcceptedOutput is the answer of requests that are handled in the
// background and say nothing about the account.
type AcceptedOutput struct {
	Body struct {
		Message string `json:"message" doc:"What happens next"`
	}
}

func accepted(msg string) *AcceptedOutput {
	out := &AcceptedOutput{}
	out.Body.Message = msg
	return out
}

func (s *server) resendVerification(ctx context.Context, caller taskapi.Principal, in *EmailInput) (*AcceptedOutput, error) {
	if err := s.auth.ResendVerification(ctx, in.Body.Email); err != nil {
		return nil, err
	}
	return accepted("If this address belongs to an account that is not verified yet, a new verification email is on its way."), nil
}

func (s *server) forgotPassword(ctx context.Context, caller taskapi.Principal, in *EmailInput) (*AcceptedOutput, error) {
	if err := s.auth.ForgotPassword(ctx, in.Body.Email); err != nil {
		return nil, err
	}
	return accepted("If this address belongs to an account, an email with a reset link is on its way."), nil
}

// ResetPasswordInput is the body of POST /auth/reset-password.
type ResetPasswordInput struct {
	Body struct {
		Token       string `json:"token" minLength:"1" maxLength:"512" doc:"The token parameter of the link in the email"`
		NewPassword string `json:"new_password" minLength:"8" maxLength:"128" doc:"The new password (same rules as at registration)"`
	}
}

func (s *server) resetPassword(ctx context.Context, caller taskapi.Principal, in *ResetPasswordInput) (*NoContent, error) {
	if err := s.auth.ResetPassword(ctx, in.Body.Token, in.Body.NewPassword); err != nil {
		return nil, err
	}
	return &NoContent{}, nil
}

// ChangePasswordInput is the body of POST /auth/change-password.
type ChangePasswordInput struct {
	Body struct {
		CurrentPassword string `json:"current_password" minLength:"1" maxLength:"128" doc:"The password in use"`
		NewPassword     string `json:"new_password" minLength:"8" maxLength:"128" doc:"The new password (same rules as at registration)"`
	}
}

func (s *server) changePassword(ctx context.Context, caller taskapi.Principal, in *ChangePasswordInput) (*NoContent, error) {
	if err := s.auth.ChangePassword(ctx, caller, in.Body.CurrentPassword, in.Body.NewPassword); err != nil {
		return nil, err
	}
	return &NoContent{}, nil
}
