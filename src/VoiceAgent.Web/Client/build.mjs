// Copies the designer's stylesheet (Tabler, until issue #14) into wwwroot/lib. Run by the BuildClientAssets MSBuild target.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const lib = join(here, "..", "wwwroot", "lib");
const modules = join(here, "node_modules");

const files = [
  ["@tabler/core/dist/css/tabler.min.css", "tabler/css/tabler.min.css"],
];

rmSync(lib, { recursive: true, force: true });
for (const [from, to] of files) {
  const target = join(lib, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(modules, from), target);
}
console.log(`client assets: ${files.length} files -> wwwroot/lib`);
