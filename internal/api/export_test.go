package api

// Test helpers for the conformance suite, which runs from package api_test
// (apitest imports api).
var (
	TestDB          = testDB
	AddWorkflow     = addWorkflow
	WorkflowEnabled = workflowEnabled
	AuditLog        = auditLog
)
