/**
 * WeChat's built-in tags as components for j-component: most are a shell around a slot (styled
 * by base.css); inputs, images, scroll views, pickers and buttons get real elements and events.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { PreviewHost } from './wx';

type JComponent = { register(def: Record<string, unknown>): string };

const SHELLS = [
  'cover-image',
  'cover-view',
  'grid-view',
  'list-view',
  'match-media',
  'movable-area',
  'movable-view',
  'page-container',
  'root-portal',
  'share-element',
  'sticky-header',
  'sticky-section',
  'swiper',
  'swiper-item',
  'view',
  'icon',
  'progress',
  'text',
  'checkbox',
  'checkbox-group',
  'editor',
  'form',
  'keyboard-accessory',
  'label',
  'picker-view',
  'picker-view-column',
  'radio',
  'radio-group',
  'slider',
  'switch',
  'functional-page-navigator',
  'audio',
  'camera',
  'channel-live',
  'channel-video',
  'live-player',
  'live-pusher',
  'video',
  'voip-room',
  'map',
  'web-view',
  'ad',
  'ad-custom',
  'official-account',
  'open-data',
  'navigation-bar',
  'page-meta',
];

const dom = (self: any): HTMLElement => self._exparserNode.$$ as HTMLElement;

function attr(self: any, name: string, value: unknown): void {
  const el = dom(self);
  if (value === false || value === null || value === undefined || value === '') el.removeAttribute(name);
  else el.setAttribute(name, value === true ? '' : String(value));
}

function reflect(names: string[]): Record<string, any> {
  const props: Record<string, any> = {};
  for (const name of names) {
    props[name] = {
      type: null,
      value: null,
      observer(this: any, v: unknown) {
        attr(
          this,
          name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
          v,
        );
      },
    };
  }
  return props;
}

export function registerBuiltins(jc: JComponent, host: () => PreviewHost, wx: () => any, page: () => any): void {
  for (const name of SHELLS)
    jc.register({
      id: name,
      tagName: `wx-${name}`,
      template: '<slot/>',
      properties: name === 'text' ? reflect(['userSelect', 'selectable']) : {},
    });

  const field = (tag: 'input' | 'textarea') => ({
    id: tag,
    tagName: `wx-${tag}`,
    template: '<slot/>',
    properties: {
      value: {
        type: null,
        value: '',
        observer(this: any, v: unknown) {
          const e = this.__el as HTMLInputElement | undefined;
          const s = v === null || v === undefined ? '' : String(v);
          if (e && e.value !== s) e.value = s;
        },
      },
      type: {
        type: String,
        value: 'text',
        observer(this: any) {
          this.__sync?.();
        },
      },
      password: {
        type: Boolean,
        value: false,
        observer(this: any) {
          this.__sync?.();
        },
      },
      placeholder: {
        type: String,
        value: '',
        observer(this: any) {
          this.__sync?.();
        },
      },
      placeholderStyle: { type: String, value: '' },
      placeholderClass: { type: String, value: '' },
      disabled: {
        type: Boolean,
        value: false,
        observer(this: any) {
          this.__sync?.();
        },
      },
      maxlength: {
        type: Number,
        value: 140,
        observer(this: any) {
          this.__sync?.();
        },
      },
      focus: {
        type: Boolean,
        value: false,
        observer(this: any, v: boolean) {
          if (v) setTimeout(() => this.__el?.focus(), 0);
        },
      },
      autoFocus: { type: Boolean, value: false },
      autoHeight: { type: Boolean, value: false },
      confirmType: { type: String, value: 'done' },
      cursor: { type: Number, value: -1 },
      cursorSpacing: { type: Number, value: 0 },
      holdKeyboard: { type: Boolean, value: false },
      adjustPosition: { type: Boolean, value: true },
      alwaysEmbed: { type: Boolean, value: false },
      fixed: { type: Boolean, value: false },
      disableDefaultPadding: { type: Boolean, value: false },
      showConfirmBar: { type: Boolean, value: true },
      selectionStart: { type: Number, value: -1 },
      selectionEnd: { type: Number, value: -1 },
      name: { type: String, value: '' },
    },
    lifetimes: {
      attached(this: any) {
        const host = dom(this);
        const e = document.createElement(tag) as HTMLInputElement;
        e.className = `pv-${tag}`;
        this.__el = e;
        this.__sync = () => {
          if (tag === 'input')
            e.type = this.data.password
              ? 'password'
              : this.data.type === 'number' || this.data.type === 'digit'
                ? 'text'
                : 'text';
          if (
            tag === 'input' &&
            (this.data.type === 'number' || this.data.type === 'digit' || this.data.type === 'idcard')
          )
            e.inputMode = this.data.type === 'digit' ? 'decimal' : this.data.type === 'idcard' ? 'text' : 'numeric';
          e.placeholder = this.data.placeholder ?? '';
          e.disabled = Boolean(this.data.disabled);
          const max = Number(this.data.maxlength);
          if (max > 0) e.maxLength = max;
          else e.removeAttribute('maxlength');
        };
        this.__sync();
        e.value = this.data.value === null || this.data.value === undefined ? '' : String(this.data.value);
        e.addEventListener('input', () => {
          this.data.value = e.value;
          if (tag === 'textarea' && this.data.autoHeight) {
            e.style.height = 'auto';
            e.style.height = `${e.scrollHeight}px`;
          }
          this.triggerEvent('input', { value: e.value, cursor: e.selectionStart ?? e.value.length, keyCode: 0 });
        });
        e.addEventListener('focus', () => this.triggerEvent('focus', { value: e.value, height: 0 }));
        e.addEventListener('blur', () => this.triggerEvent('blur', { value: e.value, cursor: e.selectionStart ?? 0 }));
        e.addEventListener('keydown', (ev: KeyboardEvent) => {
          if (ev.key === 'Enter' && (tag === 'input' || this.data.confirmType === 'send')) {
            if (tag === 'textarea') ev.preventDefault();
            this.triggerEvent('confirm', { value: e.value });
          }
        });
        // A tap inside the field must not also tap what is under it twice; it is still a tap.
        host.appendChild(e);
        if (this.data.focus || this.data.autoFocus) setTimeout(() => e.focus(), 0);
      },
    },
  });
  jc.register(field('input'));
  jc.register(field('textarea'));

  jc.register({
    id: 'image',
    tagName: 'wx-image',
    template: '<slot/>',
    properties: {
      src: {
        type: String,
        value: '',
        observer(this: any) {
          this.__load?.();
        },
      },
      mode: {
        type: String,
        value: 'scaleToFill',
        observer(this: any, v: string) {
          attr(this, 'mode', v);
        },
      },
      lazyLoad: { type: Boolean, value: false },
      webp: { type: Boolean, value: false },
      showMenuByLongpress: { type: Boolean, value: false },
      fadeIn: { type: Boolean, value: false },
    },
    lifetimes: {
      attached(this: any) {
        const img = document.createElement('img');
        img.className = 'pv-img';
        img.alt = '';
        img.addEventListener('load', () =>
          this.triggerEvent('load', { width: img.naturalWidth, height: img.naturalHeight }),
        );
        img.addEventListener('error', () => this.triggerEvent('error', { errMsg: `GET ${img.src} 404 (Not Found)` }));
        dom(this).appendChild(img);
        attr(this, 'mode', this.data.mode);
        this.__load = () => {
          if (this.data.src) img.src = this.data.src;
          else img.removeAttribute('src');
        };
        this.__load();
      },
    },
  });

  jc.register({
    id: 'scroll-view',
    tagName: 'wx-scroll-view',
    template: '<slot/>',
    properties: {
      ...reflect(['scrollX', 'scrollY', 'enableFlex']),
      scrollTop: {
        type: null,
        value: 0,
        observer(this: any, v: number) {
          dom(this).scrollTop = Number(v) || 0;
        },
      },
      scrollLeft: {
        type: null,
        value: 0,
        observer(this: any, v: number) {
          dom(this).scrollLeft = Number(v) || 0;
        },
      },
      scrollIntoView: { type: String, value: '' },
      scrollWithAnimation: { type: Boolean, value: false },
      lowerThreshold: { type: null, value: 50 },
      upperThreshold: { type: null, value: 50 },
      enhanced: { type: Boolean, value: false },
      showScrollbar: { type: Boolean, value: true },
      refresherEnabled: { type: Boolean, value: false },
      refresherTriggered: { type: Boolean, value: false },
    },
    lifetimes: {
      attached(this: any) {
        const el = dom(this);
        let lower = false;
        el.addEventListener('scroll', () => {
          this.triggerEvent('scroll', {
            scrollLeft: el.scrollLeft,
            scrollTop: el.scrollTop,
            scrollHeight: el.scrollHeight,
            scrollWidth: el.scrollWidth,
            deltaX: 0,
            deltaY: 0,
          });
          const threshold = Number(this.data.lowerThreshold) || 50;
          const atEnd = this.data.scrollX
            ? el.scrollLeft + el.clientWidth >= el.scrollWidth - threshold
            : el.scrollTop + el.clientHeight >= el.scrollHeight - threshold;
          if (atEnd && !lower)
            this.triggerEvent('scrolltolower', { direction: this.data.scrollX ? 'right' : 'bottom' });
          lower = atEnd;
        });
      },
    },
  });

  jc.register({
    id: 'button',
    tagName: 'wx-button',
    template: '<slot/>',
    properties: {
      ...reflect(['type', 'size', 'plain', 'disabled', 'loading']),
      formType: { type: String, value: '' },
      openType: { type: String, value: '' },
      hoverClass: { type: String, value: 'button-hover' },
      hoverStopPropagation: { type: Boolean, value: false },
      lang: { type: String, value: 'en' },
      sessionFrom: { type: String, value: '' },
      sendMessageTitle: { type: String, value: '' },
      sendMessagePath: { type: String, value: '' },
      sendMessageImg: { type: String, value: '' },
      appParameter: { type: String, value: '' },
      showMessageCard: { type: Boolean, value: false },
      phoneNumberNoQuotaToast: { type: Boolean, value: true },
    },
    lifetimes: {
      attached(this: any) {
        dom(this).setAttribute('role', 'button');
        this._exparserNode.addListener('tap', () => {
          if (this.data.disabled) return;
          const openType = String(this.data.openType || '');
          if (openType === 'agreePrivacyAuthorization') {
            wx().__agreePrivacy();
            this.triggerEvent('agreeprivacyauthorization', {});
          } else if (openType === 'share') {
            const p = page();
            const card =
              typeof p?.onShareAppMessage === 'function'
                ? p.onShareAppMessage({ from: 'button', target: { dataset: this._exparserNode.dataset ?? {} } })
                : {};
            void host().share({
              title: card?.title ?? '网格通',
              path: card?.path ?? `/${p?.route ?? ''}`,
              imageUrl: card?.imageUrl,
            });
          } else if (openType === 'getPhoneNumber' || openType === 'getRealtimePhoneNumber') {
            this.triggerEvent(openType.toLowerCase(), { errMsg: `${openType}:fail 预览里不能获取手机号` });
          } else if (openType === 'contact' || openType === 'feedback') {
            host().ui.toast({ title: '预览里没有客服会话', icon: 'none' });
          } else if (openType === 'openSetting') {
            this.triggerEvent('opensetting', { authSetting: {} });
          } else if (openType === 'chooseAvatar') {
            this.triggerEvent('chooseavatar', { avatarUrl: '' });
          }
        });
      },
    },
  });

  jc.register({
    id: 'navigator',
    tagName: 'wx-navigator',
    template: '<slot/>',
    properties: {
      url: { type: String, value: '' },
      openType: { type: String, value: 'navigate' },
      delta: { type: Number, value: 1 },
      hoverClass: { type: String, value: '' },
    },
    lifetimes: {
      attached(this: any) {
        this._exparserNode.addListener('tap', () => {
          const t = this.data.openType;
          if (t === 'navigateBack') void host().back(this.data.delta || 1);
          else
            void host().navigate(
              t === 'redirect'
                ? 'redirectTo'
                : t === 'reLaunch'
                  ? 'reLaunch'
                  : t === 'switchTab'
                    ? 'switchTab'
                    : 'navigateTo',
              this.data.url,
            );
        });
      },
    },
  });

  jc.register({
    id: 'picker',
    tagName: 'wx-picker',
    template: '<slot/>',
    properties: {
      mode: { type: String, value: 'selector' },
      range: { type: Array, value: [] },
      rangeKey: { type: String, value: '' },
      value: { type: null, value: 0 },
      start: { type: String, value: '' },
      end: { type: String, value: '' },
      fields: { type: String, value: 'day' },
      disabled: { type: Boolean, value: false },
      headerText: { type: String, value: '' },
    },
    lifetimes: {
      attached(this: any) {
        this._exparserNode.addListener('tap', async () => {
          if (this.data.disabled) return;
          const mode = this.data.mode;
          if (mode === 'selector') {
            const items = (this.data.range as unknown[]).map((r: any) =>
              String(this.data.rangeKey && r && typeof r === 'object' ? r[this.data.rangeKey] : r),
            );
            const i = await host().ui.actionSheet({ itemList: items, title: this.data.headerText || '请选择' });
            if (i >= 0) this.triggerEvent('change', { value: i });
            else this.triggerEvent('cancel', {});
          } else if (mode === 'date' || mode === 'time') {
            let input: HTMLInputElement | null = null;
            const ok = await host().ui.dialog<boolean>({
              title: mode === 'date' ? '选择日期' : '选择时间',
              key: 'picker',
              body: (b) => {
                input = b.appendChild(document.createElement('input'));
                input.type = mode;
                input.className = 'pv-input';
                input.value = String(this.data.value || '');
                if (this.data.start) input.min = this.data.start;
                if (this.data.end) input.max = this.data.end;
              },
              buttons: [
                { text: '取消', value: false, key: 'cancel' },
                { text: '确定', value: true, primary: true, key: 'confirm' },
              ],
            });
            if (ok && (input as HTMLInputElement | null)?.value)
              this.triggerEvent('change', { value: (input as unknown as HTMLInputElement).value });
            else this.triggerEvent('cancel', {});
          }
        });
      },
    },
  });

  jc.register({
    id: 'rich-text',
    tagName: 'wx-rich-text',
    template: '<slot/>',
    properties: {
      nodes: {
        type: null,
        value: '',
        observer(this: any, v: unknown) {
          const toHtml = (n: any): string =>
            typeof n === 'string'
              ? n
              : n.type === 'text'
                ? String(n.text ?? '').replace(/</g, '&lt;')
                : `<${n.name}>${(n.children ?? []).map(toHtml).join('')}</${n.name}>`;
          dom(this).innerHTML = typeof v === 'string' ? v : Array.isArray(v) ? v.map(toHtml).join('') : '';
        },
      },
    },
  });

  jc.register({
    id: 'canvas',
    tagName: 'wx-canvas',
    template: '<slot/>',
    properties: { type: { type: String, value: '' }, canvasId: { type: String, value: '' } },
    lifetimes: {
      attached(this: any) {
        const c = document.createElement('canvas');
        c.className = 'pv-canvas';
        dom(this).appendChild(c);
      },
    },
  });
}
