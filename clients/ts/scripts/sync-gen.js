// Copies the generated code (../../gen/ts, written by `make generate`) into
// this package's gen/ folder, so that its imports of @bufbuild/protobuf
// resolve to this package's node_modules. `npm test` runs it first.
import { cpSync, existsSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const source = fileURLToPath(new URL("../../../gen/ts", import.meta.url));
const target = fileURLToPath(new URL("../gen", import.meta.url));

if (!existsSync(source)) {
  console.error(`sync-gen: ${source} does not exist: run make generate at the repository root`);
  process.exit(1);
}
rmSync(target, { recursive: true, force: true });
cpSync(source, target, { recursive: true });
