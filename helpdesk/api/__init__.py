"""REST API v1: one blueprint; each capability adds its routes in its own ``api.py``."""

from flask import Blueprint

api_v1 = Blueprint("api_v1", __name__, url_prefix="/api/v1")
