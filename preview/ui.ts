/**
 * WeChat's own UI, drawn on the web: toast, loading, modal, action sheet and the sheets the shim
 * needs (scan, file pick, subscribe, privacy, phone call, share card). Everything is drawn into
 * one layer element (the phone screen in the shell) and answers with a promise.
 */

export interface DialogButton<T> {
  text: string;
  value: T;
  primary?: boolean;
  /** Test hook: `data-pv` on the button. */
  key?: string;
}

export interface DialogSpec<T> {
  title?: string;
  content?: string;
  /** Fills the dialog body; gets a `done` to close with a value (e.g. a list item). */
  body?: (el: HTMLElement, done: (value: T) => void) => void;
  buttons: DialogButton<T>[];
  /** `sheet` slides from the bottom (action sheet), `dialog` is centred (modal). */
  kind?: 'dialog' | 'sheet';
  key?: string;
}

function el<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  cls: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class PreviewUi {
  private toastEl: HTMLElement | null = null;
  private toastTimer: ReturnType<typeof setTimeout> | undefined;
  private loadingMode = false;

  constructor(private readonly layer: HTMLElement) {}

  private get doc(): Document {
    return this.layer.ownerDocument;
  }

  /** Open dialogs, newest last (tests and the shell read it). */
  get openDialogs(): number {
    return this.layer.querySelectorAll('.pv-mask').length;
  }

  toast(o: { title: string; icon?: string; duration?: number; mask?: boolean; loading?: boolean }): void {
    this.hideToast();
    const box = el(this.doc, 'div', `pv-toast${o.mask ? ' pv-toast--mask' : ''}`);
    box.dataset.pv = o.loading ? 'loading' : 'toast';
    const icon = o.loading ? 'loading' : (o.icon ?? 'success');
    if (icon !== 'none')
      box.appendChild(
        el(
          this.doc,
          'div',
          `pv-toast__icon pv-toast__icon--${icon}`,
          icon === 'success' ? '✓' : icon === 'error' ? '✕' : '',
        ),
      );
    else box.classList.add('pv-toast--text');
    box.appendChild(el(this.doc, 'div', 'pv-toast__title', o.title));
    this.layer.appendChild(box);
    this.toastEl = box;
    this.loadingMode = Boolean(o.loading);
    if (!o.loading) this.toastTimer = setTimeout(() => this.hideToast(), o.duration ?? 1500);
  }

  hideToast(onlyLoading?: boolean): void {
    if (onlyLoading !== undefined && onlyLoading !== this.loadingMode) return;
    clearTimeout(this.toastTimer);
    this.toastEl?.remove();
    this.toastEl = null;
  }

  dialog<T>(spec: DialogSpec<T>): Promise<T> {
    return new Promise((resolve) => {
      const mask = el(this.doc, 'div', `pv-mask pv-mask--${spec.kind ?? 'dialog'}`);
      const box = el(this.doc, 'div', `pv-${spec.kind ?? 'dialog'}`);
      box.setAttribute('role', 'dialog');
      if (spec.key) box.dataset.pv = spec.key;
      const done = (value: T) => {
        mask.remove();
        resolve(value);
      };
      if (spec.title) box.appendChild(el(this.doc, 'div', 'pv-dialog__title', spec.title));
      if (spec.content) box.appendChild(el(this.doc, 'div', 'pv-dialog__content', spec.content));
      if (spec.body) {
        const body = el(this.doc, 'div', 'pv-dialog__body');
        spec.body(body, done);
        box.appendChild(body);
      }
      const row = el(this.doc, 'div', `pv-dialog__buttons pv-dialog__buttons--${spec.buttons.length}`);
      for (const b of spec.buttons) {
        const button = el(
          this.doc,
          'button',
          `pv-dialog__button${b.primary ? ' pv-dialog__button--primary' : ''}`,
          b.text,
        );
        button.type = 'button';
        if (b.key) button.dataset.pv = b.key;
        button.addEventListener('click', () => done(b.value));
        row.appendChild(button);
      }
      box.appendChild(row);
      mask.appendChild(box);
      this.layer.appendChild(mask);
      const first = box.querySelector<HTMLElement>('textarea,input');
      first?.focus();
    });
  }

  async modal(o: {
    title?: string;
    content?: string;
    showCancel?: boolean;
    cancelText?: string;
    confirmText?: string;
    confirmColor?: string;
    editable?: boolean;
    placeholderText?: string;
  }): Promise<{ confirm: boolean; cancel: boolean; content?: string }> {
    let input: HTMLTextAreaElement | null = null;
    const buttons: DialogButton<boolean>[] = [];
    if (o.showCancel !== false) buttons.push({ text: o.cancelText || '取消', value: false, key: 'cancel' });
    buttons.push({ text: o.confirmText || '确定', value: true, primary: true, key: 'confirm' });
    const confirm = await this.dialog<boolean>({
      title: o.title,
      content: o.editable ? undefined : o.content,
      key: 'modal',
      body: o.editable
        ? (body) => {
            input = el(this.doc, 'textarea', 'pv-input');
            input.placeholder = o.placeholderText ?? '';
            input.value = o.content ?? '';
            body.appendChild(input);
          }
        : undefined,
      buttons,
    });
    return {
      confirm,
      cancel: !confirm,
      ...(o.editable ? { content: (input as HTMLTextAreaElement | null)?.value ?? '' } : {}),
    };
  }

  actionSheet(o: { itemList: string[]; alertText?: string; title?: string }): Promise<number> {
    return this.dialog<number>({
      kind: 'sheet',
      key: 'action-sheet',
      title: o.alertText ?? o.title,
      body: (body, done) => {
        o.itemList.forEach((text, i) => {
          const item = el(this.doc, 'button', 'pv-sheet__item', text);
          item.type = 'button';
          item.addEventListener('click', () => done(i));
          body.appendChild(item);
        });
      },
      buttons: [{ text: '取消', value: -1, key: 'cancel' }],
    });
  }

  /** A text the user pastes or picks from a list (scanCode). */
  prompt(o: {
    title: string;
    hint?: string;
    placeholder?: string;
    picks?: Array<{ label: string; value: string }>;
    key?: string;
  }): Promise<string | null> {
    let input: HTMLTextAreaElement | null = null;
    return this.dialog<string | null>({
      title: o.title,
      key: o.key ?? 'prompt',
      body: (body, done) => {
        if (o.hint) body.appendChild(el(this.doc, 'div', 'pv-hint', o.hint));
        input = el(this.doc, 'textarea', 'pv-input');
        input.placeholder = o.placeholder ?? '';
        input.dataset.pv = 'prompt-input';
        body.appendChild(input);
        if (o.picks?.length) {
          body.appendChild(el(this.doc, 'div', 'pv-hint', '最近出现过的码：'));
          for (const p of o.picks) {
            const item = el(this.doc, 'button', 'pv-pick', p.label);
            item.type = 'button';
            item.title = p.value;
            item.addEventListener('click', () => done(p.value));
            body.appendChild(item);
          }
        }
      },
      buttons: [
        { text: '取消', value: null, key: 'cancel' },
        { text: '确定', value: '\u0000', primary: true, key: 'confirm' },
      ],
    }).then((v) => (v === '\u0000' ? (input as HTMLTextAreaElement | null)?.value.trim() || null : v));
  }

  /** A file input inside a sheet (chooseMedia, chooseMessageFile): the user picks, we answer the files. */
  pickFiles(o: { title: string; accept: string; multiple?: boolean; capture?: boolean }): Promise<File[] | null> {
    return this.dialog<File[] | null>({
      title: o.title,
      key: 'file',
      body: (body, done) => {
        const input = el(this.doc, 'input', 'pv-file');
        input.type = 'file';
        input.accept = o.accept;
        input.multiple = Boolean(o.multiple);
        input.dataset.pv = 'file-input';
        input.addEventListener('change', () =>
          done(input.files && input.files.length ? Array.from(input.files) : null),
        );
        body.appendChild(input);
      },
      buttons: [{ text: '取消', value: null, key: 'cancel' }],
    });
  }

  /** A picture or a card shown over the page until tapped. */
  show(o: { title: string; body: (el: HTMLElement) => void; key?: string }): Promise<void> {
    return this.dialog<void>({
      title: o.title,
      body: (b) => o.body(b),
      key: o.key,
      buttons: [{ text: '关闭', value: undefined, key: 'close' }],
    });
  }
}
