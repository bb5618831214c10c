// Soft-deletes your own account: DELETE /v1/user/{user_id} with your API key.
//   USER_ID=usr_... USER_KEY=ak_... node examples/delete-user.mjs
// USERS_API_URL is the service's address (default http://127.0.0.1:3000). Node 18 or later (fetch is
// built in). Prints the JSON answer, then its HTTP status.
const baseUrl = process.env.USERS_API_URL ?? 'http://127.0.0.1:3000';
const userId = process.env.USER_ID;
const apiKey = process.env.USER_KEY;

const response = await fetch(`${baseUrl}/v1/user/${encodeURIComponent(userId)}`, {
  method: 'DELETE',
  headers: { 'X-API-Key': apiKey },
});

console.log(JSON.stringify(await response.json(), null, 2));
console.log(`HTTP ${response.status}`);
