/**
 * Who this browser is to the server: a random client id kept in localStorage (so a reload,
 * or a second tab, is still the same student: one answer, one flag per element) and the
 * optional display name the student gave. Storage can be disabled (private modes): then the
 * id lives for this page view only, which the server tolerates.
 */
import { LIMITS } from '../../shared/index.js';

const ID_KEY = 'backprop-live:client-id';
const NAME_KEY = 'backprop-live:name';
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

let fallbackId: string | null = null;

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

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  // base64url: letters, digits, - and _, which is what the server accepts.
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function clientId(): string {
  const stored = read(ID_KEY);
  if (stored && ID_PATTERN.test(stored)) return stored;
  fallbackId ??= randomId();
  write(ID_KEY, fallbackId);
  return fallbackId;
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
