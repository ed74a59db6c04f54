-- +goose Up
-- The sidebar's counts (open, completed, open and due before tomorrow) on
-- every page of the web app: counted in this index instead of reading
-- every task of the user.
CREATE INDEX tasks_user_status_due_idx ON tasks (user_id, status, due_date);

-- +goose Down
DROP INDEX tasks_user_status_due_idx;
