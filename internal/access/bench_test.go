package access

import "testing"

func BenchmarkDecide(b *testing.B) {
	actor := listOn(as(ConnectorAdmin, ConnectorUser), true)
	for b.Loop() {
		Decide(actor, WorkflowEdit, mine)
	}
}

// BenchmarkHashPassword measures the default costs: the time a login spends
// verifying a password.
func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := DefaultPasswordParams.HashPassword("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
