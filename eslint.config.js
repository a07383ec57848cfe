import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

/** Every Node built-in, bare and with the node: prefix, with their subpaths (fs/promises). */
const nodeBuiltins = builtinModules.flatMap((name) => [name, `${name}/*`, `node:${name}`, `node:${name}/*`]);

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-output/**', 'resources/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      // TypeScript checks names (DOM and lib types included); eslint's copy only misfires.
      'no-undef': 'off',
      'no-console': 'off',
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte', 'renderer/**/*.svelte.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
  {
    // The renderer runs in a sandboxed page: it reaches the main process only through the
    // preload's RPC bridge, never by importing main-process code.
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte', 'renderer/**/*.svelte.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'the renderer talks to the main process over RPC only' }],
          patterns: [{ group: ['**/electron/**', 'electron/*'], message: 'the renderer never imports electron/: call the method over RPC' }],
        },
      ],
    },
  },
  {
    // Services must stay host-agnostic: the Electron app, the server host and the CLI all
    // run them, so nothing below electron/services may import Electron.
    files: ['electron/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'services never import Electron: the host passes in what they need' }],
          patterns: [{ group: ['electron/*'], message: 'services never import Electron: the host passes in what they need' }],
        },
      ],
    },
  },
  {
    // shared/ runs in the renderer and in the main process alike: pure TypeScript, no Node
    // built-ins and nothing from the main process.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'shared/ is pure TypeScript' }],
          patterns: [
            { group: nodeBuiltins, message: 'shared/ is pure TypeScript: no Node built-ins' },
            { group: ['**/electron/**', 'electron/*'], message: 'shared/ never imports electron/' },
          ],
        },
      ],
    },
  },
);
