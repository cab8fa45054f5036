"""E-mail: build messages from notices, then hand them to a transport (.eml outbox or SMTP)."""
