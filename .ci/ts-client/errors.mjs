// The official MCP TypeScript client (what Claude Desktop, Claude Code and the MCP Inspector are built
// on) against a running trainops over Streamable HTTP: list the tools first, as those clients do (the
// client then checks every structuredContent against the tool's output schema), then make calls that
// fail in the ways users meet. Prints one JSON object: per call, the result or what the client threw.
// Run by TypeScriptClientIT; by hand: node .ci/ts-client/errors.mjs http://127.0.0.1:PORT/mcp
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const url = process.argv[2];
if (!url) {
  console.error("usage: node errors.mjs http://127.0.0.1:PORT/mcp");
  process.exit(2);
}
const client = new Client({ name: "trainops-ts-client-check", version: "1.0.0" });
await client.connect(new StreamableHTTPClientTransport(new URL(url)));
const out = { tools: (await client.listTools()).tools.map((t) => t.name) };

async function call(label, name, args) {
  try {
    out[label] = { result: await client.callTool({ name, arguments: args }) };
  } catch (e) {
    out[label] = { thrown: String(e?.message ?? e), code: e?.code ?? null };
  }
}

await call("bad_arguments", "get_gpu_availability", { gpu_type: 7 });
await call("unknown_job_cancel", "cancel_training_job", { job_id: "tj-000000000000", reason: "not needed" });
await call("unknown_job_status", "get_job_queue_status", { job_id: "tj-000000000000" });
await call("over_budget", "queue_training_job", {
  model: "llm", run_name: "ts-over-budget", team: "team-a", epochs: 5, batch_size: 64, gpu_type: "H100", max_cost: "0.01",
});
// a success still passes the client's output-schema check
await call("success", "get_gpu_availability", {});
await client.close();
console.log(JSON.stringify(out));
