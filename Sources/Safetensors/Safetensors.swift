// Safetensors module (see docs/architecture.md).
