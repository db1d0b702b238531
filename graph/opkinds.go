package graph

// OpKinds returns every kind of node an executor computes, in order: all
// kinds but OpInvalid and the leaves (Input, Param, Const), which are
// bound, not computed. Coverage tests walk it so that a new kind without a
// test case or a lowering fails them.
func OpKinds() []OpKind {
	var ks []OpKind
	for k := OpInvalid + 1; k < numOpKinds; k++ {
		if k != OpInput && k != OpParam && k != OpConst {
			ks = append(ks, k)
		}
	}
	return ks
}
