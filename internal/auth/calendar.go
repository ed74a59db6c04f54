package auth

import (
	"context"
	"errors"
	"strings"

	"github.com/taskapi/taskapi"
)

// CalendarSecretPrefix starts every calendar feed secret, so that a
// person or a secret scanner can tell one apart from a token.
const CalendarSecretPrefix = "cal_"

// errSessionOnlyCalendar refuses a token on the calendar address, which
// only a signed-in person manages (it reads every task of the account).
var errSessionOnlyCalendar = taskapi.NewProblem(taskapi.ErrForbidden,
	"personal access tokens cannot manage the calendar address; sign in")

// errNoCalendarFeed is the one answer to a calendar secret that is unknown,
// replaced or turned off, or whose account is disabled or gone.
var errNoCalendarFeed = taskapi.NewProblem(taskapi.ErrNotFound, "there is no calendar at this address")

// NewCalendarFeed gives the caller a new secret calendar address and
// returns it with its secret, which exists only here (the store keeps its
// SHA-256); the address they had before stops working.
func (s *Service) NewCalendarFeed(ctx context.Context, p taskapi.Principal) (taskapi.CalendarFeed, string, error) {
	if p.ViaToken() {
		return taskapi.CalendarFeed{}, "", errSessionOnlyCalendar
	}
	secret, err := newBase62Secret(CalendarSecretPrefix)
	if err != nil {
		return taskapi.CalendarFeed{}, "", err
	}
	f, err := s.store.SetCalendarFeed(ctx, p.User.ID, HashSecret(secret))
	if err != nil {
		return taskapi.CalendarFeed{}, "", err
	}
	return f, secret, nil
}

// CalendarFeed returns the caller's calendar address (never its secret);
// ErrNotFound when they have none.
func (s *Service) CalendarFeed(ctx context.Context, p taskapi.Principal) (taskapi.CalendarFeed, error) {
	if p.ViaToken() {
		return taskapi.CalendarFeed{}, errSessionOnlyCalendar
	}
	return s.store.GetCalendarFeed(ctx, p.User.ID)
}

// DeleteCalendarFeed turns the caller's calendar address off.
func (s *Service) DeleteCalendarFeed(ctx context.Context, p taskapi.Principal) error {
	if p.ViaToken() {
		return errSessionOnlyCalendar
	}
	return s.store.DeleteCalendarFeed(ctx, p.User.ID)
}

// CalendarFeedOwner returns the user whose calendar address has this
// secret: one lookup by its hash, after a check of its shape. Anything
// else is ErrNotFound, without saying why. The fetch is recorded at most
// once a minute, for the settings page's "last fetched".
func (s *Service) CalendarFeedOwner(ctx context.Context, secret string) (taskapi.User, error) {
	if !wellFormedSecret(secret, CalendarSecretPrefix) {
		return taskapi.User{}, errNoCalendarFeed
	}
	u, lastUsed, err := s.store.CalendarFeedOwner(ctx, HashSecret(secret))
	if errors.Is(err, taskapi.ErrNotFound) {
		return taskapi.User{}, errNoCalendarFeed
	} else if err != nil {
		return taskapi.User{}, err
	}
	if lastUsed == nil || s.now().Sub(*lastUsed) > touchEvery {
		if err := s.store.TouchCalendarFeed(ctx, u.ID); err != nil {
			// Only bookkeeping: the calendar is served all the same.
			s.log.WarnContext(ctx, "record calendar feed use", "user_id", u.ID.String(), "err", err.Error())
		}
	}
	return u, nil
}

// CalendarURL is the address of the calendar feed with this secret on the
// server at base (TASKAPI_BASE_URL).
func CalendarURL(base, secret string) string {
	return strings.TrimRight(base, "/") + "/calendar/" + secret + ".ics"
}
