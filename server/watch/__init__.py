"""The watch roster: who is under daily watch in each community, and why."""
