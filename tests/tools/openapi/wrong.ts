// Must NOT compile: proves the generated types check calls (an unknown path, a query parameter of the wrong type).
import createClient from "openapi-fetch";
import type { paths } from "./generated/schema.js";

const client = createClient<paths>({ baseUrl: "http://localhost:5180" });
await client.GET("/api/v1/organisations");
await client.GET("/api/v1/organizations/{id}/recommendations", { params: { path: { id: "tongji-auto" }, query: { limit: "three" } } });
