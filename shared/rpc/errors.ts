/**
 * Error codes answered by every host. JSON-RPC 2.0 reserves -32768..-32000; the
 * workbench's own codes are positive so a client can tell them apart.
 */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  Internal: -32603,
  NotAProject: 1001,
  NewerVersion: 1002,
  NoProjectOpen: 1003,
  Cancelled: 1004,
  NotFound: 1005,
  AlreadyExists: 1006,
  BadInput: 1007,
  /** Another connection holds the project's write lock. */
  Busy: 1008,
  /** The same client called the same long read again: this older call was dropped. */
  Superseded: 1009,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface RpcErrorShape {
  code: number;
  message: string;
}

/** An error that carries a workbench code; hosts turn it into `{code, message}`. */
export class RpcError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
  }

  toJSON(): RpcErrorShape {
    return { code: this.code, message: this.message };
  }
}

export function isRpcErrorShape(value: unknown): value is RpcErrorShape {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'number' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}
