"""Callers: MECs, CRP-EPs and others who phone or text the call-centre, often without a login."""
