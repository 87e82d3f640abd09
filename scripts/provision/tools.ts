import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { ProvisionError } from "./provision-error.js";
import { writePrivateFile } from "./secrets-file.js";

/** The absolute path of an executable on PATH (or in one of `extraDirs`), if there is one. */
export function findTool(name: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** Like findTool, but a missing tool is a one-line ProvisionError saying what needs it and how to get it. */
export function requireTool(name: string, neededFor: string, howToGet: string, extraDirs: string[] = []): string {
  const found = findTool(name, extraDirs);
  if (!found) throw new ProvisionError(`${name} is missing (needed ${neededFor}): ${howToGet}`);
  return found;
}

/**
 * Runs a tool to completion and resolves with its stdout. Output is kept, not shown: on
 * failure the error's first line names the command, and the tail of its output follows.
 */
export function runTool(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; what: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: "pipe" });
    let stdout = "";
    let output = "";
    const keep = (chunk: Buffer) => {
      // The tail is what explains a failure; keep the last 64 KiB.
      output = (output + chunk.toString()).slice(-65_536);
    };
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      keep(chunk);
    });
    child.stderr.on("data", keep);
    child.once("error", (err) => reject(new ProvisionError(`${options.what} failed: ${err.message}`)));
    child.once("close", (code, signal) => {
      if (code === 0) return resolve(stdout);
      const tail = output.trim().split("\n").slice(-20).join("\n");
      reject(
        new ProvisionError(
          `${options.what} failed (${path.basename(command)} exited with ${code ?? signal})${tail ? `:\n${tail}` : ""}`,
        ),
      );
    });
  });
}

/**
 * Runs `java` with its whole command line in an argument file (`java @file`, 0600, removed
 * after): the arguments carry passwords, which must not show in the process list.
 */
export async function runJavaWithArgFile(
  java: string,
  args: string[],
  options: { dataDir: string; what: string },
): Promise<string> {
  const argFile = path.join(options.dataDir, `java-args.${process.pid}.${randomBytes(4).toString("hex")}`);
  // One argument a line, quoted: the launcher's argument-file syntax (no backslashes or quotes in ours).
  if (args.some((a) => /["\\\n]/.test(a)))
    throw new ProvisionError(`${options.what}: an argument has a quote or backslash`);
  await writePrivateFile(argFile, `${args.map((a) => `"${a}"`).join("\n")}\n`);
  try {
    return await runTool(java, [`@${argFile}`], { what: options.what });
  } finally {
    await rm(argFile, { force: true });
  }
}
