-- +goose Up
-- The mail budget counts the recent mail to one address.
CREATE INDEX outbox_recipient_idx ON outbox (recipient, created_at);

-- +goose Down
DROP INDEX outbox_recipient_idx;
