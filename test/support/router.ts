/**
 * One router for tests that run commands or clicks without a server: the same `createRouter()`
 * the app builds (every built-in verb and button), so a test exercises the real dispatch. Tests
 * that click buttons bound to an app's store (idle alerts) use that app's `router` instead.
 */
import { createRouter, type Router } from "../../src/commands/router.ts";

const router: Router = createRouter();

export const runCommand: Router["run"] = (request, ctx) => router.run(request, ctx);
export const runAction: Router["runAction"] = (request, ctx) => router.runAction(request, ctx);
export const verbs: Router["verbs"] = () => router.verbs();
export const resolveVerbName: Router["resolveVerbName"] = (text) => router.resolveVerbName(text);
export const shareButtonFor: Router["shareButtonFor"] = (reply, text) => router.shareButtonFor(reply, text);
