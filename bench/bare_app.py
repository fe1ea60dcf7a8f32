"""The baseline bench/intake.py compares the helpdesk with: Flask alone, one JSON route.

`gunicorn --chdir bench bare_app:app`: POST /api/v1/tickets parses the JSON body and returns
it with 201, so the ratio printed by the bench is "how much of plain Flask+gunicorn the
helpdesk's ticket intake keeps".
"""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/api/v1/tickets")
def echo():
    data = request.get_json()
    return jsonify(data), 201


@app.get("/ping")
def ping():
    return "ok"
