/**
 * The preload bridge: the only door between the sandboxed renderer and the main
 * process. It exposes two functions and nothing else: `invoke` for the RPC contract
 * (answers `{result}` or `{error: {code, message}}`; the renderer turns errors into
 * real Error objects) and `onEvent` for the one event channel. No Node, no ipcRenderer.
 */
// Written as a plain script (no import/export): a sandboxed preload gets a minimal
// CommonJS `require` and nothing else, so the compiled file must not touch `exports`.
/* eslint-disable @typescript-eslint/consistent-type-imports, @typescript-eslint/no-require-imports */
type IpcRendererEvent = import('electron').IpcRendererEvent;
const { contextBridge, ipcRenderer } = require('electron') as typeof import('electron');
/* eslint-enable @typescript-eslint/consistent-type-imports, @typescript-eslint/no-require-imports */

const rpcChannel = 'georeason:rpc';
const eventChannel = 'georeason:event';

contextBridge.exposeInMainWorld('georeason', {
  invoke(method: string, params: unknown): Promise<unknown> {
    return ipcRenderer.invoke(rpcChannel, method, params);
  },
  onEvent(listener: (event: unknown) => void): () => void {
    const wrapped = (_e: IpcRendererEvent, event: unknown): void => listener(event);
    ipcRenderer.on(eventChannel, wrapped);
    return () => {
      ipcRenderer.removeListener(eventChannel, wrapped);
    };
  },
});
