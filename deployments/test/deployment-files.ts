/**
 * deployments/ as data for the tests: docker-compose.yml and the kustomize base, read line by
 * line (no YAML parser is a declared dependency). The files keep the layout their headers
 * describe; a line inside an environment block this reader does not understand is an error,
 * not skipped.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

export const repoRoot = path.resolve(import.meta.dirname, "../..");
export const deploymentsDir = path.join(repoRoot, "deployments");
export const k8sBaseDir = path.join(deploymentsDir, "k8s/base");
export const read = (file: string) => readFileSync(file, "utf8");

// ---------------------------------------------------------------------------------------------
// docker-compose.yml

export interface ComposeService {
  environment: Map<string, string>;
  /** depends_on: dependency → condition. */
  dependsOn: Map<string, string>;
  lines: string[];
}

export function parseCompose(text: string): Map<string, ComposeService> {
  const services = new Map<string, ComposeService>();
  let inServices = false;
  let current: ComposeService | undefined;
  let block: string | undefined;
  let dependency: string | undefined;
  for (const [index, line] of text.split("\n").entries()) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    const where = `docker-compose.yml:${index + 1}`;
    const indent = line.length - line.trimStart().length;
    if (indent === 0) {
      inServices = line === "services:";
      current = undefined;
      continue;
    }
    if (!inServices) continue;
    if (indent === 2) {
      const name = /^ {2}([\w.-]+):$/.exec(line)?.[1];
      if (!name) throw new Error(`${where}: expected a service name, got "${line.trim()}"`);
      current = { environment: new Map(), dependsOn: new Map(), lines: [] };
      services.set(name, current);
      continue;
    }
    if (!current) continue;
    current.lines.push(line);
    if (indent === 4) {
      block = /^ {4}([\w<-]+):/.exec(line)?.[1];
      continue;
    }
    if (block === "environment") {
      const m = /^ {6}([A-Za-z_][A-Za-z0-9_]*): ?(.*)$/.exec(line);
      if (!m) throw new Error(`${where}: environment entries must be "NAME: value" lines, got "${line.trim()}"`);
      // A repeated key is valid YAML whose last value silently wins: refuse it.
      if (current.environment.has(m[1]!)) throw new Error(`${where}: ${m[1]} is set twice`);
      current.environment.set(m[1]!, m[2]!.replace(/^"(.*)"$/, "$1"));
    } else if (block === "depends_on") {
      if (indent === 6) {
        dependency = /^ {6}([\w.-]+):$/.exec(line)?.[1];
        if (!dependency) throw new Error(`${where}: depends_on entries must be "name:" with a condition`);
        current.dependsOn.set(dependency, "");
      } else if (dependency) {
        const condition = /^ {8}condition: (\S+)$/.exec(line)?.[1];
        if (condition) current.dependsOn.set(dependency, condition);
      }
    }
  }
  return services;
}

export const compose = parseCompose(read(path.join(deploymentsDir, "docker-compose.yml")));

// ---------------------------------------------------------------------------------------------
// k8s/base (kustomize)

export type EnvSource =
  | { from: "value"; value: string }
  | { from: "configMapKeyRef" | "secretKeyRef"; name: string; key: string };

export interface Manifest {
  kind: string;
  name: string;
  text: string;
  env: Map<string, EnvSource>;
}

/**
 * The manifests of one file. A container's env list is read entry by entry: `- name: NAME`, then
 * either `value: ...` or `valueFrom:` with a one-line `configMapKeyRef`/`secretKeyRef` mapping.
 */
export function parseManifests(file: string): Manifest[] {
  return read(file)
    .split(/^---$/m)
    .filter((doc) => /^kind: /m.test(doc))
    .map((text) => {
      const kind = /^kind: (\S+)$/m.exec(text)![1]!;
      const name = /^ {2}name: (\S+)$/m.exec(text)?.[1] ?? "";
      const lines = text.split("\n");
      const starts = lines.flatMap((l, i) => (/^\s+env:$/.test(l) ? [i] : []));
      if (starts.length > 1) throw new Error(`${file} ${name}: one container with one env list expected`);
      const env = new Map<string, EnvSource>();
      const fail = (line: string) => {
        throw new Error(`${file} ${name}: unexpected line in env: "${line.trim()}"`);
      };
      for (const start of starts) {
        const indent = lines[start]!.indexOf("env:");
        let entry: string | undefined;
        for (const line of lines.slice(start + 1)) {
          if (/^\s*(#.*)?$/.test(line)) continue;
          if (line.length - line.trimStart().length <= indent) break;
          const item = line.trim();
          const started = /^- name: ([A-Za-z_][A-Za-z0-9_]*)$/.exec(item)?.[1];
          const value = /^value: "?([^"]*)"?$/.exec(item)?.[1];
          const ref = /^(configMapKeyRef|secretKeyRef): \{ name: ([\w.-]+), key: ([\w.-]+) \}$/.exec(item);
          if (started && env.has(started)) throw new Error(`${file} ${name}: ${started} is set twice`);
          if (started) entry = started;
          else if (entry === undefined) fail(line);
          else if (value !== undefined) env.set(entry, { from: "value", value });
          else if (ref)
            env.set(entry, { from: ref[1] as "configMapKeyRef" | "secretKeyRef", name: ref[2]!, key: ref[3]! });
          else if (item !== "valueFrom:") fail(line);
        }
      }
      return { kind, name, text, env };
    });
}

export function parseEnvFile(file: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of read(file).split("\n")) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new Error(`${file}: expected NAME=value, got "${line}"`);
    entries.set(m[1]!, m[2]!);
  }
  return entries;
}

/** A top-level list of kustomization.yaml; generators map their name to their env files. */
export function kustomizationSection(text: string, section: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  const lines = text.split("\n");
  let current: string[] | undefined;
  for (const line of lines.slice(lines.indexOf(`${section}:`) + 1)) {
    if (/^\S/.test(line)) break;
    if (/^\s*(#.*)?$/.test(line)) continue;
    const item = /^ {2}- (?:name: )?(\S+)$/.exec(line)?.[1];
    if (item) {
      current = [];
      result.set(item, current);
    } else if (/^ {4}(literals|files):/.test(line)) {
      throw new Error(`kustomization.yaml ${section}: only envs files are understood by this test`);
    } else {
      const envFile = /^ {6}- (\S+\.env)$/.exec(line)?.[1];
      if (envFile) current?.push(envFile);
    }
  }
  return result;
}

export const kustomization = read(path.join(k8sBaseDir, "kustomization.yaml"));
export const resources = [...kustomizationSection(kustomization, "resources").keys()];
export const manifests = resources.flatMap((r) => parseManifests(path.join(k8sBaseDir, r)));
const generated = (section: string) =>
  new Map(
    [...kustomizationSection(kustomization, section)].map(([name, files]) => {
      const merged = new Map<string, string>();
      for (const f of files) for (const [k, v] of parseEnvFile(path.join(k8sBaseDir, f))) merged.set(k, v);
      return [name, merged];
    }),
  );
export const configMaps = generated("configMapGenerator");
export const secrets = generated("secretGenerator");
export const find = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.name === name);
