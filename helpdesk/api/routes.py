"""API: the OpenAPI description, generated from the registered routes."""

from flask import current_app, jsonify

from helpdesk.api import api_v1
from helpdesk.api.spec import openapi_document


@api_v1.get("/openapi.json")
def openapi_json():
    return jsonify(openapi_document(current_app))
