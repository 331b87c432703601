import type {
  ActivityDescriptor,
  ApiResult,
  DesignerConfig,
  DesignerOptions,
  ExportedFile,
  FlowDefinition,
  FlowDetail,
  FlowDiff,
  Problem,
  Revision,
  SaveResult,
  SimulationTurn,
  SpeechTurn,
  ValidationResult,
  VersionDetail,
  VersionSummary,
} from "./contract";

/** The only way the designer talks to the server: tenant-scoped calls with the session cookie and the antiforgery header. */
export interface Bridge {
  activities(): Promise<ApiResult<ActivityDescriptor[]>>;
  designerOptions(): Promise<ApiResult<DesignerOptions>>;
  flow(): Promise<ApiResult<FlowDetail>>;
  version(version: number): Promise<ApiResult<VersionDetail>>;
  saveDraft(definition: FlowDefinition, revision: Revision | null): Promise<ApiResult<SaveResult>>;
  validate(definition: FlowDefinition): Promise<ApiResult<ValidationResult>>;
  stage(version: number): Promise<ApiResult<VersionSummary>>;
  publish(version: number): Promise<ApiResult<VersionSummary>>;
  rollback(version: number): Promise<ApiResult<VersionSummary>>;
  diff(from: number, to: number): Promise<ApiResult<FlowDiff>>;
  exportVersion(version: number): Promise<ApiResult<ExportedFile>>;
  importDefinition(definition: unknown, revision: Revision | null): Promise<ApiResult<SaveResult>>;
  startSimulation(version: number | null): Promise<ApiResult<SimulationTurn>>;
  simulationTurn(sessionId: string, text: string): Promise<ApiResult<SimulationTurn>>;
  /** Sends a spoken answer (a 16-bit PCM WAV recording); the server transcribes it and takes the turn. */
  simulationSpeech(sessionId: string, wav: Blob): Promise<ApiResult<SpeechTurn>>;
}

export function createBridge(config: DesignerConfig, networkMessage: string): Bridge {
  const flow = `/api/flows/${encodeURIComponent(config.flowId)}`;

  async function send(method: string, url: string, body?: unknown): Promise<Response | Problem> {
    const headers: Record<string, string> = { Accept: "application/json, application/problem+json" };
    if (config.antiforgeryToken) {
      headers[config.antiforgeryHeader] = config.antiforgeryToken;
    }
    // A Blob (a recording) goes as it is, with its own type; anything else as JSON.
    const raw = body instanceof Blob;
    if (body !== undefined) {
      headers["Content-Type"] = raw ? body.type || "application/octet-stream" : "application/json";
    }
    try {
      return await fetch(url, {
        method,
        headers,
        credentials: "same-origin",
        cache: "no-store",
        body: body === undefined ? null : raw ? body : JSON.stringify(body),
      });
    } catch {
      return { title: networkMessage, status: 0 };
    }
  }

  async function problemOf(response: Response): Promise<Problem> {
    try {
      const problem = (await response.json()) as Problem;
      return typeof problem === "object" && problem !== null ? problem : { status: response.status };
    } catch {
      return { status: response.status, title: response.statusText };
    }
  }

  async function json<T>(method: string, url: string, body?: unknown): Promise<ApiResult<T>> {
    const response = await send(method, url, body);
    if (!(response instanceof Response)) {
      return { ok: false, status: 0, problem: response };
    }
    if (!response.ok) {
      return { ok: false, status: response.status, problem: await problemOf(response) };
    }
    try {
      return { ok: true, value: (await response.json()) as T };
    } catch {
      return { ok: false, status: response.status, problem: { title: networkMessage } };
    }
  }

  async function file(url: string, fallbackName: string): Promise<ApiResult<ExportedFile>> {
    const response = await send("GET", url);
    if (!(response instanceof Response)) {
      return { ok: false, status: 0, problem: response };
    }
    if (!response.ok) {
      return { ok: false, status: response.status, problem: await problemOf(response) };
    }
    const disposition = response.headers.get("Content-Disposition") ?? "";
    const match = /filename\*=UTF-8''([^;]+)|filename="?([^";]+)"?/i.exec(disposition);
    const name = match ? decodeURIComponent(match[1] ?? match[2] ?? fallbackName) : fallbackName;
    return { ok: true, value: { fileName: name, text: await response.text() } };
  }

  return {
    activities: () => json("GET", "/api/activities"),
    designerOptions: () => json("GET", "/api/flows/designer-options"),
    flow: () => json("GET", flow),
    version: (version) => json("GET", `${flow}/versions/${version}`),
    saveDraft: (definition, revision) => json("PUT", `${flow}/draft`, { definition, revision }),
    validate: (definition) => json("POST", "/api/flows/validate", { definition }),
    stage: (version) => json("POST", `${flow}/versions/${version}/stage`),
    publish: (version) => json("POST", `${flow}/versions/${version}/publish`),
    rollback: (version) => json("POST", `${flow}/versions/${version}/rollback`),
    diff: (from, to) => json("GET", `${flow}/diff?from=${from}&to=${to}`),
    exportVersion: (version) => file(`${flow}/versions/${version}/export`, `flow-v${version}.json`),
    importDefinition: (definition, revision) => json("POST", `${flow}/import`, { definition, revision }),
    startSimulation: (version) => json("POST", `${flow}/simulations`, version === null ? {} : { version }),
    simulationTurn: (sessionId, text) => json("POST", `${flow}/simulations/${encodeURIComponent(sessionId)}/turns`, { text }),
    simulationSpeech: (sessionId, wav) => json("POST", `${flow}/simulations/${encodeURIComponent(sessionId)}/speech`, wav),
  };
}
