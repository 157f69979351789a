// Starts connect-gateway on its embedded simulator for the tests.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

/**
 * The gateway binary: $CONNECT_GATEWAY_BIN (the Makefile builds it once),
 * else one built now into a temporary folder.
 */
function gatewayBinary() {
  const bin = process.env.CONNECT_GATEWAY_BIN;
  if (bin) {
    return bin;
  }
  const out = join(mkdtempSync(join(tmpdir(), "connect-gateway-")), "connect-gateway");
  execFileSync("go", ["build", "-o", out, "./cmd/connect-gateway"], { cwd: repoRoot, stdio: "inherit" });
  return out;
}

/**
 * Spawns the gateway with the embedded simulator on free loopback ports and
 * resolves when it logs "connect-gateway serving", with the addresses it
 * logged. It rejects when the process exits first, or after timeoutMs.
 *
 * @param {{timeoutMs?: number}} [opts]
 * @returns {Promise<{grpcAddr: string, httpAddr: string, simUrl: string, stop: () => Promise<void>, logs: string[]}>}
 */
export async function startGateway({ timeoutMs = 60_000 } = {}) {
  const child = spawn(
    gatewayBinary(),
    ["--upstream", "sim", "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--log-format", "json"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  /** @type {string[]} */
  const logs = [];
  const lines = createInterface({ input: child.stderr });
  let simUrl = "";
  const serving = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start within ${timeoutMs} ms:\n${logs.join("\n")}`)), timeoutMs);
    lines.on("line", (line) => {
      logs.push(line);
      const tour = /embedded Connect API simulator \((http:\/\/[^,]+),/.exec(line);
      if (tour) {
        simUrl = tour[1]; // the start-up tour names the simulator, whose admin API moves its clock
      }
      let rec;
      try {
        rec = JSON.parse(line);
      } catch {
        return; // the start-up tour is plain text
      }
      if (rec.msg === "connect-gateway serving") {
        clearTimeout(timer);
        resolve({ grpcAddr: rec.grpc, httpAddr: rec.http });
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (code ${code}, signal ${signal}) before serving:\n${logs.join("\n")}`));
    });
  });
  let addrs;
  try {
    addrs = await serving;
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
  return {
    ...addrs,
    simUrl,
    logs,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
