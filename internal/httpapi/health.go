package httpapi

import (
	"context"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// StatusOutput is the body of the health routes.
type StatusOutput struct {
	Body struct {
		Status string `json:"status" example:"ok" doc:"ok when healthy"`
	}
}

func okStatus() *StatusOutput {
	out := &StatusOutput{}
	out.Body.Status = "ok"
	return out
}

func (s *server) healthz(_ context.Context, _ taskapi.Principal, _ *struct{}) (*StatusOutput, error) {
	return okStatus(), nil
}

func (s *server) readyz(ctx context.Context, _ taskapi.Principal, _ *struct{}) (*StatusOutput, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		if store.Unavailable(err) || ctx.Err() != nil {
			return nil, s.outage.failed(ctx, err)
		}
		s.log.WarnContext(ctx, "not ready: database does not answer", "err", err.Error())
		return nil, huma.Error503ServiceUnavailable("the database does not answer")
	}
	return okStatus(), nil
}
