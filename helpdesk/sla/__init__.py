"""The SLA engine: business time, policies, the clocks of each ticket, warnings and breaches.

``from helpdesk.sla import BusinessCalendar`` is the contract's entry point.
"""

from helpdesk.sla.calendar import BusinessCalendar

__all__ = ["BusinessCalendar"]
