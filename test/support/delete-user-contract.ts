/**
 * The documented answers of `DELETE /v1/user/{user_id}`, to the letter: the contract this service
 * implements (its 200, 403 and 404 examples, with the trace id and timestamp those examples show).
 * Swagger's examples for the route must be exactly these, and the live answers must match them but
 * for `user_id`, `trace_id` and `timestamp`.
 */
export const DELETE_USER_EXAMPLE_ANSWERS = {
  200: {
    success: true,
    message: 'User account deleted successfully',
    user_id: 'usr_4ab3bd9533df40318468ed9cc0d8c391',
  },
  403: {
    success: false,
    error: {
      code: 'INSUFFICIENT_PERMISSIONS',
      message: 'You can only delete your own account.',
      system_message: 'You can only delete your own account.',
      type: 'authorization_error',
      status: 403,
      details: {},
      trace_id: 'req_8f14e45fceea167a5a36dedd',
      timestamp: '2025-12-22T15:30:00Z',
    },
  },
  404: {
    success: false,
    error: {
      code: 'USER_NOT_FOUND',
      message: 'User not found.',
      system_message: 'User not found.',
      type: 'client_error',
      status: 404,
      details: {},
      trace_id: 'req_8f14e45fceea167a5a36dedd',
      timestamp: '2025-12-22T15:30:00Z',
    },
  },
} as const;
