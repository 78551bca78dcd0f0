// Where the sign-in form's values come from: a link's fragment
// (#server=…&user=…&key=…, what `ftrack-local` prints for its development user), else this
// tab's sessionStorage. The key never goes to localStorage, and leaves the address bar at once.
export interface Credentials {
  serverUrl: string;
  user: string;
  apiKey: string;
}

const STORAGE_KEY = 'ftrack-encode.web.credentials';

/** Values to prefill; serverUrl defaults to the origin serving the page (ftrack-local's /web/). */
export function initialCredentials(location: Location, storage: Storage, history: History): Partial<Credentials> & { serverUrl: string } {
  const fromHash = new URLSearchParams(location.hash.slice(1));
  const fromQuery = new URLSearchParams(location.search);
  const stored = readStored(storage);
  const hashUser = fromHash.get('user');
  const hashKey = fromHash.get('key');
  if (fromHash.has('key') || fromHash.has('user') || fromHash.has('server')) {
    history.replaceState(null, '', location.pathname + location.search);
  }
  const serverUrl = fromHash.get('server') ?? fromQuery.get('server') ?? stored?.serverUrl ?? location.origin;
  const user = hashUser ?? fromQuery.get('user') ?? stored?.user;
  const apiKey = hashKey ?? stored?.apiKey;
  return { serverUrl, ...(user ? { user } : {}), ...(apiKey ? { apiKey } : {}) };
}

export function storeCredentials(storage: Storage, credentials: Credentials): void {
  storage.setItem(STORAGE_KEY, JSON.stringify(credentials));
}

export function forgetCredentials(storage: Storage): void {
  storage.removeItem(STORAGE_KEY);
}

function readStored(storage: Storage): Partial<Credentials> | undefined {
  try {
    const value = JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null') as Partial<Credentials> | null;
    return value ?? undefined;
  } catch {
    return undefined;
  }
}
