"""Le bureau: the coordinators' web desk over the same database and `dla` core."""
