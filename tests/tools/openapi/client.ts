// A small integrator's program written against the types generated from the served OpenAPI document
// (openapi-typescript → generated/schema.d.ts) and called through openapi-fetch: search, then recommendations.
// Reads MM_BASE and MM_KEY; prints one JSON line.
import createClient from "openapi-fetch";
import type { paths } from "./generated/schema.js";

declare const process: { env: Record<string, string | undefined>; exitCode?: number };

const client = createClient<paths>({ baseUrl: process.env.MM_BASE, headers: { "X-Api-Key": process.env.MM_KEY ?? "" } });

const found = await client.GET("/api/v1/organizations", { params: { query: { q: "Tongji", kind: "university", limit: 5 } } });
if (found.error !== undefined || found.data === undefined) throw new Error(`search failed: ${found.response.status}`);
const organization = found.data.items?.[0];
if (organization?.id == null) throw new Error("search found nothing");

const listed = await client.GET("/api/v1/organizations/{id}/recommendations", {
  params: { path: { id: organization.id }, query: { limit: 3 } },
});
if (listed.error !== undefined || listed.data === undefined) throw new Error(`recommendations failed: ${listed.response.status}`);
const items = (listed.data.items ?? []).map((i) => ({ candidateId: i.candidateId, rank: i.rank, strength: i.strength, strengthLevel: i.strengthLevel }));

const refused = await createClient<paths>({ baseUrl: process.env.MM_BASE }).GET("/api/v1/organizations/{id}", { params: { path: { id: organization.id } } });

console.log(JSON.stringify({ organization: { id: organization.id, nameZh: organization.nameZh }, items, refusedStatus: refused.response.status, refusedTitle: refused.error?.title }));
