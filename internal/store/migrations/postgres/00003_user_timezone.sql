-- +goose Up
-- The user's IANA time zone, in which the web app shows due dates and
-- computes "today"; checked by the domain (taskapi.ValidateTimeZone).
ALTER TABLE users ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC';

-- +goose Down
ALTER TABLE users DROP COLUMN timezone;
