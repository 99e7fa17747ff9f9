package main

import (
	"testing"
	"time"
)

// TestConsolePauseAfterKill checks how the console's frames are read around a kill.
func TestConsolePauseAfterKill(t *testing.T) {
	t.Parallel()
	k := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	at := func(ms ...int) []time.Time {
		var ts []time.Time
		for _, m := range ms {
			ts = append(ts, k.Add(time.Duration(m)*time.Millisecond))
		}
		return ts
	}
	tests := []struct {
		name        string
		frames      []time.Time
		resumed     time.Duration
		pause       time.Duration
		resubscribe int
	}{
		{"paused by the kill", at(-100, 3000, 3100), 3 * time.Second, 3100 * time.Millisecond, 1},
		{"no pause", at(-100, 300, 700, 1100, 1500, 1900, 2300, 2700, 3100, 3500, 3900, 4300, 4700, 5100, 5500, 9000), 0, 0, 0},
		{"a later pause is not the fault's", at(-100, 200, 2000, 2400, 2800, 3200, 3600, 4000, 4400, 4800, 5200, 5600, 9000), 2 * time.Second, 1800 * time.Millisecond, 0},
		{"never resumed", at(-100), -1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newConsole(nil, "", "", "")
			c.frames = tt.frames
			if tt.resubscribe > 0 {
				c.subscribed, c.where = at(1500), []string{"http://x"}
			}
			v := c.around(k, k.Add(time.Minute))
			if v.Resumed != tt.resumed || v.Pause != tt.pause || v.Resubscribed != tt.resubscribe {
				t.Errorf("around: %+v; want resumed %s, pause %s, resubscribed %d", v, tt.resumed, tt.pause, tt.resubscribe)
			}
		})
	}
}
