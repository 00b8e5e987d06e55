"""The app that gunicorn serves in the fault and load runs: ``wsgi``'s, with a few settings changed.

``QUARTIER_TEST_OVERRIDES`` holds Flask config keys as JSON, e.g.
``{"APPLICATION_RATE_LIMIT": "100000 per hour"}``: the production app
factory, with rate limits raised where a run would otherwise measure 429s.
"""
import json
import os

from blueprints.app import create_app

app = create_app(**json.loads(os.environ.get("QUARTIER_TEST_OVERRIDES") or "{}"))
