// Package sfemutest starts the Salesforce emulator (internal/sfemu) for a
// test and logs its development users in with our client
// (internal/salesforce), so that every package testing against the
// emulator sets it up the same way:
//
//	org := sfemutest.Start(t, sfemu.Options{Seed: "demo"})
//	admin := org.Connect(t, sfemutest.Admin)
//
// It is for tests only: nothing outside _test.go files may import it, and
// internal/salesforce may use it only from its external test package
// (package salesforce_test), since it imports the client.
//
// Decision: docs/adr/0151-shared-emulator-fixture.md.
package sfemutest
