"""Administration in the browser: blocks, categories, SLA calendars and policies, each
change written to the admin audit."""
