-- +goose Up
-- A row of the outbox is either a message (request IS NULL) or a request
-- for an email token (VERIFY_EMAIL, RESET_PASSWORD) to the address in
-- recipient: forgot-password and resend-verification only record the
-- request, durably, and the worker looks the address up later, so that the
-- answer neither waits on nor reveals whether the address is known.
ALTER TABLE outbox ADD COLUMN request TEXT;

-- +goose Down
ALTER TABLE outbox DROP COLUMN request;
