import type fs from 'node:fs';

/**
 * What a file that is not a regular file is, for messages: "a FIFO (named pipe)",
 * "a character device", "a folder", ...; `otherwise` for a kind without a name here.
 */
export function nonRegularKind(stat: fs.Stats, otherwise: string): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  return otherwise;
}
