"""States, districts and blocks: every ticket belongs to a place."""
