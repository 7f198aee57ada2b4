/**
 * Who this browser is to the server: the client id the server issued it (its `identity` event),
 * kept in localStorage so a reload, or a second tab, is still the same student (one answer, one
 * flag per element), and the optional display name the student gave. The server signs the ids it
 * issues and replaces any other, so the browser never makes one up. Storage can be disabled
 * (private modes): then the id lives for this page view only, which the server tolerates.
 */
import { LIMITS } from '../../shared/protocol/limits.js';

const ID_KEY = 'backprop-live:client-id';
const NAME_KEY = 'backprop-live:name';
/** The form of the handshake's clientId (the server checks the signature). */
const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** The id of this page view when storage is disabled. */
let pageId: string | null = null;

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    /* storage disabled: the value lasts for this page view */
  }
}

/** The id the server issued this browser, if it has one yet (the first connection gets one). */
export function clientId(): string | undefined {
  const stored = read(ID_KEY) ?? pageId;
  return stored && ID_PATTERN.test(stored) ? stored : undefined;
}

/** Keeps the id the server sent (`identity`), for the next connection and the other tabs. */
export function rememberClientId(id: string): void {
  if (!ID_PATTERN.test(id)) return;
  pageId = id;
  if (read(ID_KEY) !== id) write(ID_KEY, id);
}

/** The name as the server will show it: no control characters, trimmed, at most 40 characters. */
export function cleanName(name: string): string {
  return name.replace(/[\p{Cc}\p{Cf}]/gu, '').trim().slice(0, LIMITS.maxNameLength);
}

export function displayName(): string {
  return cleanName(read(NAME_KEY) ?? '');
}

export function setDisplayName(name: string): string {
  const clean = cleanName(name);
  write(NAME_KEY, clean || null);
  return clean;
}

/** A small JSON value per lecture (answers, own flags), best effort. */
export function loadJson<T>(key: string): T | null {
  const raw = read(key);
  if (raw === null) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

export function saveJson(key: string, value: unknown): void {
  write(key, value === null ? null : JSON.stringify(value));
}
