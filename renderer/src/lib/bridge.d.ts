/** What electron/preload.cts exposes; absent when the UI runs in a plain browser. */
interface GeoReasonBridge {
  invoke(method: string, params: unknown): Promise<unknown>;
  onEvent(listener: (event: unknown) => void): () => void;
}

interface Window {
  georeason?: GeoReasonBridge;
}
