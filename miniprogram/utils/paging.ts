/** Lists that load page by page (every list of the cloud functions answers a cursor and a total). */
import { showError } from './feedback';

type Host = WechatMiniprogram.Component.TrivialInstance | WechatMiniprogram.Page.TrivialInstance;

/**
 * The next page of a list when the user scrolls to its end (`onReachBottom`): one request at a
 * time (`data.loadingMore`), none after the last page (an empty cursor), and a failure shown while
 * the list stays as it was. `apply` puts the page into the page's data.
 */
export async function loadNextPage<P>(
  host: Host,
  cursor: string,
  fetch: (cursor: string) => Promise<P>,
  apply: (page: P) => void,
): Promise<void> {
  if (!cursor || (host.data as { loadingMore?: boolean }).loadingMore) return;
  host.setData({ loadingMore: true });
  try {
    apply(await fetch(cursor));
  } catch (error) {
    showError(host, error);
  }
  host.setData({ loadingMore: false });
}
