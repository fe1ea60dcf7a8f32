"""Enterprises: the programme's own unit, a business run by a member in one block."""
