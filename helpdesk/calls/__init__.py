"""Telephony (CTI) events, the call log, and SMS intake and replies."""
