"""People who log in: agents, mentors, BRC staff, managers and admins; sessions and API tokens."""
