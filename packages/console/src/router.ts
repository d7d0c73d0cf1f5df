import { useEffect, useState } from 'preact/hooks';

/**
 * Where the console is, kept in the URL's hash (`#/collections/books/records/01j…?sort=-created`): a reload, a
 * bookmark or back/forward returns to the same screen. A hash needs nothing from the server, whatever serves /_/.
 */
export type Route =
  | { kind: 'home' }
  | { kind: 'records'; name: string; record?: string; sort?: string; filter?: string }
  | { kind: 'edit'; name: string }
  | { kind: 'new' }
  | { kind: 'settings' }
  | { kind: 'admins' }
  | { kind: 'logs'; status?: string }
  | { kind: 'extensions' };

const seg = encodeURIComponent;

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(search);
  const option = (key: string) => (query.get(key) ? { [key]: query.get(key)! } : {});
  if (parts[0] === 'collections' && parts[1]) {
    if (parts[2] === 'edit') return { kind: 'edit', name: parts[1] };
    return { kind: 'records', name: parts[1], ...(parts[2] === 'records' && parts[3] ? { record: parts[3] } : {}), ...option('sort'), ...option('filter') };
  }
  if (parts[0] === 'new-collection') return { kind: 'new' };
  if (parts[0] === 'settings') return { kind: 'settings' };
  if (parts[0] === 'admins') return { kind: 'admins' };
  if (parts[0] === 'logs') return { kind: 'logs', ...option('status') };
  if (parts[0] === 'extensions') return { kind: 'extensions' };
  return { kind: 'home' };
}

export function routeHash(route: Route): string {
  const search = (values: Record<string, string | undefined>) => {
    const text = new URLSearchParams(Object.entries(values).filter((e): e is [string, string] => !!e[1])).toString();
    return text ? `?${text}` : '';
  };
  switch (route.kind) {
    case 'records':
      return `#/collections/${seg(route.name)}${route.record ? `/records/${seg(route.record)}` : ''}${search({ sort: route.sort, filter: route.filter })}`;
    case 'edit':
      return `#/collections/${seg(route.name)}/edit`;
    case 'new':
      return '#/new-collection';
    case 'settings':
      return '#/settings';
    case 'admins':
      return '#/admins';
    case 'logs':
      return `#/logs${search({ status: route.status })}`;
    case 'extensions':
      return '#/extensions';
    default:
      return '#/';
  }
}

/** `replace` for refinements of the same screen (sort, filter), so back goes to the previous screen. */
export function navigate(route: Route, replace = false): void {
  const url = routeHash(route);
  if (url === location.hash) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', url);
  dispatchEvent(new Event('hashchange'));
}

/** The current route, following navigation, links and back/forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(location.hash));
    // Back/forward between pushed entries fires popstate; a typed or clicked hash fires hashchange.
    addEventListener('hashchange', follow);
    addEventListener('popstate', follow);
    return () => {
      removeEventListener('hashchange', follow);
      removeEventListener('popstate', follow);
    };
  }, []);
  return route;
}
