import { v7 as uuidv7 } from "uuid";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID (any version, either case): ids that are not are never looked up. */
export const isUuid = (value: string): boolean => UUID.test(value);

/**
 * A new primary key that sorts by creation time (UUIDv7: 48 bits of Unix milliseconds, then
 * random bits). Rows keyed by it go in at the right edge of the primary-key index instead of
 * at random pages, and keyset pages on (created_at, id) break ties in insertion order. Still a
 * plain uuid to PostgreSQL and to clients; generated here rather than by the database because
 * PostgreSQL only has uuidv7() from version 18 (the stack runs 16).
 */
export const newTimeOrderedId = (): string => uuidv7();
