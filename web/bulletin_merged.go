package web

import "fmt"

// mergedSentence is the summary's sentence on the week's merged reports (并单, docs/metrics.md):
// duplicates merged into another case, which received does not count; nothing when there were
// none. It follows the received sentence, so it is only written when the week received cases.
func (b *Bulletin) mergedSentence() string {
	w := b.week
	if w.Merged == 0 || w.Received == 0 {
		return ""
	}
	if b.Lang == "en" {
		if w.Merged == 1 {
			return " Another report was a duplicate, merged into a case (not counted as received)."
		}
		return fmt.Sprintf(" Another %s reports were duplicates, merged into other cases (not counted as received).", numText(w.Merged, "en"))
	}
	return fmt.Sprintf("另有重复上报%d件并入其他案件（并单），不计入受理。", w.Merged)
}
