// The phone's durable state in IndexedDB: the session, the catalogue (for reporting offline),
// and the outbox. A report is written here before anything is sent, and stays until the server
// has acknowledged it, so closing the app or losing signal never loses it.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Category, Session, Unit } from '../lib/api';
import type { GridOutlines } from './geo';

export interface ReportBody {
  client_id: string;
  category: string;
  severity: 'normal' | 'urgent';
  description: string;
  lon: number;
  lat: number;
  accuracy_m: number;
  happened_at: string;
  handled_on_spot: boolean;
  on_spot_note: string;
  photos: string[];
}

export interface Receipt {
  event_id: number;
  case_id?: number;
  located: boolean;
  duplicate: boolean;
  state?: string;
  level?: number;
  units?: Unit[];
}

// queued: waiting for a connection; sending: sent, no answer yet; acked: committed on the
// server (receipt holds the case); rejected: the server refused it for good (error says why).
export type OutboxState = 'queued' | 'sending' | 'acked' | 'rejected';

export interface OutboxItem {
  client_id: string;
  member_id: number;
  report: ReportBody;
  photos: { blob?: Blob; sha256?: string }[]; // uploaded before the report is sent; blobs dropped once acknowledged
  state: OutboxState;
  receipt?: Receipt;
  case_state?: string; // latest state of the case (queued, closed, ...)
  case_level?: number;
  case_version?: number; // the case's version, when the server said (status frames, GET /api/my/reports)
  error?: { code: string; field?: string; message: string };
  created_at: number;
  updated_at: number;
}

interface PhoneDB extends DBSchema {
  outbox: { key: string; value: OutboxItem; indexes: { by_member: number } };
  kv: { key: string; value: unknown };
}

let dbp: Promise<IDBPDatabase<PhoneDB>> | null = null;

function db(): Promise<IDBPDatabase<PhoneDB>> {
  dbp ??= openDB<PhoneDB>('griddispatch-phone', 1, {
    upgrade(d) {
      const outbox = d.createObjectStore('outbox', { keyPath: 'client_id' });
      outbox.createIndex('by_member', 'member_id');
      d.createObjectStore('kv');
    },
  });
  return dbp;
}

export async function getSession(): Promise<Session | undefined> {
  return (await (await db()).get('kv', 'session')) as Session | undefined;
}

export async function putSession(s: Session | undefined): Promise<void> {
  const d = await db();
  if (s) await d.put('kv', s, 'session');
  else await d.delete('kv', 'session');
}

export async function getCategories(): Promise<Category[] | undefined> {
  return (await (await db()).get('kv', 'categories')) as Category[] | undefined;
}

export async function putCategories(c: Category[]): Promise<void> {
  await (await db()).put('kv', c, 'categories');
}

export async function putItem(item: OutboxItem): Promise<void> {
  item.updated_at = Date.now();
  await (await db()).put('outbox', item);
}

export async function getItem(clientID: string): Promise<OutboxItem | undefined> {
  return (await db()).get('outbox', clientID);
}

// items lists a member's reports, newest first.
export async function items(memberID: number): Promise<OutboxItem[]> {
  const list = await (await db()).getAllFromIndex('outbox', 'by_member', memberID);
  return list.sort((a, b) => b.created_at - a.created_at);
}

// keepAcknowledged bounds what the phone stores: a member's acknowledged reports beyond the
// newest `keep` are forgotten locally (the server still lists them in GET /api/my/reports).
export async function keepAcknowledged(memberID: number, keep: number): Promise<void> {
  const acked = (await items(memberID)).filter((i) => i.state === 'acked');
  const d = await db();
  for (const it of acked.slice(keep)) await d.delete('outbox', it.client_id);
}

export async function deleteItem(clientID: string): Promise<void> {
  await (await db()).delete('outbox', clientID);
}

// The worker's grid outlines (GET /api/my/grid), kept for the map and for placing the pin with
// no signal; one copy per member.
export async function getOutlines(memberID: number): Promise<GridOutlines | undefined> {
  return (await (await db()).get('kv', 'outlines:' + memberID)) as GridOutlines | undefined;
}

export async function putOutlines(memberID: number, o: GridOutlines): Promise<void> {
  await (await db()).put('kv', o, 'outlines:' + memberID);
}
