/**
 * The review queue's keyboard map: one place for the handler and the help overlay.
 * Keys are ignored while a text field has focus (the edit form's own keys apply).
 */
export type AuditAction = 'accept' | 'reject' | 'edit' | 'undo' | 'next' | 'previous' | 'help' | 'close';

export const keyHelp: { keys: string[]; action: string }[] = [
  { keys: ['A'], action: 'Accept the label' },
  { keys: ['R'], action: 'Reject the label (left out of exports)' },
  { keys: ['E'], action: 'Edit the label (country → region → city)' },
  { keys: ['U', 'Ctrl+Z'], action: 'Undo the last action (appends an undo entry)' },
  { keys: ['J', '→', '↓'], action: 'Next photo' },
  { keys: ['K', '←', '↑'], action: 'Previous photo' },
  { keys: ['?'], action: 'Show or hide this help' },
  { keys: ['Esc'], action: 'Close the editor or this help' },
];

export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** The action for a key press, or null when the key means nothing here. */
export function actionFor(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>): AuditAction | null {
  if (e.altKey) return null;
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') return 'undo';
  if (e.ctrlKey || e.metaKey) return null;
  switch (e.key) {
    case 'a':
    case 'A':
      return 'accept';
    case 'r':
    case 'R':
      return 'reject';
    case 'e':
    case 'E':
      return 'edit';
    case 'u':
    case 'U':
      return 'undo';
    case 'j':
    case 'J':
    case 'ArrowDown':
    case 'ArrowRight':
      return 'next';
    case 'k':
    case 'K':
    case 'ArrowUp':
    case 'ArrowLeft':
      return 'previous';
    case '?':
      return 'help';
    case 'Escape':
      return 'close';
    default:
      return null;
  }
}
