"""Satisfaction (CSAT): requesters rate their resolved tickets, managers read the report."""
