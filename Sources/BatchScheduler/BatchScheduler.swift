// BatchScheduler module (see docs/architecture.md).
