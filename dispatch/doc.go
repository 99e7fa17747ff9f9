// Package dispatch turns located events into cases and moves them through the village,
// township and county mediation tiers over NATS JetStream. PostgreSQL is the source of truth;
// NATS carries only what has committed.
//
// So far it holds the connection to the bus; the case model and routing follow.
package dispatch
