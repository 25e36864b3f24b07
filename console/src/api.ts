import type { QueueItem } from '../../contracts/src/console-queue.ts';

/** The console's one way to the cloud: the REST API, same origin, the session cookie and its CSRF token. */
let csrf: string | null = null;
export const setCsrf = (t: string | null) => {
  csrf = t;
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const h: Record<string, string> = { ...headers };
  if (body !== undefined) h['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) h['x-csrf-token'] = csrf;
  const res = await fetch(path, {
    method,
    headers: h,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const e = (json ?? {}) as { code?: string; message?: string };
    throw new ApiError(res.status, e.code ?? `HTTP_${res.status}`, e.message ?? res.statusText);
  }
  return json as T;
}

export interface Session {
  username: string;
  displayName: string;
  role: 'admin' | 'desk' | 'worker' | 'supervisor';
  sub: string;
  stationId: string | null;
  csrfToken: string | null;
}

export const TERMINAL = ['resolved', 'closed', 'cancelled', 'false_alarm'];

export type { QueueItem };
