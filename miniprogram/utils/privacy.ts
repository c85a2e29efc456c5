/**
 * WeChat's privacy authorisation (隐私保护指引): when a privacy API (phone, photo, location,
 * clipboard…) is first called, WeChat asks the app through wx.onNeedPrivacyAuthorization; the app
 * shows its popup and answers with the user's choice. This module holds the pending answer between
 * the app-level hook and whichever page's <privacy-popup> is on screen.
 */

type Resolve = (result: { buttonId?: string; event: 'agree' | 'disagree' | 'exposureAuthorization' }) => void;
type Listener = (referrer: string) => void;

let pending: Resolve | null = null;
const listeners = new Set<Listener>();

/** Installs the app-level hook once (app.ts onLaunch). */
export function installPrivacyHook(): void {
  if (typeof wx.onNeedPrivacyAuthorization !== 'function') return; // base library < 2.32.3
  // 背景: WeChat calls the listener with (resolve, eventInfo), as documented, but
  // miniprogram-api-typings 5.2 declares it as (res: GeneralCallbackResult) => void.
  // 复现: remove the cast and `tsc -p tsconfig.miniprogram.json` fails with TS2345.
  const listener = (resolve: Resolve, eventInfo: { referrer: string }) =>
    requestAuthorization(resolve, eventInfo.referrer);
  wx.onNeedPrivacyAuthorization(listener as unknown as WechatMiniprogram.OnNeedPrivacyAuthorizationCallback);
}

/** A privacy API is waiting: show the popup, or refuse if no page can show one. */
export function requestAuthorization(resolve: Resolve, referrer: string): void {
  pending = resolve;
  if (listeners.size === 0) {
    settle('disagree');
    return;
  }
  listeners.forEach((l) => l(referrer));
}

/** A popup subscribes while its page is shown. */
export function onAuthorizationRequest(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The user's choice; `agree` only from the button with open-type agreePrivacyAuthorization. */
export function settle(choice: 'agree' | 'disagree', buttonId?: string): void {
  const resolve = pending;
  pending = null;
  if (!resolve) return;
  if (choice === 'agree') resolve({ buttonId, event: 'agree' });
  else resolve({ event: 'disagree' });
}

/** Whether an answer is awaited (tests and the popup's own state). */
export function isPending(): boolean {
  return pending !== null;
}
