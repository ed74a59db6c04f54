package store

// The queries behind the outbox metrics, for the tests that check their
// plans.
const (
	OutboxPendingCountSQL = outboxPendingCountSQL
	OutboxFailedCountSQL  = outboxFailedCountSQL
)
