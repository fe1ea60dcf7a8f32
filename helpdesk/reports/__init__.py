"""Reports for managers: SLA compliance per group, the open backlog by age, the weekly trend."""
