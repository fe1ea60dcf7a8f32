"""Canned responses: reusable replies, shared or an agent's own, filled in at send time."""
