package web

import (
	"slices"

	"github.com/griddispatch/griddispatch/dispatch"
)

// leadTargets: the county leaders a lead_handover may name, for a member offered it; empty
// otherwise (docs/cases-api.md).
func leadTargets(d dispatch.CaseDetail, actions []dispatch.Action) []memberRefJSON {
	out := []memberRefJSON{}
	if !slices.Contains(actions, dispatch.ActLeadHandover) {
		return out
	}
	for _, l := range d.LeadTo {
		out = append(out, memberRefJSON{ID: l.ID, Name: l.Name})
	}
	return out
}
