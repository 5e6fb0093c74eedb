// Placement module (see docs/architecture.md).
