"""Entry point: `flask --app wsgi run` or `gunicorn wsgi:app`."""

import gc

from helpdesk import create_app

app = create_app()

# What importing and building the app made lives as long as the process: moved out of the
# collector's sight, a full collection scans only what requests made since (11-28 ms rather
# than 126-140 ms, a pause the request in hand waits through; bench/intake_profile.py).
gc.collect()
gc.freeze()
