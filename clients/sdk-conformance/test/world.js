// A world is one place the SDK talks to: the gateway's REST face (in front
// of a simulator) or a simulator straight. It runs SDK requests with a
// fetch-based executor, records every answer as it came, and normalises
// what differs between two fresh simulators by nature (ids, times,
// cursors made of ids).
import sdk from "@commercetools-connect/sdk";

/**
 * The response headers compared between the worlds: the gateway's
 * allow-list (see passedHeaders in gateway/rest.go). X-Correlation-ID is
 * compared too: each request sends one, which both must give back.
 */
export const comparedHeaders = ["content-type", "www-authenticate", "retry-after", "x-correlation-id", "location", "cache-control"];

const client = { id: "connect-sim", secret: "connect-sim-secret", project: "demo" };

export class World {
  /**
   * @param {string} name "gateway" or "simulator", for messages
   * @param {string} apiURL where the SDK sends requests
   * @param {string} simURL the simulator of this world (token endpoint, admin API)
   */
  constructor(name, apiURL, simURL) {
    this.name = name;
    this.apiURL = apiURL;
    this.simURL = simURL;
    /** @type {Array<{cid: string, label: string, type: string, method: string, template: string, uri: string, status: number, headers: Record<string,string>, text: string}>} */
    this.calls = [];
    this.vars = {};
    this.ids = new Map(); // raw id -> placeholder
    this.seq = 0;
    this.current = undefined;
    this.api = sdk.createApiClient((req) => this.#execute(req), apiURL);
  }

  /** Fetches a token of the simulator's default client, with all its scopes or the given ones. */
  async token(scopes) {
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (scopes) {
      form.set("scope", scopes.map((s) => `${s}:${client.project}`).join(" "));
    }
    const res = await fetch(`${this.simURL}/oauth/token`, {
      method: "POST",
      headers: {
        Authorization: "Basic " + Buffer.from(`${client.id}:${client.secret}`).toString("base64"),
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: form,
    });
    if (res.status !== 200) {
      throw new Error(`${this.name}: token: ${res.status} ${await res.text()}`);
    }
    return (await res.json()).access_token;
  }

  /**
   * Runs one SDK request and records its answer.
   *
   * @param {string} label what the call is, for messages
   * @param {string} type the SDK type of a success body
   * @param {{clientRequest(): object, execute(): Promise<any>}} request an SDK ApiRequest
   * @param {{token?: string | null, body?: string}} [opts] token: null sends none, a string that one;
   *   body: bytes to send instead of the SDK's JSON (a malformed body)
   */
  async call(label, type, request, opts = {}) {
    this.current = { label, type, token: opts.token === undefined ? this.defaultToken : opts.token, body: opts.body };
    const res = await request.execute();
    this.current = undefined;
    return res.body;
  }

  async #execute(req) {
    const cur = this.current;
    const cid = `sdk-${++this.seq}`;
    const headers = { Accept: "application/json", "X-Correlation-ID": cid };
    for (const [k, v] of Object.entries(req.headers ?? {})) {
      headers[k] = String(v);
    }
    if (cur.token !== null) {
      headers.Authorization = `Bearer ${cur.token}`;
    }
    let body = cur.body ?? (req.body === undefined ? undefined : JSON.stringify(req.body));
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    const url = (req.baseUri ?? this.apiURL) + req.uri;
    const res = await fetch(url, { method: req.method, headers, body });
    const text = await res.text();
    const got = {};
    for (const h of comparedHeaders) {
      const v = res.headers.get(h);
      if (v !== null) {
        got[h] = v;
      }
    }
    this.calls.push({ cid, label: cur.label, type: cur.type, method: req.method, template: req.uriTemplate, uri: req.uri, status: res.status, headers: got, text });
    let parsed = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // kept as text: the comparison reports it
    }
    return { body: parsed, statusCode: res.status, headers: Object.fromEntries(res.headers), originalRequest: req };
  }

  /** Moves the simulator's clock (deployments and previews settle with it). */
  async advance(duration) {
    await this.admin("POST", "/_sim/clock/advance", { duration });
  }

  /** Adds a fault rule to the simulator. */
  async fault(rule) {
    await this.admin("POST", "/_sim/faults", rule);
  }

  async clearFaults() {
    await this.admin("DELETE", "/_sim/faults");
  }

  /** The simulator's journal of API requests: method, path, query, body length. */
  async journal() {
    const entries = await this.admin("GET", "/_sim/journal");
    return entries.filter((e) => !e.path.startsWith("/oauth/"));
  }

  async admin(method, path, body) {
    const res = await fetch(this.simURL + path, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) {
      throw new Error(`${this.name}: ${method} ${path}: ${res.status} ${text}`);
    }
    return text ? JSON.parse(text) : undefined;
  }

  /**
   * Normalises text of this world: ids (UUIDs, and the 8-character prefixes
   * of known ids the simulator builds names from) become placeholders
   * numbered in order of first appearance, so the same resource has the same
   * placeholder in both worlds; RFC 3339 times become <time>; log cursors
   * (base64url of "id:offset") are decoded and normalised.
   */
  normalise(text) {
    let out = text.replace(/\b(?:[A-Za-z0-9_-]{16,})\b/g, (tok) => {
      let raw;
      try {
        raw = Buffer.from(tok, "base64url").toString("utf8");
      } catch {
        return tok;
      }
      const m = /^([0-9a-f-]{36}):(\d+)$/.exec(raw);
      return m ? `<cursor ${this.#id(m[1])}:${m[2]}>` : tok;
    });
    out = out.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => this.#id(id));
    out = out.replace(/\b[0-9a-f]{8}\b/g, (prefix) => {
      for (const [id, ph] of this.ids) {
        if (id.startsWith(prefix)) {
          return `${ph}/8`;
        }
      }
      return prefix;
    });
    return out.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g, "<time>");
  }

  #id(id) {
    if (!this.ids.has(id)) {
      this.ids.set(id, `<id${this.ids.size + 1}>`);
    }
    return this.ids.get(id);
  }
}
