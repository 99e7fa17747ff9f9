package grid

// ChangeRoot is the unit whose administrator may draft, review and apply a change set of ops:
// the deepest unit whose subtree holds everything they touch (what DraftChange stores as its
// root; "" when the operations name no unit).
func ChangeRoot(ops []ChangeOp) string { return changeRoot(ops) }
