package graph_test

import (
	"testing"

	"github.com/sdevk/sdevk/graph/optest"
)

// TestOpTable checks every op's value on the reference executor against
// the case's independent reference (to float64 rounding).
func TestOpTable(t *testing.T) {
	optest.Run(t, optest.NewReference(), optest.Tolerance{Rel: 1e-12, Abs: 1e-12})
}

// TestOpTableDerivatives checks every op's VJP and second-order products
// on the reference executor against central finite differences.
func TestOpTableDerivatives(t *testing.T) {
	optest.FiniteDifferences(t, optest.NewReference())
}

// TestOpTableCoverage fails for an op kind without a case.
func TestOpTableCoverage(t *testing.T) { optest.Coverage(t, nil) }
