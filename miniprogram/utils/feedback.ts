/** How pages tell the user what happened: TDesign toasts, in the resident's language. */
import Toast from 'tdesign-miniprogram/toast/index';
import { messageOf } from '../services/api';

type Context = WechatMiniprogram.Component.TrivialInstance | WechatMiniprogram.Page.TrivialInstance;

/** Shows a failure's message (translated by the server's code; see messageOf) in the page's `#t-toast`. */
export function showError(context: Context, error: unknown): void {
  showWarning(context, messageOf(error));
}

/** A page's load failed: the spinner stops, the error state (with its retry button) shows, and the toast says why. */
export function showLoadError(context: Context, error: unknown): void {
  context.setData({ loading: false, failed: true });
  showError(context, error);
}

/** Shows a warning made on the phone (a message already in the resident's language). */
export function showWarning(context: Context, message: string): void {
  Toast({ context, selector: '#t-toast', message, theme: 'error', direction: 'column', duration: 2500 });
}

/** Shows a success message in the page's `#t-toast`. */
export function showSuccess(context: Context, message: string): void {
  Toast({ context, selector: '#t-toast', message, theme: 'success', direction: 'column' });
}
