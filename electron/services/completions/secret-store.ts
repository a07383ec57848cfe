/**
 * Where API keys live between runs: never in the project file. The Electron host
 * backs FileSecretStore with safeStorage's encrypt/decrypt; the server host keeps
 * keys in memory only (MemorySecretStore), so they vanish when it stops.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface SecretStore {
  get(name: string): string | null;
  set(name: string, secret: string): void;
  delete(name: string): boolean;
  /** Names only; the secrets never leave the store this way. */
  names(): string[];
}

export class MemorySecretStore implements SecretStore {
  private readonly secrets = new Map<string, string>();

  get(name: string): string | null {
    return this.secrets.get(name) ?? null;
  }
  set(name: string, secret: string): void {
    this.secrets.set(name, secret);
  }
  delete(name: string): boolean {
    return this.secrets.delete(name);
  }
  names(): string[] {
    return [...this.secrets.keys()].sort();
  }
}

export interface Cipher {
  encrypt(plain: string): Buffer;
  decrypt(encrypted: Buffer): string;
}

/**
 * Secrets in one JSON file, each value encrypted by the injected cipher (base64 of
 * its output). Written to a temporary file and renamed, mode 0600.
 */
export class FileSecretStore implements SecretStore {
  constructor(
    private readonly file: string,
    private readonly cipher: Cipher,
  ) {}

  private read(): Record<string, string> {
    try {
      const value = JSON.parse(fs.readFileSync(this.file, 'utf8')) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
      return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
    } catch {
      return {};
    }
  }

  private write(entries: Record<string, string>): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(entries, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }

  get(name: string): string | null {
    const encoded = this.read()[name];
    if (encoded === undefined) return null;
    try {
      return this.cipher.decrypt(Buffer.from(encoded, 'base64'));
    } catch {
      return null; // encrypted on another machine or by another user: as if absent
    }
  }

  set(name: string, secret: string): void {
    const entries = this.read();
    entries[name] = this.cipher.encrypt(secret).toString('base64');
    this.write(entries);
  }

  delete(name: string): boolean {
    const entries = this.read();
    if (!(name in entries)) return false;
    delete entries[name];
    this.write(entries);
    return true;
  }

  names(): string[] {
    return Object.keys(this.read()).sort();
  }
}
