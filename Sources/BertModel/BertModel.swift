// BertModel module (see docs/architecture.md).
