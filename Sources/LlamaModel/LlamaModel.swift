// LlamaModel module (see docs/architecture.md).
