package web

import (
	"slices"
	"testing"

	"github.com/griddispatch/griddispatch/dispatch"
)

// TestCentresAbove: declines, their rulings and extension requests and decisions go to the
// centres above the case's (before and after), other transitions to none.
func TestCentresAbove(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ev   dispatch.CaseEvent
		want []string
	}{
		{"a village declines", dispatch.CaseEvent{Action: "decline", State: "declined", Centre: "140802001001", FromCentre: "140802001001"},
			[]string{"140802", "140802001"}},
		{"a township declines", dispatch.CaseEvent{Action: "decline", State: "declined", Centre: "140802001"}, []string{"140802"}},
		{"upheld to the next village", dispatch.CaseEvent{Action: "decline_uphold", State: "queued", FromState: "declined",
			Centre: "140802001002", FromCentre: "140802001001"}, []string{"140802", "140802001"}},
		{"upheld to the county", dispatch.CaseEvent{Action: "decline_uphold", State: "queued", FromState: "declined",
			Centre: "140802", FromCentre: "140802001001"}, []string{"140802", "140802001"}},
		{"urged while declined", dispatch.CaseEvent{Action: "urge", State: "declined", FromState: "declined", Centre: "140802001001"},
			[]string{"140802", "140802001"}},
		{"a village asks for time", dispatch.CaseEvent{Action: "extend_request", State: "accepted", Centre: "140802001001"},
			[]string{"140802", "140802001"}},
		{"refused", dispatch.CaseEvent{Action: "extend_refuse", State: "mediating", Centre: "140802001001"}, []string{"140802", "140802001"}},
		{"the county asks for time", dispatch.CaseEvent{Action: "extend_request", State: "accepted", Centre: "140802"}, nil},
		{"escalated", dispatch.CaseEvent{Action: "escalate", State: "queued", Centre: "140802001", FromCentre: "140802001001"}, nil},
		{"accepted", dispatch.CaseEvent{Action: "accept", State: "accepted", Centre: "140802001001"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := centresAbove(tc.ev)
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("centres above: %v; want %v", got, tc.want)
			}
		})
	}
}
