"""Run by the peer's own Python after `migrate`: one queue and one staff API user with a DRF
token (the API's ticket endpoints are for staff). Prints {"queue": id, "token": key}."""

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_site.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from helpdesk.models import Queue  # noqa: E402  (django-helpdesk's package, in the peer venv)

queue = Queue.objects.create(
    title="Enterprise support", slug="enterprise", email_address="support@example.org"
)
agent = get_user_model().objects.create_user(
    "bench.agent", "bench.agent@example.org", password=None, is_staff=True
)
print(json.dumps({"queue": queue.id, "token": Token.objects.create(user=agent).key}))
