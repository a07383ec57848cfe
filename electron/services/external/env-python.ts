/**
 * The bash line that runs Python code with an external run's environment: a conda env,
 * an interpreter path, or the PATH's python (python3 where there is no `python`). The
 * same line works on this machine and over SSH.
 */
import type { ExternalSettingsParsed } from '../../../shared/rpc/external-methods.js';
import { q } from './shell.js';

export function envPythonCommand(s: ExternalSettingsParsed, code: string): string {
  const c = q(code);
  switch (s.env.kind) {
    case 'conda':
      return `conda run -n ${q(s.env.name)} --no-capture-output python -c ${c}`;
    case 'interpreter':
      return `${q(s.env.path)} -c ${c}`;
    case 'path':
      return `{ command -v python >/dev/null 2>&1 && python -c ${c}; } || python3 -c ${c}`;
  }
}
