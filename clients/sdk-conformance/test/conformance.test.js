// Conformance of the gateway's REST face with the Connect API, judged by
// commercetools' own Connect SDK (@commercetools-connect/sdk, generated from
// the API's RAML).
//
// Two fresh simulators start from the same demo data. The SDK runs the same
// request sequence (test/sequence.js) against the gateway in front of the
// first and straight against the second. Every answer must be equal: status,
// body bytes and the allow-listed headers, after ids, times and id-based
// cursors are normalised; and the requests the first simulator received
// through the gateway must be the ones the second received from the SDK:
// the gateway forwards, it does not rebuild. Every body is then checked
// against the SDK's TypeScript types with tsc.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { startGateway, startSimulator } from "./processes.js";
import { run } from "./sequence.js";
import { World } from "./world.js";

const pkgRoot = fileURLToPath(new URL("..", import.meta.url));
const sdkRoot = join(pkgRoot, "node_modules", "@commercetools-connect", "sdk", "dist", "generated");

let procs = [];
/** @type {World} */ let viaGateway;
/** @type {World} */ let direct;

before(async () => {
  const [simA, simB] = await Promise.all([startSimulator(), startSimulator()]);
  procs.push(simA, simB);
  const gw = await startGateway(simA.url);
  procs.push(gw);
  viaGateway = new World("gateway", gw.url, simA.url);
  direct = new World("simulator", simB.url, simB.url);
  await run(viaGateway);
  await run(direct);
});

after(async () => {
  await Promise.all(procs.map((p) => p.stop()));
});

/** The first error code of a body, or undefined. */
function errorCode(text) {
  try {
    return JSON.parse(text)?.errors?.[0]?.code;
  } catch {
    return undefined;
  }
}

test("every answer through the gateway equals the simulator's", (t) => {
  assert.equal(viaGateway.calls.length, direct.calls.length, "both worlds made the same number of calls");
  const mismatches = [];
  const codes = new Set();
  for (const [i, g] of viaGateway.calls.entries()) {
    const s = direct.calls[i];
    const got = { request: `${g.method} ${viaGateway.normalise(g.uri)}`, status: g.status, headers: viaGateway.normalise(JSON.stringify(g.headers)), body: viaGateway.normalise(g.text) };
    const want = { request: `${s.method} ${direct.normalise(s.uri)}`, status: s.status, headers: direct.normalise(JSON.stringify(s.headers)), body: direct.normalise(s.text) };
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      mismatches.push(`#${i + 1} ${g.label}:\n  gateway   ${JSON.stringify(got)}\n  simulator ${JSON.stringify(want)}`);
    }
    const code = errorCode(s.text);
    if (s.status >= 400 && code) {
      codes.add(code);
    }
  }
  t.diagnostic(`answers equal: ${viaGateway.calls.length - mismatches.length} of ${viaGateway.calls.length}`);
  t.diagnostic(`error codes met (${codes.size}): ${[...codes].sort().join(", ")}`);
  assert.deepEqual(mismatches, [], `answers that differ:\n${mismatches.join("\n")}`);
  assert.ok(codes.size >= 12, `only ${codes.size} distinct error codes`);
});

test("the upstream received the requests the SDK sent", async (t) => {
  // Requests are matched by their X-Correlation-ID (the same in both
  // worlds). Equal requests under one id collapse: the gateway retries a
  // 502, the SDK does not. A request the gateway refuses itself (a path
  // parameter that breaks its rule) has no entry behind the gateway; its
  // answer is compared with the simulator's above.
  const requests = async (w) => {
    const byID = new Map();
    for (const e of await w.journal()) {
      const cid = e.header?.["X-Correlation-Id"]?.[0] ?? "";
      const r = `${e.method} ${w.normalise(e.path)}${e.query ? "?" + w.normalise(e.query) : ""} body=${e.bodyLength}`;
      const seen = byID.get(cid) ?? [];
      if (seen.at(-1) !== r) {
        seen.push(r);
      }
      byID.set(cid, seen);
    }
    return byID;
  };
  const got = await requests(viaGateway);
  const want = await requests(direct);
  const refused = new Set(direct.calls.filter((c) => errorCode(c.text) === "InvalidPathParam").map((c) => c.cid));
  const differences = [];
  for (const [cid, w] of want) {
    const g = got.get(cid);
    if (g === undefined && refused.has(cid)) {
      t.diagnostic(`refused by the gateway, never sent upstream: ${cid} ${w.join(" ")}`);
      continue;
    }
    if (JSON.stringify(g) !== JSON.stringify(w)) {
      differences.push(`${cid}: through the gateway ${JSON.stringify(g)}, from the SDK ${JSON.stringify(w)}`);
    }
  }
  for (const cid of got.keys()) {
    if (!want.has(cid)) {
      differences.push(`${cid}: only through the gateway: ${got.get(cid).join(" ")}`);
    }
  }
  t.diagnostic(`upstream requests compared: ${want.size}`);
  assert.deepEqual(differences, []);
});

test("every operation of the SDK was driven to a success", () => {
  const ops = new Set();
  for (const f of walk(join(sdkRoot, "client")).filter((f) => f.endsWith(".js"))) {
    for (const m of readFileSync(f, "utf8").matchAll(/method: '([A-Z]+)',\s*uriTemplate: '([^']+)'/g)) {
      ops.add(`${m[1]} ${m[2]}`);
    }
  }
  assert.ok(ops.size >= 15, `found ${ops.size} SDK operations`);
  const succeeded = new Set(viaGateway.calls.filter((c) => c.status < 300).map((c) => `${c.method} ${c.template}`));
  const missing = [...ops].filter((op) => !succeeded.has(op));
  assert.deepEqual(missing, [], "SDK operations never answered with a success");
});

test("every body matches the SDK's TypeScript types", (t) => {
  const known = new Set();
  for (const m of readFileSync(join(sdkRoot, "models", "error.d.ts"), "utf8").matchAll(/readonly code: "([^"]+)"/g)) {
    known.add(m[1]);
  }
  const differences = new Map();
  const lines = [
    'import type * as sdk from "@commercetools-connect/sdk";',
    "// The ErrorObject of the RAML (code, message, any other field), for codes the SDK's union does not name.",
    "interface UntypedErrorObject { readonly code: string; readonly message: string; [key: string]: any }",
    "// RFC 6750's error member, which Connect's 401 bodies carry besides the ErrorResponse fields.",
    "interface OAuthError { readonly error: string }",
  ];
  for (const [i, c] of viaGateway.calls.entries()) {
    let body;
    try {
      body = JSON.parse(c.text);
    } catch {
      assert.fail(`#${i + 1} ${c.label}: the body is not JSON: ${c.text}`);
    }
    let type = `sdk.${c.type}`;
    if (c.status >= 400) {
      const codes = (body.errors ?? []).map((e) => e.code);
      const untyped = codes.filter((code) => !known.has(code));
      type = untyped.length ? 'Omit<sdk.ErrorResponse, "errors"> & { readonly errors?: UntypedErrorObject[] }' : "sdk.ErrorResponse";
      for (const code of untyped) {
        differences.set(`error code ${code}`, "documented by Connect but not in the SDK's ErrorObject union; checked as the RAML's ErrorObject");
      }
      if ("error" in body) {
        type += " & OAuthError";
        differences.set("top-level error member", `the OAuth 2.0 error of a ${c.status} (RFC 6750 §3), not in the SDK's ErrorResponse`);
      }
    }
    lines.push(`// #${i + 1} ${c.label}: ${c.status}`, `export const b${i + 1} = ${JSON.stringify(body, null, 1)} satisfies ${type};`);
  }
  const dir = join(pkgRoot, ".typecheck");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "bodies.ts");
  writeFileSync(file, lines.join("\n") + "\n");
  for (const [what, why] of differences) {
    t.diagnostic(`difference kept: ${what}: ${why}`);
  }
  try {
    execFileSync(join(pkgRoot, "node_modules", ".bin", "tsc"),
      ["--noEmit", "--strict", "--target", "es2022", "--module", "commonjs", "--moduleResolution", "node10", file],
      { cwd: pkgRoot, encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    assert.fail(`bodies do not match the SDK's types (${file}):\n${e.stdout}${e.stderr}`);
  }
  t.diagnostic(`bodies checked against the SDK's types: ${viaGateway.calls.length}`);
});

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
}
