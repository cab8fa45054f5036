"""Backups: one checked archive of the database and the documents, and its all-or-nothing restore."""
