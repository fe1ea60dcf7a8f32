"""django-helpdesk at the root: its DRF API is then /api/tickets/."""

from django.urls import include, path

urlpatterns = [path("", include("helpdesk.urls", namespace="helpdesk"))]
