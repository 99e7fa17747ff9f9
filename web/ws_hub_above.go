package web

import (
	"slices"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
)

// Some transitions wait on the centres above the case's: a decline (退单) on their ruling, an
// extension request (延期) on their supervisors' decision. A case's frames go to the consoles
// of its centre (ev.Centre, ev.FromCentre); these go to the consoles of the centres above too,
// so that the arbiter's 待裁定退单 and the supervisors' 延期申请 lists change live. Other
// transitions stay with the case's own centre: a county console does not hear every village.
var aboveActions = []string{
	string(dispatch.ActDecline), string(dispatch.ActDeclineUphold), string(dispatch.ActDeclineOverrule),
	string(dispatch.ActRequestExtension), string(dispatch.ActApproveExtension), string(dispatch.ActRefuseExtension),
}

// centresAbove lists the codes of the units above the case's centres (before and after the
// transition) whose consoles must hear of it: none for most transitions.
func centresAbove(ev dispatch.CaseEvent) []string {
	if !slices.Contains(aboveActions, ev.Action) && ev.State != dispatch.StateDeclined && ev.FromState != dispatch.StateDeclined {
		return nil
	}
	var out []string
	for _, centre := range []string{ev.Centre, ev.FromCentre} {
		for l := grid.County; l <= grid.MicroGrid && l.CodeLength() < len(centre); l++ {
			if code := centre[:l.CodeLength()]; !slices.Contains(out, code) {
				out = append(out, code)
			}
		}
	}
	return out
}
