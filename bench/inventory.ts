/**
 * Fleet inventory of a generated big tenant (1,000 subscriptions, 100,000 VMs, 5,000 of them GPU
 * sizes) through the fake Azure on loopback, two ways with the real SDK clients and our client
 * factory: Resource Graph (one paged query, subscriptions batched) as gpuops does it, and the
 * naive way (Virtual Machines List All per subscription, `statusOnly=true`). Reports Azure calls
 * (Resource Graph must stay ≤ 110), wall time, and the process's peak RSS. The fake runs in the
 * same process, so the RSS includes the generated tenant.
 */
import { createAzureAccess } from "../src/azure/client-factory.ts";
import { createFleetAdapter } from "../src/azure/resource-graph.ts";
import { createBigFleet } from "../src/fake-azure/demo-fleet.ts";
import { startFakeAzure } from "../src/fake-azure/server.ts";
import type { BenchScenario } from "./harness.ts";

const SUBSCRIPTIONS = Number(process.env.BENCH_INVENTORY_SUBSCRIPTIONS ?? 1000);
const VMS = Number(process.env.BENCH_INVENTORY_VMS ?? 100_000);
const GPU_VMS = Number(process.env.BENCH_INVENTORY_GPU_VMS ?? 5000);
const MAX_GRAPH_CALLS = 110;

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

export const inventoryScenario: BenchScenario = {
  name: "fleet inventory (Resource Graph vs per-subscription listing)",
  async run() {
    const fleet = createBigFleet({ subscriptions: SUBSCRIPTIONS, vms: VMS, gpuVms: GPU_VMS });
    const fake = await startFakeAzure({ fleet });
    const rssBefore = peakRssMb();
    try {
      const azure = createAzureAccess({ cloud: "public", url: fake.url, token: fake.token, concurrency: 8, maxRetries: 3, maxRetryWaitSeconds: 10, loopbackCa: fake.ca });
      const ids = fleet.subscriptions.map((s) => s.id);

      const t0 = performance.now();
      const inventory = await createFleetAdapter(azure, { ttlSeconds: 0 }).gpuInventory(ids);
      const graphMs = performance.now() - t0;
      const graphCalls = azure.totalCalls();
      const rssGraph = peakRssMb();
      if (inventory.resources.length !== GPU_VMS) throw new Error(`Resource Graph found ${inventory.resources.length} GPU VMs, expected ${GPU_VMS}`);
      if (graphCalls > MAX_GRAPH_CALLS) throw new Error(`Resource Graph inventory took ${graphCalls} Azure calls (target ≤ ${MAX_GRAPH_CALLS})`);

      azure.resetCounters();
      fake.requests.length = 0;
      const t1 = performance.now();
      let naiveGpu = 0;
      await Promise.all(
        ids.map(async (id) => {
          for await (const vm of azure.compute(id).virtualMachines.listAll({ statusOnly: "true" })) {
            if (/^Standard_N/i.test(vm.hardwareProfile?.vmSize ?? "")) naiveGpu++;
          }
        }),
      );
      const naiveMs = performance.now() - t1;
      const naiveCalls = azure.totalCalls();
      if (naiveGpu !== GPU_VMS) throw new Error(`per-subscription listing found ${naiveGpu} GPU VMs, expected ${GPU_VMS}`);

      return {
        tenant: `${SUBSCRIPTIONS} subscriptions, ${VMS} VMs, ${GPU_VMS} GPU VMs`,
        "Resource Graph: Azure calls": graphCalls,
        "Resource Graph: wall time (ms)": Math.round(graphMs),
        "Resource Graph: peak RSS (MB)": rssGraph,
        "per-subscription listing: Azure calls": naiveCalls,
        "per-subscription listing: wall time (ms)": Math.round(naiveMs),
        "per-subscription listing: peak RSS (MB)": peakRssMb(),
        "calls ratio (naive / Resource Graph)": Math.round((naiveCalls / graphCalls) * 10) / 10,
        "peak RSS before querying, fake tenant loaded (MB)": rssBefore,
      };
    } finally {
      await fake.close();
    }
  },
};
