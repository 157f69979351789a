// Starts the processes of the conformance test on loopback: two fresh
// Connect API simulators (connect-sim --seed) and the gateway in front of
// the first one, each a built binary.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

/** The binary named by env, else one built now from pkg into a temporary folder. */
function binary(env, pkg, name) {
  if (process.env[env]) {
    return process.env[env];
  }
  const out = join(mkdtempSync(join(tmpdir(), "sdk-conformance-")), name);
  execFileSync("go", ["build", "-o", out, pkg], { cwd: repoRoot, stdio: "inherit" });
  return out;
}

/**
 * Spawns a binary and resolves with the first log line for which found
 * returns a value (the line parsed as JSON, or logfmt-like text), or rejects
 * when the process exits first or after timeoutMs.
 */
async function spawnUntil(bin, args, found, timeoutMs = 60_000) {
  const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const logs = [];
  const lines = createInterface({ input: child.stderr });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${bin} did not start within ${timeoutMs} ms:\n${logs.join("\n")}`)), timeoutMs);
    lines.on("line", (line) => {
      logs.push(line);
      const v = found(line);
      if (v) {
        clearTimeout(timer);
        resolve(v);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${bin} exited (code ${code}, signal ${signal}) before serving:\n${logs.join("\n")}`));
    });
  });
  let value;
  try {
    value = await ready;
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
  return {
    value,
    logs,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Starts connect-sim with the demo data; resolves with its base URL. */
export async function startSimulator() {
  const bin = binary("CONNECT_SIM_BIN", "./cmd/connect-sim", "connect-sim");
  const p = await spawnUntil(bin, ["--addr", "127.0.0.1:0", "--seed"], (line) => {
    const m = /msg="connect-sim listening" url=(\S+)/.exec(line);
    return m ? m[1] : undefined;
  });
  return { url: p.value, stop: p.stop, logs: p.logs };
}

/** Starts the gateway in passthrough mode in front of upstreamURL; resolves with its REST base URL. */
export async function startGateway(upstreamURL) {
  const bin = binary("CONNECT_GATEWAY_BIN", "./cmd/connect-gateway", "connect-gateway");
  const p = await spawnUntil(
    bin,
    ["--upstream", upstreamURL, "--auth", "passthrough", "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--log-format", "json"],
    (line) => {
      try {
        const rec = JSON.parse(line);
        return rec.msg === "connect-gateway serving" ? `http://${rec.http}` : undefined;
      } catch {
        return undefined;
      }
    },
  );
  return { url: p.value, stop: p.stop, logs: p.logs };
}
