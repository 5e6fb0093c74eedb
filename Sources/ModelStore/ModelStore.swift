// ModelStore module (see docs/architecture.md).
