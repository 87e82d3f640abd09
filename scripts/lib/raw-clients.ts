import net from "node:net";
import type { KafkaConnection } from "@checkout-saga/shared";
import { Kafka, logLevel } from "kafkajs";
import postgres from "postgres";

/**
 * Clients for checking what a server refuses: each makes one attempt, says nothing, keeps no
 * connection open, and resolves with what happened instead of throwing.
 */

/** A PostgreSQL query's rows, or the error's SQLSTATE (or message when there is none). */
export async function tryPostgres(
  url: string,
  query: string,
): Promise<{ ok: true; rows: Record<string, unknown>[] } | { ok: false; code: string; message: string }> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    return { ok: true, rows: [...(await sql.unsafe(query))] };
  } catch (err) {
    const e = err as { code?: string; message: string };
    return { ok: false, code: e.code ?? "", message: e.message };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** The topics a Kafka client may see, or the name and message of the error that stopped it. */
export async function tryListTopics(
  connection: KafkaConnection,
): Promise<{ ok: true; topics: string[] } | { ok: false; error: string; message: string }> {
  const admin = new Kafka({
    clientId: "checkout-saga-check",
    ...connection,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    authenticationTimeout: 3_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    return { ok: true, topics: await admin.listTopics() };
  } catch (err) {
    return { ok: false, error: (err as Error).name, message: (err as Error).message };
  } finally {
    await admin.disconnect();
  }
}

/** Whether a Kafka client can append one message to `topic`, or why not. */
export async function tryProduce(
  connection: KafkaConnection,
  topic: string,
): Promise<{ ok: true } | { ok: false; error: string; message: string }> {
  const producer = new Kafka({
    clientId: "checkout-saga-check",
    ...connection,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    authenticationTimeout: 3_000,
    retry: { retries: 0 },
  }).producer({ allowAutoTopicCreation: false });
  try {
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: "check", value: "check" }] });
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).name, message: (err as Error).message };
  } finally {
    await producer.disconnect();
  }
}

/**
 * Sends Redis commands on one raw connection (RESP, no client library) and resolves with the
 * first line of each reply, e.g. ["+OK", "-NOPERM ..."].
 */
export function redisReplies(port: number, commands: string[][]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.setTimeout(3_000);
    const encode = (words: string[]) =>
      `*${words.length}\r\n${words.map((w) => `$${Buffer.byteLength(w)}\r\n${w}\r\n`).join("")}`;
    let buffer = "";
    const replies: string[] = [];
    socket.once("connect", () => socket.write(commands.map(encode).join("")));
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      // Simple replies only (+, -, :) and bulk strings: enough for AUTH, PING, SET, GET.
      for (;;) {
        const end = buffer.indexOf("\r\n");
        if (end < 0) break;
        const line = buffer.slice(0, end);
        if (line.startsWith("$") && Number(line.slice(1)) >= 0) {
          const length = Number(line.slice(1));
          if (buffer.length < end + 2 + length + 2) break;
          replies.push(buffer.slice(end + 2, end + 2 + length));
          buffer = buffer.slice(end + 2 + length + 2);
        } else {
          replies.push(line);
          buffer = buffer.slice(end + 2);
        }
      }
      if (replies.length >= commands.length) {
        socket.destroy();
        resolve(replies);
      }
    });
    socket.once("timeout", () => socket.destroy(new Error(`Redis answered ${replies.length} of ${commands.length}`)));
    socket.once("error", reject);
  });
}
