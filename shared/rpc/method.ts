/** How one RPC method is declared: its params and result schemas, and whether it is long work. */
import type { z } from 'zod';

export interface MethodSpec<P extends z.ZodType, R extends z.ZodType> {
  params: P;
  result: R;
  long?: boolean;
  summary: string;
}

export function method<P extends z.ZodType, R extends z.ZodType>(spec: MethodSpec<P, R>): MethodSpec<P, R> {
  return spec;
}
