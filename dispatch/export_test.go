package dispatch

import "time"

// SetClock makes cs count the deadlines its transitions set from at instead of the database's
// now(), so that a test can stand on a Friday afternoon or before a holiday week.
func (cs *Cases) SetClock(at time.Time) { cs.clock = func() time.Time { return at } }
