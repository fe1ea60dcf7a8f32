"""Tickets: the queries BRC staff and MECs bring to the call-centre, and their lifecycle."""
