/**
 * gpuops's server entry (`npm start`) with one test hook: the process SIGKILLs itself as soon as a
 * stored decision hands its action to the runner, before any side effect, as a power cut would.
 * The crash-and-restart test spawns it with `node` (type stripping) in place of src/server.ts.
 */
import { main } from "../../src/server.ts";

await main({ requestRuntime: { beforeAction: () => process.kill(process.pid, "SIGKILL") } });
