// The operator's token and the admin API: every data call carries the bearer token.
const TOKEN_KEY = "inspector.token";

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** A problem+json answer, kept whole so the page can show its title and detail. */
export class ApiProblem extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** Calls /api/v1{path} with the operator's token; answers the parsed JSON or throws ApiProblem. */
export async function api(path, { method = "GET", body } = {}) {
  const headers = { accept: "application/json" };
  const current = token.get();
  if (current) headers.authorization = `Bearer ${current}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new ApiProblem(res.status, json);
  return json;
}

/** Asks the dev token route for an admin token (only mounted when dev tokens are on). */
export async function devSignIn(userId) {
  const answer = await api("/dev/token", { method: "POST", body: { user_id: userId, roles: ["admin"] } });
  token.set(answer.token);
}

/** The saga's machine, as npm run docs:saga serialises it beside the page. */
const machines = new Map();
export function sagaMachine(name) {
  if (!machines.has(name)) {
    machines.set(
      name,
      fetch(`sagas/${name}.json`).then((res) => {
        if (!res.ok) throw new Error(`no ${name} saga definition (HTTP ${res.status})`);
        return res.json();
      }),
    );
  }
  return machines.get(name);
}
