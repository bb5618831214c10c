#!/usr/bin/env bash
# Soft-deletes your own account: DELETE /v1/user/{user_id} with your API key.
#   USER_ID=usr_... USER_KEY=ak_... bash examples/delete-user.sh
# USERS_API_URL is the service's address (default http://127.0.0.1:3000).
# Prints the JSON answer, then its HTTP status (curl exits non-zero on a connection error, not on a 4xx).
set -euo pipefail

curl -sS -X DELETE "${USERS_API_URL:-http://127.0.0.1:3000}/v1/user/${USER_ID:?set USER_ID}" \
  -H "X-API-Key: ${USER_KEY:?set USER_KEY}" \
  -w '\nHTTP %{http_code}\n'
