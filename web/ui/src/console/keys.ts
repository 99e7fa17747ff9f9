// Keyboard shortcuts for the desk: j/k or ↓/↑ move the selection, Enter opens, a/m/s/e take an
// action on the selected or open case, Esc goes back to the queue, / focuses the search. None
// fires while the user types in a field.
// touchOnly: a screen without hover or with a coarse pointer (a phone, a tablet), where the
// shortcuts' hints would only take room: the keys still work with a keyboard attached.
export function touchOnly(): boolean {
  return matchMedia('(hover: none), (pointer: coarse)').matches;
}

export interface KeyTargets {
  move(delta: number): void;
  openSelected(): void;
  action(action: string): void;
  back(): void;
  focusSearch(): void;
}

const actionKeys: Record<string, string> = { a: 'accept', m: 'mediate', s: 'settle', e: 'escalate' };

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function bindKeys(k: KeyTargets): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (typing(e.target)) {
      if (e.key === 'Escape') (e.target as HTMLElement).blur();
      return;
    }
    const t = e.target as HTMLElement | null;
    if (e.key === 'Enter' && t && ['BUTTON', 'A'].includes(t.tagName)) return; // their own Enter
    let handled = true;
    switch (e.key) {
      case 'j': case 'ArrowDown': k.move(1); break;
      case 'k': case 'ArrowUp': k.move(-1); break;
      case 'Enter': k.openSelected(); break;
      case 'Escape': k.back(); break;
      case '/': k.focusSearch(); break;
      default:
        if (actionKeys[e.key]) k.action(actionKeys[e.key]);
        else handled = false;
    }
    if (handled) e.preventDefault();
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}
