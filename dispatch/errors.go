package dispatch

import "errors"

// ErrBusDown means NATS or JetStream cannot be used right now.
var ErrBusDown = errors.New("bus unavailable")
