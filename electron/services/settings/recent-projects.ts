/**
 * The recent-projects list, kept in the user's data folder (not in any project),
 * written atomically so a crash never leaves half a file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { RecentProject } from '../../../shared/rpc/project-methods.js';
import { projectName } from '../store/project-file.js';

const StoredRecent = z.array(z.object({ path: z.string(), openedAt: z.string() }));
const maxRecent = 12;

export class RecentProjects {
  private readonly file: string;

  constructor(userDataDir: string) {
    this.file = path.join(userDataDir, 'recent-projects.json');
  }

  list(): RecentProject[] {
    return this.read().map((entry) => ({
      path: entry.path,
      name: projectName(entry.path),
      openedAt: entry.openedAt,
      exists: fs.existsSync(entry.path),
    }));
  }

  touch(projectPath: string): void {
    const rest = this.read().filter((e) => e.path !== projectPath);
    this.write([{ path: projectPath, openedAt: new Date().toISOString() }, ...rest].slice(0, maxRecent));
  }

  forget(projectPath: string): void {
    this.write(this.read().filter((e) => e.path !== projectPath));
  }

  private read(): z.infer<typeof StoredRecent> {
    try {
      const parsed = StoredRecent.safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data : [];
    } catch {
      return [];
    }
  }

  private write(entries: z.infer<typeof StoredRecent>): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(entries, null, 2));
    fs.renameSync(tmp, this.file);
  }
}
