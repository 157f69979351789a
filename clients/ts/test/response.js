// Test helper: an ErrorResponse message as the Connect JSON body it stands for.

/**
 * An ErrorResponse as Connect JSON, its extraJson members (JSON text)
 * parsed, for deepEqual against a body Connect sent.
 *
 * @param {import("../gen/commercetools/connect/errors/v1/error_response_pb.js").ErrorResponse} resp
 */
export function responseJSON(resp) {
  const withExtras = (obj, extra) => ({ ...obj, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, JSON.parse(v)])) });
  return withExtras(
    {
      statusCode: resp.statusCode,
      message: resp.message,
      errors: resp.errors.map((e) => withExtras({ code: e.code, message: e.message }, e.extraJson)),
    },
    resp.extraJson,
  );
}
