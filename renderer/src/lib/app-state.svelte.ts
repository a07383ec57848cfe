/**
 * The renderer's shared state: connection, app info, the open project and the
 * recent list, plus running tasks' progress. Views read it; only actions here
 * change it, always from the main process's answers (never guessed locally).
 */
import type { AppInfo } from '../../../shared/rpc/app-methods.js';
import type { ProjectSummary, RecentProject } from '../../../shared/rpc/project-methods.js';
import type { RpcEvent } from '../../../shared/rpc/contract.js';
import { newTaskId, rpc, type ConnectionState } from './rpc.js';

export interface TaskProgress {
  taskId: string;
  method: string;
  done: number;
  total: number | null;
  message: string;
}

class AppState {
  connection = $state<ConnectionState>('connecting');
  info = $state<AppInfo | null>(null);
  project = $state<ProjectSummary | null>(null);
  recent = $state<RecentProject[]>([]);
  tasks = $state<Record<string, TaskProgress>>({});
  loaded = $state(false);

  async load(): Promise<void> {
    const [info, project, recent] = await Promise.all([
      rpc.call('app.info', {}),
      rpc.call('project.current', {}),
      rpc.call('project.recent', {}),
    ]);
    this.info = info;
    this.project = project;
    this.recent = recent;
    this.loaded = true;
  }

  async refreshProject(): Promise<void> {
    this.project = await rpc.call('project.current', {});
    this.recent = await rpc.call('project.recent', {});
  }

  async create(path: string): Promise<void> {
    this.project = await rpc.call('project.create', { path });
    this.recent = await rpc.call('project.recent', {});
  }

  async open(path: string): Promise<void> {
    this.project = await rpc.call('project.open', { path });
    this.recent = await rpc.call('project.recent', {});
  }

  async openDemo(): Promise<void> {
    const taskId = newTaskId('demo');
    try {
      this.project = await rpc.call('project.openDemo', { taskId });
    } finally {
      this.finishTask(taskId);
    }
    this.recent = await rpc.call('project.recent', {});
  }

  async close(): Promise<void> {
    await rpc.call('project.close', {});
    this.project = null;
    this.recent = await rpc.call('project.recent', {});
  }

  async forget(path: string): Promise<void> {
    this.recent = await rpc.call('project.forgetRecent', { path });
  }

  handleEvent(event: RpcEvent): void {
    if (event.type === 'progress') {
      const next = { ...this.tasks };
      if (event.total !== null && event.done >= event.total) delete next[event.taskId];
      else next[event.taskId] = { ...event };
      this.tasks = next;
    } else if (event.type === 'project.changed') {
      // Another window or the CLI-driven server may have switched projects.
      void this.refreshProject();
    }
  }

  finishTask(taskId: string): void {
    const next = { ...this.tasks };
    delete next[taskId];
    this.tasks = next;
  }
}

export const appState = new AppState();

rpc.onState((state) => {
  appState.connection = state;
});
rpc.onEvent((event) => appState.handleEvent(event));
