// Lints Dockerfiles offline with dockerfile-utils (the Dockerfile language server's validator: unknown instructions,
// malformed flags and arguments, bad HEALTHCHECK/EXPOSE/USER syntax, duplicated CMD/ENTRYPOINT …).
//   node deploy/check/lint-dockerfile.mjs FILE…
// Prints "FILE:LINE: severity: message" per finding and exits 1 when there is an error or a warning.
import { readFileSync } from "node:fs";
import { validate } from "dockerfile-utils";

let failed = false;
for (const file of process.argv.slice(2)) {
  const diagnostics = validate(readFileSync(file, "utf8"));
  for (const d of diagnostics) {
    const severity = d.severity === 1 ? "error" : d.severity === 2 ? "warning" : "info";
    if (d.severity <= 2) failed = true;
    console.log(`${file}:${d.range.start.line + 1}: ${severity}: ${d.message}`);
  }
}
process.exit(failed ? 1 : 0);
