/**
 * The schema of a file or folder path given to a method: the main process resolves
 * it, so here it is only checked to be a plausible path string.
 */
import { z } from 'zod';

export const filePath = z
  .string()
  .min(1, 'a path is required')
  .max(4096, 'the path is too long')
  .refine((p) => !p.includes('\0'), 'the path contains a NUL character');
