// Package integration holds tests that run the real taskapi binary as
// several processes sharing PostgreSQL and Redis, as a deployment behind a
// load balancer would. It has no code of its own.
package integration
