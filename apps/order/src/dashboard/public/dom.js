/**
 * Small DOM helpers for the dashboard. Text always goes in as text (never as HTML): reasons and
 * customer ids come from users.
 */

/** Builds an element: `h('li', { class: 'x', 'data-id': 1 }, 'text', child)`. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** `8900, 'EUR'` → `€89.00`. */
export function money(cents, currency) {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(cents / 100);
}

/** A time of day with milliseconds: the saga's steps are milliseconds apart. */
export function clock(iso) {
  const at = new Date(iso);
  const pad = (n, width = 2) => String(n).padStart(width, '0');
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${pad(at.getMilliseconds(), 3)}`;
}

/** Milliseconds between two instants, short: `+45 ms`, `+1.2 s`. */
export function elapsed(fromIso, toIso) {
  const ms = new Date(toIso).getTime() - new Date(fromIso).getTime();
  return ms < 1000 ? `+${ms} ms` : `+${(ms / 1000).toFixed(1)} s`;
}

/**
 * The admin bearer token the page sends: `npm run demo` prints the dashboard's URL with `#token=<jwt>`
 * (a fragment never reaches a server or its logs). It is kept for this tab only and dropped from the
 * address bar.
 */
export function authToken() {
  const fromUrl = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (fromUrl) {
    sessionStorage.setItem('saga-token', fromUrl);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem('saga-token') ?? undefined;
}

/** `init` with the page's bearer token added to its headers. */
export function withToken(init = {}) {
  const token = authToken();
  return token ? { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` } } : init;
}

/** JSON from a URL (sent with the page's token), or an Error whose message is the problem+json detail. */
export async function getJson(url, init) {
  const response = await fetch(url, withToken(init));
  const body = await response.json().catch(() => undefined);
  if (!response.ok) {
    throw new Error(body?.detail ?? body?.message ?? `${response.status} ${response.statusText}`);
  }
  return body;
}

/** Calls `work` now and every `ms`, never twice at once; a failure is logged and tried again later. */
export function every(ms, work) {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await work();
    } catch (error) {
      console.warn(error);
    } finally {
      running = false;
    }
  };
  void run();
  setInterval(() => void run(), ms);
  return run;
}

/** `items` in a Map by `key(item)`, in their order. */
export function groupBy(items, key) {
  const groups = new Map();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

/**
 * Server-Sent Events read with fetch, so the request can carry the bearer token (EventSource cannot send
 * headers): calls `onMessage(data)` for each event, `onState('live' | 'reconnecting' | 'refused', detail)`
 * as the connection comes and goes, and reconnects after a second, as EventSource would — except after
 * a 401 or 403: a new token is needed, and retrying would not bring one.
 */
export function streamEvents(url, { onMessage, onState }) {
  const connect = async () => {
    try {
      const response = await fetch(url, withToken({ headers: { accept: 'text/event-stream' } }));
      if (response.status === 401 || response.status === 403) {
        const problem = await response.json().catch(() => undefined);
        onState('refused', problem?.detail ?? `${response.status} ${response.statusText}`);
        return;
      }
      if (!response.ok || !response.body) throw new Error(`${response.status} ${response.statusText}`);
      onState('live');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        const events = buffer.split('\n\n');
        buffer = events.pop() ?? '';
        for (const event of events) {
          const data = event
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if (!data) continue;
          try {
            onMessage(data);
          } catch (error) {
            console.warn(error); // one bad event must not drop the stream
          }
        }
      }
    } catch (error) {
      console.warn(error);
    }
    onState('reconnecting');
    setTimeout(() => void connect(), 1000);
  };
  void connect();
}
