// Request priority on a 2-core server: while a request the user is waiting for is in flight (a
// trace's skeleton, opened from a shared link), requests for things the page can show a moment
// later (saved views, permissions, the review progress badge) wait, so they do not share the
// server's cores with it. A stuck request holds nothing back for more than MAX_WAIT_MS.
const MAX_WAIT_MS = 2000;
let urgent = 0;
let waiting: (() => void)[] = [];

function release() {
  urgent -= 1;
  if (urgent === 0) {
    const ready = waiting;
    waiting = [];
    ready.forEach((go) => go());
  }
}

// Mark `p` as a request the user is waiting for; returns it unchanged.
export function foreground<T>(p: Promise<T>): Promise<T> {
  urgent += 1;
  p.then(release, release);
  return p;
}

// Resolves once no foreground request is in flight (at once if none is).
export function afterForeground(): Promise<void> {
  if (urgent === 0) return Promise.resolve();
  return new Promise((go) => {
    waiting.push(go);
    window.setTimeout(go, MAX_WAIT_MS);
  });
}

// `make()` once no foreground request is in flight.
export function background<T>(make: () => Promise<T>): Promise<T> {
  return afterForeground().then(make);
}
