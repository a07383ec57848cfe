/**
 * The identifier schemas every group of methods shares: row ids of the project's
 * tables and the caller-chosen ids of long work (progress events carry it, and
 * `task.cancel` with the same id aborts the work).
 */
import { z } from 'zod';

/** A row id of a project table (datasets, runs, reward specs, jobs...). */
export const Id = z.number().int().positive();

export const TaskId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a task id is 1-64 letters, digits, _ or -');
