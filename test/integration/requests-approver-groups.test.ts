/**
 * Approver lists that name Slack user groups ("S…"): the official WebClient asks
 * usergroups.users.list on a loopback Slack API (cached), and the approval rule counts members
 * only. An unreachable directory never grants approval.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slackGroupDirectory } from "../../src/chat/slack/request-form.ts";
import { isApprover } from "../../src/commands/request-flow.ts";
import { DEFAULT_POLICY } from "../../src/domain/gpu-request.ts";
import type { GroupDirectory, RequestsPort } from "../../src/services/ports.ts";

describe("Slack user groups as approvers", () => {
  let server: Server;
  let url: string;
  const calls: string[] = [];

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      calls.push(`${req.url} ${body.get("usergroup")}`);
      res.writeHead(200, { "content-type": "application/json" });
      if (req.url === "/api/usergroups.users.list" && body.get("usergroup") === "S0GPUAPPR") res.end(JSON.stringify({ ok: true, users: ["U0SAM0001", "U0LEE0001"] }));
      else res.end(JSON.stringify({ ok: false, error: "no_such_subteam" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const port = (directory: GroupDirectory | undefined, approvers: string[]): RequestsPort =>
    ({
      policy: DEFAULT_POLICY,
      approvers: { slack: { approvers, escalation: [] } },
      groups: (p: string) => (p === "slack" ? directory : undefined),
    }) as unknown as RequestsPort;

  it("counts group members as approvers, asking Slack once per group", async () => {
    const client = new WebClient("xoxb-test", { slackApiUrl: url, retryConfig: { retries: 0 } });
    const p = port(slackGroupDirectory(client), ["S0GPUAPPR", "U0SOLO001"]);
    expect(await isApprover(p, "slack", "U0SAM0001")).toBe(true);
    expect(await isApprover(p, "slack", "U0LEE0001")).toBe(true);
    expect(await isApprover(p, "slack", "U0SOLO001")).toBe(true);
    expect(await isApprover(p, "slack", "U0FINN001")).toBe(false);
    expect(await isApprover(p, "teams", "U0SAM0001")).toBe(false);
    expect(calls.filter((c) => c.includes("S0GPUAPPR"))).toHaveLength(1);
  });

  it("does not grant approval when the group cannot be read", async () => {
    const client = new WebClient("xoxb-test", { slackApiUrl: url, retryConfig: { retries: 0 } });
    const p = port(slackGroupDirectory(client), ["S0GONE0001"]);
    expect(await isApprover(p, "slack", "U0SAM0001")).toBe(false);
    expect(await isApprover(port(undefined, ["S0GPUAPPR"]), "slack", "U0SAM0001")).toBe(false);
  });
});
