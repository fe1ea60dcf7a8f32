"""django-helpdesk as an intake peer: a minimal Django project (peer_site/) serving its DRF
ticket API, and the harness (harness.py) that installs, seeds, serves and feeds it."""
