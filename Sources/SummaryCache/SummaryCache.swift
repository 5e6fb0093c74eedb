// SummaryCache module (see docs/architecture.md).
