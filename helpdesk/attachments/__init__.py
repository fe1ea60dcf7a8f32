"""Files attached to tickets: photos of ledgers and passbooks, business plans, statements."""
