-- +goose Up
-- A user's webhook endpoints. The signing secret is kept as given to the
-- user (HMAC needs it); the previous one still signs until
-- previous_secret_until, so a receiver can switch without losing events.
CREATE TABLE webhooks (
    id                    TEXT PRIMARY KEY,
    user_id               TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    url                   TEXT NOT NULL,
    description           TEXT NOT NULL DEFAULT '',
    event_types           TEXT NOT NULL,
    active                BOOLEAN NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    disabled_reason       TEXT NOT NULL DEFAULT '',
    failing_since         DATETIME,
    secret                TEXT NOT NULL,
    previous_secret       TEXT,
    previous_secret_until DATETIME,
    created_at            DATETIME NOT NULL,
    updated_at            DATETIME NOT NULL,
    version               INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX webhooks_user_idx ON webhooks (user_id, id);

-- One row per event per endpoint: the job the delivery worker claims and
-- the endpoint's delivery log. seq orders an endpoint's deliveries: only
-- the oldest pending one of an endpoint is sent, so a receiver sees events
-- in the order they happened.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    webhook_id      TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    event_type      TEXT NOT NULL,
    entity_type     TEXT NOT NULL,
    entity_id       TEXT NOT NULL,
    payload         text,
    created_at      DATETIME NOT NULL,
    next_attempt_at DATETIME NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    locked_until    DATETIME,
    delivered_at    DATETIME,
    failed_at       DATETIME,
    last_status     INTEGER,
    last_error      text,
    last_duration_ms INTEGER,
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
