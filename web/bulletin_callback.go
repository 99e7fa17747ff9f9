package web

import "fmt"

// callbackSentence is the summary's sentence on the week's callbacks (回访, docs/metrics.md):
// how many ended, how many reached the party, and the satisfaction rate; nothing when none
// ended.
func (b *Bulletin) callbackSentence() string {
	w := b.week
	if w.Callbacks == 0 {
		return ""
	}
	if b.Lang == "en" {
		if w.CallbacksReached == 0 {
			return fmt.Sprintf(" Of %s called back, none was reached.", cases(w.Callbacks))
		}
		return fmt.Sprintf(" Of %s called back, %s reached the party (callback rate %s); %s satisfied or basically satisfied (satisfaction rate %s).",
			cases(w.Callbacks), numText(w.CallbacksReached, "en"), pctText(w.CallbackRate),
			numText(w.Satisfied, "en"), pctText(w.SatisfactionRate))
	}
	if w.CallbacksReached == 0 {
		return fmt.Sprintf("回访%d件，均未联系上当事人。", w.Callbacks)
	}
	return fmt.Sprintf("回访%d件，联系上当事人%d件（回访率%s），其中满意或基本满意%d件（满意率%s）。",
		w.Callbacks, w.CallbacksReached, pctText(w.CallbackRate), w.Satisfied, pctText(w.SatisfactionRate))
}
