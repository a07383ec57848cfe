/**
 * Size limits every host agrees on. The server host refuses a WebSocket message
 * larger than MAX_MESSAGE_BYTES (closing that connection), so every list a params
 * schema accepts is capped well below it: a request a schema accepts always fits
 * in one message. Larger id sets travel by reference (a saved subset's id).
 */

/** The largest JSON-RPC message (bytes) the server host accepts. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/** The most ids one params list may hold; as JSON at most 17 bytes each (2^53 has 16 digits, plus a comma). */
export const MAX_ID_LIST = 100_000;

/** The widest id as JSON text, with its separator. */
export const MAX_ID_JSON_BYTES = String(Number.MAX_SAFE_INTEGER).length + 1;
