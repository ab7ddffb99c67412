import { useEffect, useRef } from 'preact/hooks';

export interface ConfirmProps {
  title: string;
  text: string;
  confirmLabel: string;
  onAnswer: (confirmed: boolean) => void;
}

/** A modal question before a bulk action; Escape or Cancel says no, and focus starts on Cancel. */
export function ConfirmDialog({ title, text, confirmLabel, onAnswer }: ConfirmProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const answered = useRef(false);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  const answer = (yes: boolean) => {
    if (answered.current) return;
    answered.current = true;
    dialog.current?.close();
    onAnswer(yes);
  };
  return (
    <dialog
      ref={dialog}
      class="confirm"
      role="alertdialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-text"
      onClose={() => answer(false)}
    >
      <h2 id="confirm-title">{title}</h2>
      <p id="confirm-text">{text}</p>
      <div class="buttons">
        <button type="button" autofocus onClick={() => answer(false)}>
          Cancel
        </button>
        <button type="button" class="primary" onClick={() => answer(true)}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
