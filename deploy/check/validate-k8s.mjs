// Validates Kubernetes manifests offline against the official API schemas, as shipped by the npm package
// kubernetes-models (generated from the Kubernetes OpenAPI spec; validators compiled with ajv), plus a strict check for
// unknown fields (the OpenAPI schemas allow any extra property, so a typo like "readinesProbe" would pass them; the
// API server drops or refuses it). The field lists come from the same package's type declarations.
//   node deploy/check/validate-k8s.mjs FILE.yaml…
// Prints one line per problem, "FILE: document N (Kind/name): /field/path: message", and exits 1 when there is any.
// Documents that are not Kubernetes API objects (kustomization.yaml) are skipped.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parseAllDocuments } from "yaml";

const require = createRequire(import.meta.url);
const modelsRoot = dirname(require.resolve("kubernetes-models/package.json"));
const apimachineryRoot = dirname(require.resolve("@kubernetes-models/apimachinery/package.json"));

const problems = [];
// A declaration: { fields: Map<name, type> } for an interface, null for a leaf (string, number, IntOrString, Quantity …).
// A type: { kind: "leaf" } | { kind: "ref", file } | { kind: "array", of } | { kind: "map", of }.
const declarations = new Map();

for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"), { prettyErrors: true, uniqueKeys: true });
  let index = 0;
  for (const doc of docs) {
    index++;
    const where = (obj) => `${file}: document ${index} (${obj?.kind ?? "?"}/${obj?.metadata?.name ?? "?"})`;
    if (doc.errors.length > 0) {
      for (const e of doc.errors) problems.push(`${file}: document ${index}: YAML: ${e.message.split("\n")[0]}`);
      continue;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue;
    if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
      problems.push(`${where(obj)}: /: apiVersion and kind are required`);
      continue;
    }
    if (obj.apiVersion.startsWith("kustomize.config.k8s.io/")) continue;
    let Model;
    try {
      Model = (await import(`kubernetes-models/${obj.apiVersion}/${obj.kind}`))[obj.kind];
    } catch {
      Model = undefined;
    }
    if (!Model) {
      problems.push(`${where(obj)}: /apiVersion: unknown apiVersion/kind ${obj.apiVersion} ${obj.kind}`);
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (e) {
      for (const err of e.errors ?? [{ instancePath: "", message: e.message }]) {
        const detail = err.params?.allowedValues ? ` (${err.params.allowedValues.join(", ")})` : "";
        problems.push(`${where(obj)}: ${err.instancePath || "/"}: ${err.message ?? err.keyword}${detail}`);
      }
    }
    unknownFields(obj, declarationOf(join(modelsRoot, obj.apiVersion, `${obj.kind}.d.ts`)), "", where(obj));
  }
}
for (const p of problems) console.log(p);
process.exit(problems.length > 0 ? 1 : 0);

// --- strict fields -------------------------------------------------------------------------------------------------

function declarationOf(file) {
  if (declarations.has(file)) return declarations.get(file);
  declarations.set(file, null);
  let text;
  try { text = readFileSync(file, "utf8"); } catch { return null; }
  text = text.replace(/\/\*\*[\s\S]*?\*\//g, "").replace(/\n[ \t]*(?=\n)/g, "");
  const imports = new Map();
  for (const m of text.matchAll(/import \{ ([^}]+) \} from "([^"]+)";/g)) {
    for (const name of m[1].split(",").map((s) => s.trim())) imports.set(name, resolveImport(file, m[2]));
  }
  const body = /export interface I\w+(?: extends TypeMeta)? \{\n([\s\S]*?)\n\}/.exec(text);
  if (!body) return null;
  const fields = new Map();
  // Top-level members are indented by 4 spaces; a map type spans lines until the closing "    };". A sentinel member
  // after the last one lets every member end where the next begins.
  for (const m of `${body[1]}\n    "": end;\n`.matchAll(/^    "([^"]+)"\??: ([\s\S]*?);\n(?=    ")/gm)) {
    fields.set(m[1], parseType(m[2].replace(/\s+/g, " ").trim(), imports));
  }
  const decl = { fields };
  declarations.set(file, decl);
  return decl;
}

function resolveImport(from, spec) {
  if (spec.startsWith("@kubernetes-models/apimachinery/")) return join(apimachineryRoot, spec.slice("@kubernetes-models/apimachinery/".length) + ".d.ts");
  if (spec.startsWith(".")) return join(dirname(from), spec.replace(/\.js$/, ".d.ts"));
  return null;
}

function parseType(t, imports) {
  let m;
  if ((m = /^Array<(.+)>$/.exec(t))) return { kind: "array", of: parseType(m[1], imports) };
  if ((m = /^\{ \[key: string\]: (.+?);? \}$/.exec(t))) return { kind: "map", of: parseType(m[1], imports) };
  if (imports.has(t) && imports.get(t)) return { kind: "ref", file: imports.get(t) };
  return { kind: "leaf" };
}

function unknownFields(value, decl, path, where) {
  if (!decl || value === null || typeof value !== "object" || Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const type = decl.fields.get(key);
    if (!type) {
      problems.push(`${where}: ${path}/${key}: unknown field "${key}" (known: ${[...decl.fields.keys()].join(", ")})`);
      continue;
    }
    walk(child, type, `${path}/${key}`, where);
  }
}

function walk(value, type, path, where) {
  if (value === null || value === undefined) return;
  if (type.kind === "ref") unknownFields(value, declarationOf(type.file), path, where);
  else if (type.kind === "array" && Array.isArray(value)) value.forEach((v, i) => walk(v, type.of, `${path}/${i}`, where));
  else if (type.kind === "map" && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, type.of, `${path}/${k}`, where);
}
