package dispatch

// Queued is how many reports wait for a writer.
func (in *Intake) Queued() int { return len(in.writes) }
