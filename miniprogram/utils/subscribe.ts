/**
 * Subscribe messages: ask inside the user's tap (WeChat refuses otherwise), and tell the server
 * only about templates the user accepted, so it never sends what was not agreed to.
 */
import { SUBSCRIBE_TEMPLATES } from '../config';
import { call } from '../services/api';

type Template = keyof typeof SUBSCRIBE_TEMPLATES;

/** Asks for the given templates; resolves with those accepted (never rejects). */
export function askSubscribe(templates: Template[]): Promise<Template[]> {
  return new Promise((resolve) => {
    if (typeof wx.requestSubscribeMessage !== 'function') return resolve([]);
    wx.requestSubscribeMessage({
      tmplIds: templates.map((t) => SUBSCRIBE_TEMPLATES[t]),
      success: (res) => {
        const answers = res as unknown as Record<string, string>;
        const accepted = templates.filter((t) => answers[SUBSCRIBE_TEMPLATES[t]] === 'accept');
        if (accepted.length) call('user.subscribe', { templates: accepted }).catch(() => undefined);
        resolve(accepted);
      },
      fail: () => resolve([]),
    });
  });
}
