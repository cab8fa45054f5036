"""The outbox: reminder rules, planned notification rows, and the sweep that sends them once."""
