-- +goose Up
-- Reminders of tasks. fire_at is computed by the store (absolute: at;
-- relative: the due date moved by the offset in the owner's time zone) and
-- recomputed in the transaction of every write that moves the due date;
-- NULL for a relative reminder of a task without a due date.
CREATE TABLE reminders (
    id         uuid PRIMARY KEY,
    task_id    uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    at         timestamptz,
    relative   text CHECK (length(relative) <= 40),
    fire_at    timestamptz,
    state      text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'SENT', 'SKIPPED')),
    sent_at    timestamptz,
    created_at timestamptz NOT NULL,
    CHECK ((at IS NULL) <> (relative IS NULL))
);
CREATE INDEX reminders_task_idx ON reminders (task_id, position);
-- The worker's claim walks the pending reminders by time, nothing else.
CREATE INDEX reminders_due_idx ON reminders (fire_at) WHERE state = 'PENDING' AND fire_at IS NOT NULL;

-- What the web app shows: a reminder that went off.
CREATE TABLE notifications (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    task_id    uuid REFERENCES tasks (id) ON DELETE CASCADE,
    kind       text NOT NULL,
    title      text NOT NULL,
    due_date   timestamptz,
    created_at timestamptz NOT NULL,
    read_at    timestamptz
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id);
CREATE INDEX notifications_unread_idx ON notifications (user_id, id) WHERE read_at IS NULL;
CREATE INDEX notifications_task_idx ON notifications (task_id) WHERE task_id IS NOT NULL;
-- For the janitor, which deletes read notifications after a while.
CREATE INDEX notifications_read_idx ON notifications (read_at) WHERE read_at IS NOT NULL;

-- A user's choices about reminder emails and the daily digest; no row
-- means the defaults. digest_next_at is the next instant the digest falls
-- due (the digest hour on the user's wall clock), for the worker's claim.
CREATE TABLE user_preferences (
    user_id         uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    reminder_emails boolean NOT NULL DEFAULT true,
    digest_hour     integer CHECK (digest_hour BETWEEN 0 AND 23),
    digest_next_at  timestamptz,
    version         bigint NOT NULL DEFAULT 1,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX user_preferences_digest_idx ON user_preferences (digest_next_at) WHERE digest_next_at IS NOT NULL;

-- One row per digest day of a user, sent or skipped because there was
-- nothing to say: the key makes a digest go out at most once per local
-- day, whichever instance gets there first.
CREATE TABLE digests (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    local_date text NOT NULL,
    tasks      integer NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, local_date)
);
CREATE INDEX digests_created_idx ON digests (created_at);

-- Mail the service sends a user about their own data (REMINDER, DIGEST):
-- it neither spends nor is refused by the anti-abuse mail budget.
ALTER TABLE outbox ADD COLUMN kind text;

-- +goose Down
ALTER TABLE outbox DROP COLUMN kind;
DROP TABLE digests;
DROP TABLE user_preferences;
DROP TABLE notifications;
DROP TABLE reminders;
