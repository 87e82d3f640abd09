import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { createProgress, inStep, type Progress } from "../lib/progress.js";
import { ensureCached, provisionCacheDir, reportGrowth } from "./cache.js";
import { ProvisionError } from "./provision-error.js";
import type { ProvisionResult } from "./provision-result.js";
import { findTool, runTool } from "./tools.js";

/** The fuzzer's version; its dependencies are pinned beside it in schemathesis-requirements.txt. */
export const SCHEMATHESIS_VERSION = "4.32.5";

const REQUIREMENTS = path.join(import.meta.dirname, "schemathesis-requirements.txt");

/** The venv's python, with which the fuzzer runs as `python -m schemathesis.cli`. */
export interface Schemathesis extends ProvisionResult {
  python: string;
}

/**
 * Makes sure schemathesis (pinned, with every dependency pinned) is installed in a venv kept
 * outside the clone, under the provisioning cache (CHECKOUT_SAGA_CACHE, by default
 * ~/.cache/checkout-saga), named after the version, the Python and the requirements' digest,
 * so a change to any of them makes a new one. Idempotent: a warm machine runs no installer.
 * The venv is built in a scratch folder and renamed into place, so it is never seen half made;
 * its console scripts keep the scratch path, hence `python -m schemathesis.cli`.
 */
export async function installSchemathesis(progress: Progress = createProgress()): Promise<Schemathesis> {
  const python = await requirePython(progress);
  const pythonVersion = (
    await runTool(python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], {
      what: "asking python3 its version",
    })
  ).trim();
  const requirements = await readFile(REQUIREMENTS, "utf8");
  const digest = createHash("sha256").update(requirements).digest("hex").slice(0, 10);
  const home = path.join(provisionCacheDir(), `venv-schemathesis-${SCHEMATHESIS_VERSION}-py${pythonVersion}-${digest}`);
  const venvPython = path.join(home, "bin", "python");

  // A venv outlives nothing of the Python it was made from: if that is gone, make it again.
  if (existsSync(home) && !(await imports(venvPython))) {
    progress.note("schemathesis", `the venv at ${home} no longer runs; making it again`);
    await rm(home, { recursive: true, force: true });
  }
  const installed = await ensureCached(home, async (scratch) => {
    await inStep(progress, "schemathesis", `creating a venv with ${python} (Python ${pythonVersion})`, () =>
      createVenv(python, scratch, progress),
    );
    // pip --quiet prints nothing while it downloads; the venv's size shows it working.
    await inStep(
      progress,
      "schemathesis",
      `installing ${SCHEMATHESIS_VERSION} and its pinned dependencies from PyPI (pip)`,
      async (step) => {
        const stopReporting = reportGrowth(scratch, step);
        try {
          await runTool(
            path.join(scratch, "bin", "python"),
            ["-m", "pip", "install", "--no-input", "--disable-pip-version-check", "--quiet", "-r", REQUIREMENTS],
            { what: `pip install -r ${path.relative(process.cwd(), REQUIREMENTS)}` },
          );
        } catch (err) {
          throw new ProvisionError(
            `could not install schemathesis ${SCHEMATHESIS_VERSION} from PyPI (is PyPI reachable, or PIP_INDEX_URL set to a mirror?)\n${(err as Error).message}`,
          );
        } finally {
          stopReporting();
        }
      },
    );
  });
  if (!installed) progress.cached("schemathesis", `${SCHEMATHESIS_VERSION} in ${home}`);
  if (!(await imports(venvPython))) {
    throw new ProvisionError(`the venv at ${home} cannot import schemathesis; remove it and run again`);
  }
  return { what: `schemathesis ${SCHEMATHESIS_VERSION}`, installed, location: home, python: venvPython };
}

const imports = (python: string) =>
  runTool(python, ["-c", "import schemathesis.cli"], { what: "importing schemathesis" }).then(
    () => true,
    () => false,
  );

/** python3 on PATH, installed from Debian's packages when missing and we may (root, apt-get). */
async function requirePython(progress: Progress): Promise<string> {
  const found = findTool("python3");
  if (found) return found;
  await aptInstall(["python3", "python3-venv"], "python3 is missing", progress);
  const installed = findTool("python3");
  if (!installed) throw new ProvisionError("apt-get installed python3 but it is not on PATH");
  return installed;
}

/**
 * `python3 -m venv`, with pip. Debian splits venv's pip bootstrap (ensurepip) into the
 * python3-venv package; without it venv fails, and we install that package once.
 */
async function createVenv(python: string, dir: string, progress: Progress): Promise<void> {
  const create = () => runTool(python, ["-m", "venv", dir], { what: `${python} -m venv` });
  try {
    await create();
  } catch (err) {
    // Debian's python3 says "ensurepip is not available"; without venv at all, "No module named venv".
    if (!/ensurepip|No module named venv/i.test((err as Error).message)) throw err;
    await rm(dir, { recursive: true, force: true });
    await aptInstall(["python3-venv"], `${python} -m venv cannot make a venv with pip (no ensurepip)`, progress);
    await create();
  }
}

/** Installs Debian packages; `apt-get update` only when the install fails (a warm list is enough). */
async function aptInstall(packages: string[], why: string, progress: Progress): Promise<void> {
  const aptGet = findTool("apt-get");
  const hint = `install ${packages.join(" ")} with the system's package manager`;
  if (!aptGet) throw new ProvisionError(`${why} and apt-get is not available: ${hint}`);
  if (process.getuid?.() !== 0)
    throw new ProvisionError(`${why} and installing needs root: sudo apt-get install -y ${packages.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () =>
    runTool(aptGet, ["install", "-y", "-q", ...packages], { env, what: `apt-get install ${packages.join(" ")}` });
  await inStep(progress, "schemathesis", `${why}: apt-get install ${packages.join(" ")}`, async () => {
    try {
      await install();
    } catch {
      await runTool(aptGet, ["update", "-q"], { env, what: "apt-get update" });
      await install();
    }
  });
}
