-- +goose Up
-- A user's webhook endpoints. The signing secret is kept as given to the
-- user (HMAC needs it); the previous one still signs until
-- previous_secret_until, so a receiver can switch without losing events.
CREATE TABLE webhooks (
    id                    uuid PRIMARY KEY,
    user_id               uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    url                   text NOT NULL,
    description           text NOT NULL DEFAULT '',
    event_types           text NOT NULL,
    active                boolean NOT NULL DEFAULT true,
    disabled_reason       text NOT NULL DEFAULT '',
    failing_since         timestamptz,
    secret                text NOT NULL,
    previous_secret       text,
    previous_secret_until timestamptz,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    version               bigint NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX webhooks_user_idx ON webhooks (user_id, id);

-- One row per event per endpoint: the job the delivery worker claims and
-- the endpoint's delivery log. seq orders an endpoint's deliveries: only
-- the oldest pending one of an endpoint is sent, so a receiver sees events
-- in the order they happened.
CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY,
    webhook_id      uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seq             bigint NOT NULL,
    event_type      text NOT NULL,
    entity_type     text NOT NULL,
    entity_id       uuid NOT NULL,
    payload         text,
    created_at      timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    delivered_at    timestamptz,
    failed_at       timestamptz,
    last_status     integer,
    last_error      text,
    last_duration_ms integer,
    response_body   text
);
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_deliveries_order_idx ON webhook_deliveries (webhook_id, seq, id)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
