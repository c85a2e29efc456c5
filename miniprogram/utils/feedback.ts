/** How pages tell the user what happened: TDesign toasts with the server's Chinese message. */
import Toast from 'tdesign-miniprogram/toast/index';
import { messageOf } from '../services/api';

type Context = WechatMiniprogram.Component.TrivialInstance | WechatMiniprogram.Page.TrivialInstance;

/** Shows a failure's message (the server's, for an ApiError) in the page's `#t-toast`. */
export function showError(context: Context, error: unknown): void {
  Toast({ context, selector: '#t-toast', message: messageOf(error), theme: 'error', direction: 'column', duration: 2500 });
}

/** Shows a success message in the page's `#t-toast`. */
export function showSuccess(context: Context, message: string): void {
  Toast({ context, selector: '#t-toast', message, theme: 'success', direction: 'column' });
}
