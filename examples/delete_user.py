"""Soft-deletes your own account: DELETE /v1/user/{user_id} with your API key.

    USER_ID=usr_... USER_KEY=ak_... python3 examples/delete_user.py

USERS_API_URL is the service's address (default http://127.0.0.1:3000). Needs `requests`
(pip install requests, or apt-get install python3-requests). Prints the JSON answer, then its HTTP status.
"""
import json
import os

import requests

base_url = os.environ.get("USERS_API_URL", "http://127.0.0.1:3000")
user_id = os.environ["USER_ID"]
api_key = os.environ["USER_KEY"]

response = requests.delete(
    f"{base_url}/v1/user/{user_id}",
    headers={"X-API-Key": api_key},
    timeout=10,
)

print(json.dumps(response.json(), indent=2))
print(f"HTTP {response.status_code}")
